/**
 * Every Plaid call goes through {@link callPlaid}: a timeout on each attempt, bounded retries with
 * backoff where the caller allows them (and only while the call's deadline leaves time), and
 * Plaid's failures mapped to our error shape. The client's thrown error is never logged, stored or
 * attached to what we throw: its `config.headers` carries the Plaid secret (plaid-node README).
 *
 * Each call also sets, whatever client the integrator passed: no redirects (a Plaid — or a proxy —
 * answering 3xx to another host must not receive PLAID-CLIENT-ID and PLAID-SECRET, which axios's
 * redirect-following would send along), and a size limit on Plaid's answer, so a broken or hostile
 * upstream cannot make us buffer megabytes.
 */
import type { PlaidApi } from 'plaid';

import { LayerApiError } from './errors.js';

export const PLAID_ENVIRONMENTS = ['sandbox', 'production'] as const;
export type PlaidEnvironment = (typeof PLAID_ENVIRONMENTS)[number];

/** Largest Plaid answer (and request) we accept, in bytes; Plaid's Layer answers are a few KB. */
export const MAX_PLAID_BODY_BYTES = 1024 * 1024;
/** The most `Retry-After` we pass on to the browser, in seconds, whatever Plaid asks for. */
export const MAX_RETRY_AFTER_SECONDS = 300;

/** Axios options every Plaid request carries (see the module comment). */
export const SAFE_TRANSPORT = {
  maxRedirects: 0,
  maxContentLength: MAX_PLAID_BODY_BYTES,
  maxBodyLength: MAX_PLAID_BODY_BYTES,
} as const;

/** Plaid's hosts, as the `plaid` package's `PlaidEnvironments` has them (test/server/plaid-client.test.ts). */
export const PLAID_HOSTS: Readonly<Record<PlaidEnvironment, string>> = {
  sandbox: 'https://sandbox.plaid.com',
  production: 'https://production.plaid.com',
};

export interface PlaidCredentials {
  clientId: string;
  secret: string;
  /** Which Plaid host to use; `sandbox` by default. */
  env?: PlaidEnvironment | undefined;
  /** Overrides the host chosen by `env`, e.g. an emulator's URL. */
  basePath?: string | undefined;
}

/**
 * The `PlaidApi` methods the API calls: a `PlaidApi`, or {@link lazyPlaidClient}'s stand-in, whose
 * `ready` settles once its `PlaidApi` is made; {@link callPlaid} waits for it before any timer starts.
 */
export type PlaidCalls = Pick<
  PlaidApi,
  'sessionTokenCreate' | 'userAccountSessionGet' | 'webhookVerificationKeyGet'
> & { ready?: () => Promise<unknown> };

/** What ./plaid-api.ts exports: lazyPlaidClient's module to load (a stand-in in tests). */
export interface PlaidApiModule {
  createPlaidClient(credentials: PlaidCredentials): PlaidCalls;
}

/**
 * The `plaid` client for `credentials`. Importing `plaid` (its api.js is 9.7 MB) costs 0.7 s or
 * more, much more on a cold serverless instance or a slow disk, which need not delay a server's
 * start: the import starts here, when the API is created, without waiting for it, and the first
 * Plaid call waits for it (`ready`) before its timeout and deadline start, so a slow load is never
 * taken for a slow Plaid. Every call still goes through a real `PlaidApi` (./plaid-api.ts's
 * {@link createPlaidClient}).
 */
export function lazyPlaidClient(
  credentials: PlaidCredentials,
  loadModule: () => Promise<PlaidApiModule> = () => import('./plaid-api.js'),
): PlaidCalls & { basePath: string } {
  const client = loadModule().then(({ createPlaidClient }) => createPlaidClient(credentials));
  // A failed import is reported by each call (PLAID_UNREACHABLE), not as an unhandled rejection.
  client.catch(() => undefined);
  return {
    // Where it calls, like a PlaidApi's own `basePath` (see plaidEnvironmentOf).
    basePath: credentials.basePath ?? PLAID_HOSTS[credentials.env ?? 'sandbox'],
    ready: () => client,
    sessionTokenCreate: async (request, options) => (await client).sessionTokenCreate(request, options),
    userAccountSessionGet: async (request, options) => (await client).userAccountSessionGet(request, options),
    webhookVerificationKeyGet: async (request, options) =>
      (await client).webhookVerificationKeyGet(request, options),
  };
}

/**
 * The Plaid environment a client talks to, when its host says so (Plaid's own sandbox or
 * production host); undefined for any other host (an emulator, a proxy).
 */
export function plaidEnvironmentOf(plaid: object): PlaidEnvironment | undefined {
  const { basePath } = plaid as { basePath?: unknown };
  if (typeof basePath !== 'string') return undefined;
  const origin = basePath.replace(/\/+$/, '');
  return PLAID_ENVIRONMENTS.find((env) => PLAID_HOSTS[env] === origin);
}

/** The per-call options every `PlaidApi` method accepts (axios request config). */
export interface PlaidRequestOptions {
  signal: AbortSignal;
  timeout: number;
  maxRedirects: 0;
  maxContentLength: number;
  maxBodyLength: number;
}

export interface CallPlaidOptions {
  /**
   * Settles when the client can call (a {@link PlaidCalls}'s `ready`): waited for before the
   * timeout and deadline start. A rejection is a PLAID_UNREACHABLE.
   */
  ready?: (() => Promise<unknown>) | undefined;
  /** Per attempt. */
  timeoutMs: number;
  /** Extra attempts after a transient failure (timeout, network error, Plaid 5xx). 0: never retry. */
  retries?: number;
  /** Backoff before retry n (1-based) is `retryDelayMs * 2^(n-1)`, capped at `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /**
   * The whole call's time budget in ms, attempts and backoff included: an attempt gets at most what
   * is left, and no retry starts once the budget is spent. None by default.
   */
  deadlineMs?: number;
  /** How to wait between attempts; a timer by default. */
  sleep?: (ms: number) => Promise<void>;
  /** Monotonic milliseconds, for the deadline; `performance.now` by default. */
  clock?: () => number;
}

interface PlaidResponseLike<T> {
  data: T;
}

/** Plaid's answer when a call failed, reduced to what we may keep. */
interface PlaidFailure {
  /**
   * `timeout` / `network`: no complete answer (also a connection cut mid-body); `redirect`: a 3xx,
   * never followed; `too-large`: an answer over {@link MAX_PLAID_BODY_BYTES}; `response`: Plaid
   * answered an error status.
   */
  kind: 'timeout' | 'network' | 'redirect' | 'too-large' | 'response';
  status?: number;
  /** Why there was no answer, for the log line: a socket or TLS error code (`ENOTFOUND`…). */
  cause?: string;
  errorType?: string;
  errorCode?: string;
  requestId?: string;
  retryAfter?: number;
}

/** Default `Retry-After` (seconds) when Plaid rate-limits us without saying for how long. */
const PLAID_RATE_LIMIT_RETRY_AFTER = 30;
/** An attempt with less time than this left before the deadline is not started. */
const MIN_ATTEMPT_MS = 50;

export async function callPlaid<T>(
  call: (options: PlaidRequestOptions) => Promise<PlaidResponseLike<T>>,
  {
    ready,
    timeoutMs,
    retries = 0,
    retryDelayMs = 250,
    maxRetryDelayMs = 2000,
    deadlineMs,
    sleep = wait,
    clock = () => performance.now(),
  }: CallPlaidOptions,
): Promise<T> {
  if (ready) await ready().catch((error: unknown) => Promise.reject(toApiError(describeFailure(error))));
  const deadline = deadlineMs === undefined ? Infinity : clock() + deadlineMs;
  for (let attempt = 0; ; attempt++) {
    const result = await attemptOnce(call, Math.max(1, Math.min(timeoutMs, deadline - clock())));
    if (result.ok) return result.data;
    const { failure } = result;
    const transient =
      failure.kind === 'timeout' ||
      failure.kind === 'network' ||
      (failure.kind === 'response' && (failure.status ?? 0) >= 500);
    const backoff = Math.min(maxRetryDelayMs, retryDelayMs * 2 ** attempt);
    if (!transient || attempt >= retries || clock() + backoff + MIN_ATTEMPT_MS > deadline)
      throw toApiError(failure);
    await sleep(backoff);
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
      call({ signal: controller.signal, timeout: timeoutMs, ...SAFE_TRANSPORT }).then(
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

/** Socket-level failures: the connection broke, whatever status line came before. */
const TRANSPORT_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/**
 * Reads only the status, Plaid's error fields and Retry-After from the client's error. Axios
 * attaches a `response` also when the connection broke *after* the status line (the body was cut
 * off): that is a network failure, not Plaid refusing the request.
 */
function describeFailure(error: unknown): PlaidFailure {
  const { code, message, response } = (error ?? {}) as {
    code?: unknown;
    message?: unknown;
    response?: { status?: unknown; data?: unknown; headers?: unknown };
  };
  if (typeof message === 'string' && message.includes('maxContentLength')) return { kind: 'too-large' };
  const status = typeof response?.status === 'number' ? response.status : undefined;
  const midAnswer = message === 'stream has been aborted';
  const cutOff = (typeof code === 'string' && TRANSPORT_ERROR_CODES.has(code)) || midAnswer;
  if (status === undefined || status < 300 || cutOff) {
    const kind = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? 'timeout' : 'network';
    const cause = midAnswer ? 'connection cut mid-answer' : errorCodeOf(error);
    return cause ? { kind, cause } : { kind };
  }
  if (status < 400) return { kind: 'redirect', status };
  // A proxy or load balancer on the way gave up waiting (Plaid itself never answers 408): passing.
  if (status === 408) return { kind: 'timeout', status };
  const data = (typeof response?.data === 'object' && response.data ? response.data : {}) as Record<
    string,
    unknown
  >;
  const failure: PlaidFailure = { kind: 'response', status };
  if (typeof data.error_type === 'string') failure.errorType = data.error_type;
  if (typeof data.error_code === 'string') failure.errorCode = data.error_code;
  if (typeof data.request_id === 'string') failure.requestId = data.request_id;
  const retryAfter = parseRetryAfter(readHeader(response?.headers, 'retry-after'));
  if (retryAfter !== undefined) failure.retryAfter = retryAfter;
  return failure;
}

/**
 * The error's own code (`ENOTFOUND`, `ECONNRESET`, `CERT_HAS_EXPIRED`…), or its cause's (fetch's
 * `TypeError: fetch failed` keeps it there). Only a code: the message may name the host or more.
 */
function errorCodeOf(error: unknown): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  for (const candidate of [code, cause?.code])
    if (typeof candidate === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(candidate)) return candidate;
  return undefined;
}

/**
 * `Retry-After` in whole seconds (delta-seconds or an HTTP date), at least 1 and at most
 * {@link MAX_RETRY_AFTER_SECONDS}: it reaches the visitor's browser, and an upstream asking for a
 * day must not park the widget for a day.
 */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.ceil((date - Date.now()) / 1000);
  }
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.min(MAX_RETRY_AFTER_SECONDS, seconds);
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
  switch (failure.kind) {
    case 'timeout':
      return new LayerApiError('PLAID_TIMEOUT', 'Plaid did not answer in time; try again shortly.', {
        ...details,
        ...(failure.status
          ? { log: { upstream: `answered ${failure.status}` } }
          : failure.cause
            ? { log: { cause: failure.cause } }
            : {}),
      });
    case 'network':
      return new LayerApiError(
        'PLAID_UNREACHABLE',
        'Plaid could not be reached, or the connection broke; try again shortly.',
        { ...details, ...(failure.cause ? { log: { cause: failure.cause } } : {}) },
      );
    case 'redirect':
      return new LayerApiError(
        'PLAID_BAD_RESPONSE',
        `Plaid answered with a redirect (${failure.status}), which is never followed: it would carry the Plaid secret elsewhere.`,
        {
          ...details,
          log: {
            upstream: `redirect ${failure.status}`,
            hint: 'point plaid.basePath (or the PlaidApi basePath) at the final Plaid URL; redirects are not followed',
          },
        },
      );
    case 'too-large':
      return new LayerApiError(
        'PLAID_BAD_RESPONSE',
        `Plaid's answer was larger than ${MAX_PLAID_BODY_BYTES} bytes.`,
        { ...details, log: { upstream: `answer over ${MAX_PLAID_BODY_BYTES} bytes` } },
      );
    case 'response':
      break;
  }
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
  // Plaid sends PLANNED_MAINTENANCE with 503 (LAYER.md §3.2), but a proxy on the way may pass it
  // on as another 5xx: the code says it is an outage whatever the status.
  if (status === 503 || failure.errorCode === 'PLANNED_MAINTENANCE')
    return new LayerApiError('PLAID_UNAVAILABLE', 'Plaid is temporarily unavailable; try again later.', {
      ...details,
      ...(failure.retryAfter !== undefined ? { retryAfter: failure.retryAfter } : {}),
    });
  if (status >= 500) return new LayerApiError('PLAID_ERROR', 'Plaid failed to handle the request.', details);
  // The browser gets no more than that the server's setup is wrong; the log line says how.
  return new LayerApiError(
    'PLAID_REQUEST_REJECTED',
    "Plaid refused this server's request; the server's log says which setting to fix.",
    { ...details, log: { hint: rejectionHint(failure.errorCode) } },
  );
}

/** What the operator should check when Plaid refuses a request (a 4xx other than the above). */
function rejectionHint(code: string | undefined): string {
  if (code === undefined)
    return 'the refusal was not a Plaid error object: a proxy or firewall on the way, or a wrong plaid.basePath';
  if (code === 'INVALID_API_KEYS' || code === 'INVALID_CLIENT_ID')
    return 'check plaid.clientId and plaid.secret (PLAID_CLIENT_ID, PLAID_SECRET), and that plaid.env (PLAID_ENV) is the environment they are for';
  if (code === 'INVALID_PRODUCT' || code === 'PRODUCTS_NOT_SUPPORTED' || code === 'UNAUTHORIZED_ROUTE_ACCESS')
    return 'Layer is not enabled for this client id in this environment: ask Plaid to enable it';
  return 'plaid_error names what Plaid refused: check templateId (LAYER_TEMPLATE_ID), webhookUrl and redirectUri against the Plaid Dashboard';
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
