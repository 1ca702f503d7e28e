/**
 * Every Plaid call goes through {@link callPlaid}: a timeout on each attempt, bounded retries with
 * backoff where the caller allows them, and Plaid's failures mapped to our error shape. The client's
 * thrown error is never logged, stored or attached to what we throw: its `config.headers` carries
 * the Plaid secret (plaid-node README).
 */
import { Configuration, PlaidApi, PlaidEnvironments } from 'plaid';

import { LayerApiError } from './errors.js';

export const PLAID_ENVIRONMENTS = ['sandbox', 'production'] as const;
export type PlaidEnvironment = (typeof PLAID_ENVIRONMENTS)[number];

export interface PlaidCredentials {
  clientId: string;
  secret: string;
  /** Which Plaid host to use; `sandbox` by default. */
  env?: PlaidEnvironment;
  /** Overrides the host chosen by `env`, e.g. an emulator's URL. */
  basePath?: string;
}

/** A `plaid` client from credentials; the secret travels in headers, never in bodies we build. */
export function createPlaidClient({
  clientId,
  secret,
  env = 'sandbox',
  basePath,
}: PlaidCredentials): PlaidApi {
  return new PlaidApi(
    new Configuration({
      basePath: basePath ?? PlaidEnvironments[env],
      baseOptions: { headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret } },
    }),
  );
}

/** The per-call options every `PlaidApi` method accepts (axios request config). */
export interface PlaidRequestOptions {
  signal: AbortSignal;
  timeout: number;
}

export interface CallPlaidOptions {
  /** Per attempt. */
  timeoutMs: number;
  /** Extra attempts after a transient failure (timeout, network error, Plaid 5xx). 0: never retry. */
  retries?: number;
  /** Backoff before retry n (1-based) is `retryDelayMs * 2^(n-1)`, capped at `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How to wait between attempts; a timer by default. */
  sleep?: (ms: number) => Promise<void>;
}

interface PlaidResponseLike<T> {
  data: T;
}

/** Plaid's answer when a call failed, reduced to what we may keep. */
interface PlaidFailure {
  kind: 'timeout' | 'network' | 'response';
  status?: number;
  errorType?: string;
  errorCode?: string;
  requestId?: string;
  retryAfter?: number;
}

/** Default `Retry-After` (seconds) when Plaid rate-limits us without saying for how long. */
const PLAID_RATE_LIMIT_RETRY_AFTER = 30;

export async function callPlaid<T>(
  call: (options: PlaidRequestOptions) => Promise<PlaidResponseLike<T>>,
  { timeoutMs, retries = 0, retryDelayMs = 250, maxRetryDelayMs = 2000, sleep = wait }: CallPlaidOptions,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const result = await attemptOnce(call, timeoutMs);
    if (result.ok) return result.data;
    const transient = result.failure.kind !== 'response' || (result.failure.status ?? 0) >= 500;
    if (!transient || attempt >= retries) throw toApiError(result.failure);
    await sleep(Math.min(maxRetryDelayMs, retryDelayMs * 2 ** attempt));
  }
}

type AttemptResult<T> = { ok: true; data: T } | { ok: false; failure: PlaidFailure };

async function attemptOnce<T>(
  call: (options: PlaidRequestOptions) => Promise<PlaidResponseLike<T>>,
  timeoutMs: number,
): Promise<AttemptResult<T>> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The race makes the timeout hold even if a transport ignored the abort signal.
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('timeout');
    }, timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      call({ signal: controller.signal, timeout: timeoutMs }).then(
        (response) => ({ response }),
        (error: unknown) => ({ error }),
      ),
      timedOut,
    ]);
    if (outcome === 'timeout') return { ok: false, failure: { kind: 'timeout' } };
    if ('error' in outcome) return { ok: false, failure: describeFailure(outcome.error) };
    return { ok: true, data: outcome.response.data };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads only the response status, Plaid's error fields and Retry-After from the client's error. */
function describeFailure(error: unknown): PlaidFailure {
  const response = (error as { response?: unknown } | null)?.response as
    { status?: unknown; data?: unknown; headers?: unknown } | undefined;
  if (!response || typeof response.status !== 'number') {
    const code = (error as { code?: unknown } | null)?.code;
    return { kind: code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'network' };
  }
  const data = (typeof response.data === 'object' && response.data ? response.data : {}) as Record<
    string,
    unknown
  >;
  const failure: PlaidFailure = { kind: 'response', status: response.status };
  if (typeof data.error_type === 'string') failure.errorType = data.error_type;
  if (typeof data.error_code === 'string') failure.errorCode = data.error_code;
  if (typeof data.request_id === 'string') failure.requestId = data.request_id;
  const retryAfter = Number(readHeader(response.headers, 'retry-after'));
  if (Number.isInteger(retryAfter) && retryAfter > 0) failure.retryAfter = retryAfter;
  return failure;
}

function readHeader(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  const get = (headers as { get?: unknown }).get;
  const value =
    typeof get === 'function' ? get.call(headers, name) : (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function toApiError(failure: PlaidFailure): LayerApiError {
  const details = {
    ...(failure.requestId ? { plaidRequestId: failure.requestId } : {}),
    ...(failure.errorCode ? { plaidErrorCode: failure.errorCode } : {}),
  };
  if (failure.kind === 'timeout')
    return new LayerApiError('PLAID_TIMEOUT', 'Plaid did not answer in time; try again shortly.', details);
  if (failure.kind === 'network')
    return new LayerApiError('PLAID_UNREACHABLE', 'Plaid could not be reached; try again shortly.', details);
  const status = failure.status ?? 500;
  if (status === 429 || failure.errorType === 'RATE_LIMIT_EXCEEDED')
    return new LayerApiError('PLAID_RATE_LIMITED', 'Plaid is rate limiting this service; try again later.', {
      ...details,
      retryAfter: failure.retryAfter ?? PLAID_RATE_LIMIT_RETRY_AFTER,
    });
  if (failure.errorCode === 'INVALID_PUBLIC_TOKEN')
    return new LayerApiError(
      'INVALID_PUBLIC_TOKEN',
      'The public token is invalid or expired: start a new Link session.',
      details,
    );
  if (status === 503)
    return new LayerApiError(
      'PLAID_UNAVAILABLE',
      'Plaid is temporarily unavailable; try again later.',
      details,
    );
  if (status >= 500) return new LayerApiError('PLAID_ERROR', 'Plaid failed to handle the request.', details);
  return new LayerApiError(
    'PLAID_REQUEST_REJECTED',
    `Plaid rejected the request${failure.errorCode ? ` (${failure.errorCode})` : ''}; check the server's Plaid configuration.`,
    details,
  );
}

/** A Plaid answer with status 2xx but not the shape we need. */
export function badPlaidResponse(what: string, requestId: unknown): LayerApiError {
  return new LayerApiError('PLAID_BAD_RESPONSE', `Plaid's answer had no ${what}.`, {
    ...(typeof requestId === 'string' ? { plaidRequestId: requestId } : {}),
  });
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
