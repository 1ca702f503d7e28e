/**
 * Every key createLayerApi writes to the store, in one place. Keys hold pseudonyms and SHA-256
 * hashes only — never a token, a user id or an address in the clear.
 */
export const storeKeys = {
  /** A public token being exchanged (`pending`) or already exchanged (`used`). */
  publicToken: (tokenHash: string) => `public:${tokenHash}`,
  /** The Link token (hash) behind a public token, learned from SESSION_FINISHED. */
  publicTokenSource: (tokenHash: string) => `source:${tokenHash}`,
  /** A webhook event already handed to onWebhook (see webhookEventId in routes/webhook.ts). */
  webhook: (eventHash: string) => `webhook:${eventHash}`,
  /** Rate-limit counters (the limiter prefixes `rate:`). */
  linkTokenPerVisitor: (pseudonym: string) => `link-token:visitor:${pseudonym}`,
  linkTokenPerAddress: (pseudonym: string) => `link-token:address:${pseudonym}`,
  sessionPerVisitor: (pseudonym: string) => `session:visitor:${pseudonym}`,
} as const;

/** Public tokens expire after 30 minutes; remember used ones well past that. */
export const USED_PUBLIC_TOKEN_MS = 24 * 60 * 60 * 1000;
/** How long an exchange may hold its claim if the process dies mid-way. */
export const PENDING_EXCHANGE_MS = 10 * 60 * 1000;
/** Plaid retries webhooks for up to 24 hours. */
export const SEEN_WEBHOOK_MS = 25 * 60 * 60 * 1000;
/**
 * What SESSION_FINISHED taught us about a public token. Kept as long as a late retry of an exchange
 * could still present it: public tokens live 30 minutes, Plaid may deliver the webhook up to 24
 * hours late, and a token seen used is remembered as long.
 */
export const PUBLIC_TOKEN_SOURCE_MS = USED_PUBLIC_TOKEN_MS;
