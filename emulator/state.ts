/**
 * What one emulator instance remembers: link tokens, Link sessions, public tokens and the edit
 * history of Sandbox profiles. In memory only; each `createPlaidEmulator()` starts empty.
 */
import type { UserAccountIdentity, UserAccountIdentityEditHistory, UserAccountItem } from 'plaid';

import type { LayerProfile } from './eligibility.js';
import type { EligibilityEventName, ReviewAccount } from './link/protocol.js';

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

export type SessionStep = 'created' | 'open' | 'verified' | 'failed' | 'finished';

export interface LinkSessionRecord {
  linkSessionId: string;
  linkToken: string;
  step: SessionStep;
  phoneNumber: string | null;
  eligibility: EligibilityEventName | null;
  profile: LayerProfile | null;
  wrongCodes: number;
  /** Accounts shown on the review step; ids are fresh per session, as Plaid's are per Item. */
  accounts: ReviewAccount[];
}

export interface PublicTokenRecord {
  publicToken: string;
  expiresAt: number;
  used: boolean;
  identity: UserAccountIdentity;
  items: UserAccountItem[];
  editHistory: UserAccountIdentityEditHistory;
}

export type EditedGroup = 'name' | 'address' | 'email' | 'date_of_birth';

export class EmulatorState {
  readonly linkTokens = new Map<string, LinkTokenRecord>();
  readonly sessions = new Map<string, LinkSessionRecord>();
  readonly publicTokens = new Map<string, PublicTokenRecord>();
  /** When each Sandbox phone's profile fields were edited, for `identity_edit_history`. */
  readonly edits = new Map<string, Array<{ group: EditedGroup; at: number }>>();
}
