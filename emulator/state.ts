/**
 * The tokens one emulator instance has issued, shared by Plaid's API routes and the Link protocol:
 * link tokens (from `/session/token/create` and `/link/token/create`) and public tokens (from a
 * finished Link session, for `/user_account/session/get`). In memory only; each
 * `createPlaidEmulator()` starts empty. Link sessions themselves live in link-protocol/sessions.ts.
 */
import type { UserAccountIdentity, UserAccountIdentityEditHistory, UserAccountItem } from 'plaid';

/** Link tokens for new Items live 4 hours (LAYER.md §4.6). */
export const LINK_TOKEN_LIFETIME_MS = 4 * 60 * 60 * 1000;
/** Public tokens live 30 minutes (LAYER.md §4.6). */
export const PUBLIC_TOKEN_LIFETIME_MS = 30 * 60 * 1000;

export interface LinkTokenRecord {
  linkToken: string;
  expiresAt: number;
  /** The Layer template; null for a `/link/token/create` token without the `layer` product. */
  templateId: string | null;
  /** From `/session/token/create`'s `webhook`, else the emulator's default. */
  webhook: string | null;
  clientName: string;
  /** A session with this token succeeded: spent unless the emulator allows reuse. */
  used: boolean;
  /** Revoked after too many wrong codes. */
  revoked: boolean;
}

export interface PublicTokenRecord {
  publicToken: string;
  expiresAt: number;
  used: boolean;
  identity: UserAccountIdentity;
  items: UserAccountItem[];
  editHistory: UserAccountIdentityEditHistory;
}

export class EmulatorState {
  readonly linkTokens = new Map<string, LinkTokenRecord>();
  readonly publicTokens = new Map<string, PublicTokenRecord>();
}
