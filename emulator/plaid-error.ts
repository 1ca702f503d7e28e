/**
 * Plaid's error object (`PlaidError` in the OpenAPI spec, LAYER.md §3) and the codes the emulator
 * answers with. Routes throw {@link PlaidApiError}; one `onError` turns it into the body.
 */

/** The codes the emulator uses, with the type and HTTP status Plaid pairs them with. */
export const PLAID_ERROR_CODES = {
  MISSING_FIELDS: { type: 'INVALID_REQUEST', status: 400 },
  UNKNOWN_FIELDS: { type: 'INVALID_REQUEST', status: 400 },
  INVALID_FIELD: { type: 'INVALID_REQUEST', status: 400 },
  INVALID_BODY: { type: 'INVALID_REQUEST', status: 400 },
  INVALID_HEADERS: { type: 'INVALID_REQUEST', status: 400 },
  NOT_FOUND: { type: 'INVALID_REQUEST', status: 404 },
  INVALID_API_KEYS: { type: 'INVALID_INPUT', status: 400 },
  INVALID_LINK_TOKEN: { type: 'INVALID_INPUT', status: 400 },
  INVALID_PUBLIC_TOKEN: { type: 'INVALID_INPUT', status: 400 },
  INVALID_WEBHOOK_VERIFICATION_KEY_ID: { type: 'INVALID_INPUT', status: 400 },
  PROFILE_AUTHENTICATION_FAILED: { type: 'INVALID_INPUT', status: 400 },
  INVALID_OTP: { type: 'ITEM_ERROR', status: 400 },
  OAUTH_STATE_ID_ALREADY_PROCESSED: { type: 'OAUTH_ERROR', status: 400 },
  OAUTH_STATE_ID_NOT_FOUND: { type: 'OAUTH_ERROR', status: 400 },
  INCORRECT_LINK_TOKEN: { type: 'OAUTH_ERROR', status: 400 },
  RATE_LIMIT: { type: 'RATE_LIMIT_EXCEEDED', status: 429 },
  INTERNAL_SERVER_ERROR: { type: 'API_ERROR', status: 500 },
  PLANNED_MAINTENANCE: { type: 'API_ERROR', status: 503 },
} as const satisfies Record<string, { type: string; status: number }>;

export type PlaidErrorCode = keyof typeof PLAID_ERROR_CODES;

/** Default messages, worded as Plaid words them. */
const MESSAGES: Partial<Record<string, string>> = {
  INVALID_API_KEYS: 'invalid client_id or secret provided',
  INVALID_LINK_TOKEN: 'invalid link_token provided',
  INVALID_PUBLIC_TOKEN: 'could not find matching public token',
  INVALID_WEBHOOK_VERIFICATION_KEY_ID: 'invalid key_id provided',
  NOT_FOUND: 'not found',
  RATE_LIMIT: 'rate limit exceeded for attempts to access this item. please try again later',
  INTERNAL_SERVER_ERROR: 'an unexpected error occurred',
  PLANNED_MAINTENANCE: 'the Plaid API is undergoing planned maintenance',
  PROFILE_AUTHENTICATION_FAILED: 'the user could not be authenticated',
  INVALID_OTP: 'the provided one-time code is invalid',
  // https://plaid.com/docs/errors/oauth/ words only the first; the other two are worded alike.
  INCORRECT_LINK_TOKEN: 'link token does not match original link token',
  OAUTH_STATE_ID_ALREADY_PROCESSED: 'the oauth state id has already been processed',
  OAUTH_STATE_ID_NOT_FOUND: 'the oauth state id could not be found',
};

const DOCS_BY_TYPE: Partial<Record<string, string>> = {
  INVALID_REQUEST: 'https://plaid.com/docs/errors/invalid-request/',
  INVALID_INPUT: 'https://plaid.com/docs/errors/invalid-input/',
  RATE_LIMIT_EXCEEDED: 'https://plaid.com/docs/errors/rate-limit-exceeded/',
  API_ERROR: 'https://plaid.com/docs/errors/api/',
  ITEM_ERROR: 'https://plaid.com/docs/errors/item/',
  OAUTH_ERROR: 'https://plaid.com/docs/errors/oauth/',
};

/**
 * The JSON body of a Plaid error response. `causes` and `status` are left out, as Plaid leaves
 * them out of API responses (they belong to Asset Report errors and webhook-carried errors).
 */
export interface PlaidErrorBody {
  error_type: string;
  error_code: string;
  error_code_reason: string | null;
  error_message: string;
  display_message: string | null;
  request_id: string;
  documentation_url: string;
  suggested_action: string | null;
}

export interface PlaidErrorInit {
  /** Defaults from {@link PLAID_ERROR_CODES} when the code is known. */
  type?: string;
  status?: number;
  message?: string;
  displayMessage?: string | null;
}

export class PlaidApiError extends Error {
  readonly code: string;
  readonly type: string;
  readonly status: number;
  readonly displayMessage: string | null;

  constructor(code: string, init: PlaidErrorInit = {}) {
    const known = lookup(PLAID_ERROR_CODES as Record<string, { type: string; status: number }>, code);
    super(init.message ?? lookup(MESSAGES, code) ?? code.toLowerCase().replaceAll('_', ' '));
    this.name = 'PlaidApiError';
    this.code = code;
    this.type = init.type ?? known?.type ?? 'API_ERROR';
    this.status = init.status ?? known?.status ?? 500;
    this.displayMessage = init.displayMessage ?? null;
  }

  toBody(requestId: string): PlaidErrorBody {
    return {
      error_type: this.type,
      error_code: this.code,
      error_code_reason: null,
      error_message: this.message,
      display_message: this.displayMessage,
      request_id: requestId,
      documentation_url: `${lookup(DOCS_BY_TYPE, this.type) ?? 'https://plaid.com/docs/errors/'}#${this.code.toLowerCase()}`,
      suggested_action: null,
    };
  }
}

/** An own entry only: a fault's `errorType` of `toString` must not find Object.prototype's. */
function lookup<T>(table: Partial<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The code Plaid uses for a bare HTTP status, for faults that name only a status. */
export function codeForStatus(status: number): string {
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMIT';
  if (status === 503) return 'PLANNED_MAINTENANCE';
  if (status >= 500) return 'INTERNAL_SERVER_ERROR';
  return 'INVALID_FIELD';
}
