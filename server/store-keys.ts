/**
 * Every key createLayerApi writes to the store, in one place. Keys hold pseudonyms and SHA-256
 * hashes only — never a token, a user id or an address in the clear.
 */
export const storeKeys = {
  /** A session obtained a Link token: it may exchange public tokens until the grant expires. */
  grant: (pseudonym: string) => `grant:${pseudonym}`,
  /** Which session a Link token was issued to (hash of the token). */
  linkToken: (tokenHash: string) => `link:${tokenHash}`,
  /** A public token being exchanged (`pending`) or already exchanged (`used`). */
  publicToken: (tokenHash: string) => `public:${tokenHash}`,
  /** The session whose Link token produced a public token, learned from SESSION_FINISHED. */
  publicTokenOwner: (tokenHash: string) => `owner:${tokenHash}`,
  /** A webhook body already handed to onWebhook. */
  webhook: (bodyHash: string) => `webhook:${bodyHash}`,
  /** Rate-limit counters (the limiter prefixes `rate:`). */
  linkTokenPerSession: (pseudonym: string) => `link-token:session:${pseudonym}`,
  linkTokenPerAddress: (pseudonym: string) => `link-token:address:${pseudonym}`,
  sessionPerSession: (pseudonym: string) => `session:session:${pseudonym}`,
} as const;

/** Link tokens for new Items live 4 hours (LAYER.md §1.1); a grant never outlives that. */
export const MAX_GRANT_MS = 4 * 60 * 60 * 1000;
/** Public tokens expire after 30 minutes; remember used ones well past that. */
export const USED_PUBLIC_TOKEN_MS = 24 * 60 * 60 * 1000;
/** How long an exchange may hold its claim if the process dies mid-way. */
export const PENDING_EXCHANGE_MS = 10 * 60 * 1000;
/** Plaid retries webhooks for up to 24 hours. */
export const SEEN_WEBHOOK_MS = 25 * 60 * 60 * 1000;
