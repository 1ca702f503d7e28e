/**
 * The Plaid emulator: an offline stand-in for Plaid's API and for Plaid Link's web script and UI,
 * for Layer. Mount it in any Hono (or fetch-based) server and point the `plaid` client's
 * `basePath` and the page's Link script at it. See README.md, "Plaid emulator".
 */
export { createPlaidEmulator, LINK_SCRIPT_PATH, MAX_BODY_BYTES } from './create-plaid-emulator.js';
export type { PlaidEmulator, PlaidEmulatorStats } from './create-plaid-emulator.js';
export { LINK_FRAME_PATH, LINK_FRAME_TITLE } from './link/frame-messages.js';
export { ROTATE_WEBHOOK_KEY_PATH } from './control/webhook-key-routes.js';
export { DEFAULT_STATE_LIMIT, EMULATOR_CLIENT_ID, EMULATOR_SECRET } from './options.js';
export type { PlaidEmulatorOptions } from './options.js';
export {
  DEFAULT_TEMPLATES,
  EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
  EMULATOR_TEMPLATE_ID,
  LAYER_FIELDS,
} from './templates.js';
export type { LayerField, LayerTemplate } from './templates.js';
export {
  AUTOFILL_DATE_OF_BIRTH,
  AUTOFILL_IDENTITY,
  OAUTH_SANDBOX_PHONE,
  SANDBOX_OTP,
  SANDBOX_USERS,
} from './sandbox-users.js';
export type { SandboxAccount, SandboxBank, SandboxIdentity, SandboxUser } from './sandbox-users.js';
export { ANY_PLAID_ROUTE } from './faults.js';
export type { FaultSpec } from './faults.js';
export { EVENT_TIMINGS } from './link-protocol/messages.js';
export type { EventTiming } from './link-protocol/messages.js';
export { PLAID_ERROR_CODES } from './plaid-error.js';
export type { PlaidErrorBody } from './plaid-error.js';
export type {
  EmulatorWebhook,
  LayerAuthenticationPassedWebhook,
  SessionFinishedWebhook,
  WebhookVerificationKey,
} from './webhooks.js';
export type { WebhookDeliveryOptions, WebhookFailure } from './webhook-delivery.js';
