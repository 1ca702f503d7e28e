/**
 * The backend's public entry. Runtime-neutral: nothing here imports Node built-ins, reads the
 * environment or starts timers, and the browser-facing types can be imported (type-only) by the
 * widget.
 */
export { createLayerApi } from './create-layer-api.js';
export type { LayerApiOptions, LayerSession, PlaidWebhook, RateLimit, RateLimits } from './options.js';
export { DEFAULT_RATE_LIMITS } from './options.js';
// Not createPlaidClient (./plaid-api.ts): it imports `plaid` (9.7 MB of api.js, ~0.7 s) and would
// load it when this entry is imported; createLayerApi given credentials starts loading it in the
// background, and a partner who builds a client builds a `PlaidApi` with `plaid` itself.
export { PLAID_ENVIRONMENTS } from './plaid-client.js';
export type { PlaidCredentials, PlaidEnvironment } from './plaid-client.js';
export { verifyProfileToken, ProfileTokenError } from './profile.js';
export { checkRedirectUri, redirectUriProblem } from './redirect-uri.js';
export type { VerifiedProfile, VerifyProfileTokenOptions } from './profile.js';
export type { Logger, RequestLogEntry } from './request-log.js';
export { createMemoryStore } from './store.js';
export type { KeyValueStore, MemoryStoreOptions } from './store.js';
// The Redis store is its own entry, `layer-onboarding/server/redis` (server/redis-store.ts): Node only.
export { StoreUnavailableError } from './store.js';
export { runKeyValueStoreContract } from './store-contract.js';
export type { ContractAssert, ContractHarness, StoreFixture } from './store-contract.js';
export { DEFAULT_PROFILE_FIELDS, PROFILE_FIELDS } from '../contract/index.js';
export type {
  BrowserAddress,
  BrowserItem,
  BrowserName,
  BrowserProfile,
  ErrorBody,
  LinkTokenResponse,
  ProfileField,
  SessionResponse,
  WebhookResponse,
} from '../contract/index.js';
