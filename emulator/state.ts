/**
 * The tokens one emulator instance has issued, shared by Plaid's API routes and the Link protocol:
 * link tokens (from `/session/token/create` and `/link/token/create`) and public tokens (from a
 * finished Link session, for `/user_account/session/get`). In memory only; each
 * `createPlaidEmulator()` starts empty. Link sessions themselves live in link-protocol/sessions.ts.
 *
 * Memory stays bounded however many flows run: tokens past their lifetime are pruned, and each map
 * holds at most `limit` entries, forgetting the oldest first (a forgotten token answers as unknown,
 * which is what Plaid answers for an expired one too).
 */
import type { UserAccountIdentity, UserAccountIdentityEditHistory, UserAccountItem } from 'plaid';

/** Link tokens for new Items live 4 hours (LAYER.md §4.6). */
export const LINK_TOKEN_LIFETIME_MS = 4 * 60 * 60 * 1000;
/** Public tokens live 30 minutes (LAYER.md §4.6). */
export const PUBLIC_TOKEN_LIFETIME_MS = 30 * 60 * 1000;

/** How long an expired token is still recognised as expired before it is forgotten. */
export const PRUNE_GRACE_MS = 60 * 60 * 1000;

export interface LinkTokenRecord {
  linkToken: string;
  expiresAt: number;
  /** The Layer template; null for a `/link/token/create` token without the `layer` product. */
  templateId: string | null;
  /** From `/session/token/create`'s `webhook`, else the emulator's default. */
  webhook: string | null;
  /** Where an OAuth bank sends the user back (`redirect_uri`), if the token named one. */
  redirectUri: string | null;
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

/** Adds `value` under `key`, then forgets the oldest entries past `limit` (Map order is insertion order). */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  for (const oldest of map.keys()) {
    if (map.size <= limit) break;
    map.delete(oldest);
  }
}

export class EmulatorState {
  readonly linkTokens = new Map<string, LinkTokenRecord>();
  readonly publicTokens = new Map<string, PublicTokenRecord>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  addLinkToken(record: LinkTokenRecord): void {
    setBounded(this.linkTokens, record.linkToken, record, this.limit);
  }

  addPublicToken(record: PublicTokenRecord): void {
    setBounded(this.publicTokens, record.publicToken, record, this.limit);
  }

  /**
   * Forgets tokens an hour past their lifetime (the hour keeps "expired" in the error message for a
   * token used just too late, rather than "not found").
   */
  prune(now: number): void {
    for (const map of [this.linkTokens, this.publicTokens])
      for (const [token, record] of map) if (now >= record.expiresAt + PRUNE_GRACE_MS) map.delete(token);
  }
}
