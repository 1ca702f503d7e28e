// One visitor's way through Plaid Layer: the Link token, the Link handler, the submits, Link's
// callbacks and the timers — plain TypeScript with no rendering, so it can be tested on its own.
// The element renders `state` and forwards the user's actions here.
import {
  LAYER_ELIGIBILITY_EVENTS,
  type LinkTokenResponse,
  type PlaidGlobal,
  type PlaidHandler,
  type PlaidLinkError,
  type PlaidLinkOnEventMetadata,
  type PlaidLinkOnExitMetadata,
  type PlaidLinkOnSuccessMetadata,
  type PlaidSubmitData,
} from '../contract/index.js';
import { ApiRequestError, fetchLinkToken, fetchSession } from './api-client.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';
import type { EligibleVia, FallbackReason, LayerEmit, LayerErrorDetail } from './events.js';
import {
  loadPlaidLink,
  safeEventMetadata,
  safeExitMetadata,
  safeLinkError,
  type LooseMetadata,
} from './plaid-link.js';
import { ScriptLoadError } from './script-loader.js';
import { canTransition, TERMINAL_STATES, type LayerState } from './states.js';

export const DEFAULT_ELIGIBILITY_TIMEOUT = 10_000;

/**
 * Longest wait for `POST {api}/session`. The backend gives each Plaid call 10 s; past this a
 * stalled request (a dead proxy, a dropped connection) would leave "Getting your details…" up for
 * good, so it becomes a `layer-error` the page can act on.
 */
export const EXCHANGE_TIMEOUT = 30_000;

/** Refresh a Link token this long before it expires (at most a tenth of its lifetime). */
const REFRESH_MARGIN = 5 * 60_000;

/** setTimeout's longest delay; a 4-hour token is far below it. */
const MAX_DELAY = 2 ** 31 - 1;

const STORAGE_PREFIX = 'layer-onboarding:link-token:';

/** Link's real-time answers to a submit: any of them shows the handler's token works. */
const ELIGIBILITY_EVENTS: readonly string[] = LAYER_ELIGIBILITY_EVENTS;

/** The session's timers: eligibility and exchange timeouts, token refresh, retired-handler clean-up. */
type TimerName = 'eligibility' | 'exchange' | 'refresh' | 'retire';

/** What the session reads from its host each time it needs it — the element's properties. */
export interface LinkSessionConfig {
  readonly api: string;
  readonly linkScriptSrc: string;
  readonly nonce?: string;
  readonly noAutofill: boolean;
  /** Milliseconds to wait for Link's eligibility answer after a submit. */
  readonly eligibilityTimeout: number;
}

export interface LinkSessionOptions {
  emit: LayerEmit;
  clock?: Clock;
  /** Keeps the Link token across an OAuth redirect; the page's sessionStorage by default. */
  storage?: () => Storage | null;
  /** The page URL, read on start to notice an OAuth return (`oauth_state_id`). */
  location?: () => string;
  /** Loads Link's script once per page and returns `window.Plaid`. */
  loadPlaid?: (src: string, nonce?: string) => Promise<PlaidGlobal>;
}

/** One Link handler and what we know about it. */
interface Attempt {
  handler: PlaidHandler | null;
  /** Link called `onLoad`: `submit()` is safe now (earlier ones were seen to be dropped). */
  loaded: boolean;
  /** Link's UI is showing: tear-down must `exit()` it. */
  open: boolean;
  destroyed: boolean;
  linkSessionId: string | null;
}

interface Preparation {
  token?: LinkTokenResponse;
  receivedRedirectUri?: string;
}

/**
 * Drives Plaid Link for Layer and reports every step through `emit`. All transitions go through
 * `moveTo()`, which only takes those listed in `TRANSITIONS`: a callback that arrives late or out
 * of order, or from a handler that was already replaced, changes nothing.
 */
export class LinkSession {
  private readonly config: LinkSessionConfig;
  private readonly emit: LayerEmit;
  private readonly clock: Clock;
  private readonly storage: () => Storage | null;
  private readonly location: () => string;
  private readonly loadPlaid: (src: string, nonce?: string) => Promise<PlaidGlobal>;

  private currentState: LayerState = 'idle';
  private currentStep: EligibleVia = 'phone';
  /** The handler in charge; older ones are retired and destroyed. */
  private attempt: Attempt | null = null;
  /** Ended or replaced handlers, kept one macrotask so Link's late events still get through. */
  private retired: Attempt[] = [];
  /** What to `submit()` as soon as the handler has loaded. */
  private pending: PlaidSubmitData | null = null;
  /** OAuth return: open Link as soon as the re-created handler has loaded. */
  private openOnLoad = false;
  private abort: AbortController | null = null;
  private timers = new Map<TimerName, number>();
  /** The numbers this visitor gave, replayed after an invalid-token recovery. */
  private phone: string | null = null;
  private dateOfBirth: string | null = null;
  /**
   * `INVALID_LINK_TOKEN` is recovered from once in a row: set by a recovery, cleared once a
   * handler's token has proved good (an eligibility answer) or the visitor starts over, so a
   * token that expires hours later is recovered from again, but a rejected replacement is not.
   */
  private recovered = false;
  /** The session handle of the current Link token: it goes back with `/session`. */
  private sessionHandle: string | null = null;

  constructor(config: LinkSessionConfig, options: LinkSessionOptions) {
    this.config = config;
    this.emit = options.emit;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.storage = options.storage ?? pageSessionStorage;
    this.location = options.location ?? (() => globalThis.location?.href ?? '');
    this.loadPlaid = options.loadPlaid ?? loadPlaidLink;
  }

  get state(): LayerState {
    return this.currentState;
  }

  /** Which submit the session is on: the phone number, or the date of birth after it. */
  get step(): EligibleVia {
    return this.currentStep;
  }

  /**
   * Fetches a Link token and loads Link's script in parallel, and creates the handler as soon as
   * both are in. Resumes Link with the stored token when the page is an OAuth return.
   */
  start(): void {
    if (this.currentState !== 'idle') return;
    const oauth = this.takeOAuthReturn();
    this.moveTo('loading');
    this.openOnLoad = oauth !== null;
    this.prepare(oauth ?? {});
  }

  /**
   * Whether the page is an OAuth return that `start()` resumes: the visitor is mid-flow, so even
   * `preload="intent"` must not wait for a focus.
   */
  get resumesOAuth(): boolean {
    return Boolean(this.readOAuthReturn());
  }

  /** Submits an E.164 phone number, now or once the handler has loaded. */
  submitPhone(phoneNumber: string): boolean {
    const from = this.currentState;
    if (from !== 'idle' && from !== 'loading' && from !== 'ready') return false;
    this.phone = phoneNumber;
    this.dateOfBirth = null;
    this.currentStep = 'phone';
    this.moveTo('checking');
    if (from === 'idle') this.prepare({});
    this.submit({ phone_number: phoneNumber });
    return true;
  }

  /** Submits an ISO date of birth on the same handler after `LAYER_NOT_AVAILABLE`. */
  submitDateOfBirth(isoDate: string): boolean {
    if (this.currentState !== 'dob') return false;
    this.dateOfBirth = isoDate;
    this.currentStep = 'date_of_birth';
    this.moveTo('checking');
    this.submit({ date_of_birth: isoDate });
    return true;
  }

  /** The visitor would rather fill in the partner's form than give a date of birth. */
  skip(): void {
    if (this.currentState === 'dob') this.fallBack('exit');
  }

  /** Removal from the page: exits and destroys Link, cancels requests and timers. */
  stop(): void {
    this.teardown();
    if (!TERMINAL_STATES.includes(this.currentState)) this.moveTo('idle');
  }

  /** Back to `idle` from any state, forgetting this visitor's attempt. */
  reset(): void {
    this.teardown();
    this.phone = null;
    this.dateOfBirth = null;
    this.currentStep = 'phone';
    this.recovered = false;
    this.forgetToken();
    this.moveTo('idle');
  }

  // ── transitions ──────────────────────────────────────────────────────────────────────────

  private moveTo(to: LayerState): boolean {
    const previous = this.currentState;
    if (!canTransition(previous, to)) return false;
    this.currentState = to;
    if (previous === 'checking') this.clearTimer('eligibility');
    this.emit('layer-state-change', { state: to, previous });
    return true;
  }

  private fallBack(reason: FallbackReason): void {
    if (!this.moveTo('fallback')) return;
    this.end();
    this.emit('layer-fallback', { reason });
  }

  private fail(detail: LayerErrorDetail): void {
    if (!this.moveTo('error')) return;
    this.end();
    this.emit('layer-error', detail);
    this.emit('layer-fallback', { reason: 'error' });
  }

  // ── the handler ──────────────────────────────────────────────────────────────────────────

  /** Token ∥ script, then a new handler; the one before it is retired. */
  private prepare({ token, receivedRedirectUri }: Preparation): void {
    if (this.attempt) this.retire(this.attempt);
    const attempt: Attempt = {
      handler: null,
      loaded: false,
      open: false,
      destroyed: false,
      linkSessionId: null,
    };
    this.attempt = attempt;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    const { api, linkScriptSrc, nonce } = this.config;

    Promise.all([
      this.loadPlaid(linkScriptSrc, nonce || undefined),
      token ?? fetchLinkToken(api, this.sessionHandle, abort.signal),
    ])
      .then(([plaid, linkToken]) => {
        if (attempt === this.attempt) this.create(attempt, plaid, linkToken, receivedRedirectUri);
      })
      .catch((error: unknown) => {
        if (attempt !== this.attempt || abort.signal.aborted) return;
        if (error instanceof ScriptLoadError)
          this.fail({ code: 'SCRIPT_LOAD_FAILED', message: error.message });
        else if (error instanceof ApiRequestError) this.fail(apiErrorDetail(error));
        else this.fail({ code: 'UNEXPECTED_ERROR', message: String(error) });
      });
  }

  private create(
    attempt: Attempt,
    plaid: PlaidGlobal,
    token: LinkTokenResponse,
    receivedRedirectUri?: string,
  ): void {
    this.storeToken(token);
    this.sessionHandle = token.session_handle;
    this.scheduleRefresh(token);
    const current = () => attempt === this.attempt;
    try {
      attempt.handler = plaid.create({
        token: token.link_token,
        ...(receivedRedirectUri ? { receivedRedirectUri } : {}),
        onLoad: () => {
          attempt.loaded = true;
          if (current()) this.flush(attempt);
        },
        onEvent: (eventName, metadata) => this.handleEvent(attempt, eventName, metadata),
        onSuccess: (publicToken, metadata) => {
          if (current()) this.handleSuccess(attempt, publicToken, metadata);
        },
        onExit: (error, metadata) => {
          attempt.open = false;
          if (current()) this.handleExit(attempt, error, metadata);
        },
      });
    } catch (error) {
      this.fail({ code: 'LINK_CREATE_FAILED', message: String(error) });
      return;
    }
    // onLoad may have run inside create(), before `handler` was set.
    if (current()) this.flush(attempt);
  }

  /** Does what waited for the handler to load: open Link after OAuth, or submit. */
  private flush(attempt: Attempt): void {
    const handler = attempt.handler;
    if (!handler || !attempt.loaded) return;
    if (this.openOnLoad) {
      this.openOnLoad = false;
      if (this.moveTo('open')) {
        attempt.open = true;
        handler.open();
      }
      return;
    }
    if (this.currentState === 'loading') this.moveTo('ready');
    const data = this.pending;
    if (data && attempt === this.attempt) {
      this.pending = null;
      handler.submit(data);
    }
  }

  private submit(data: PlaidSubmitData): void {
    const timeout = this.config.eligibilityTimeout;
    this.setTimer('eligibility', Number.isFinite(timeout) ? timeout : DEFAULT_ELIGIBILITY_TIMEOUT, () => {
      if (this.currentState === 'checking') this.fallBack('timeout');
    });
    this.pending = data;
    if (this.attempt) this.flush(this.attempt);
  }

  /** A handler that is done or replaced: destroyed after one macrotask, so late events still arrive. */
  private retire(attempt: Attempt): void {
    this.retired.push(attempt);
    if (!this.timers.has('retire')) this.setTimer('retire', 0, () => this.destroyRetired());
  }

  private destroyRetired(): void {
    for (const attempt of this.retired.splice(0)) destroy(attempt);
  }

  // ── Link's callbacks ─────────────────────────────────────────────────────────────────────

  private handleEvent(
    attempt: Attempt,
    eventName: string,
    metadata: LooseMetadata<PlaidLinkOnEventMetadata>,
  ): void {
    if (attempt.destroyed) return;
    if (typeof metadata?.link_session_id === 'string') attempt.linkSessionId = metadata.link_session_id;
    this.emit('layer-event', { eventName: String(eventName), metadata: safeEventMetadata(metadata) });
    // Only the real-time eligibility answers drive the flow, and only for the handler in charge.
    if (attempt !== this.attempt || this.currentState !== 'checking') return;
    if (ELIGIBILITY_EVENTS.includes(eventName)) this.recovered = false;
    if (eventName === 'LAYER_READY') this.handleReady(attempt);
    else if (eventName === 'LAYER_NOT_AVAILABLE') this.handleNotAvailable();
    else if (eventName === 'LAYER_AUTOFILL_NOT_AVAILABLE') this.fallBack('autofill_not_available');
  }

  private handleReady(attempt: Attempt): void {
    const handler = attempt.handler;
    if (!handler) return;
    // Open first: Layer's speed comes from opening the moment eligibility is known.
    attempt.open = true;
    handler.open();
    this.moveTo('open');
    this.emit('layer-eligible', { via: this.currentStep });
  }

  private handleNotAvailable(): void {
    if (this.currentStep === 'date_of_birth') return this.fallBack('autofill_not_available');
    if (this.config.noAutofill) return this.fallBack('not_eligible');
    if (this.dateOfBirth) {
      // Replaying a flow after an invalid token: the visitor already gave their date of birth.
      this.currentStep = 'date_of_birth';
      return this.submit({ date_of_birth: this.dateOfBirth });
    }
    this.moveTo('dob');
  }

  private handleSuccess(
    attempt: Attempt,
    publicToken: string,
    metadata: LooseMetadata<PlaidLinkOnSuccessMetadata>,
  ): void {
    // A second onSuccess finds the state already `finishing` (or past it): one exchange only.
    if (!this.moveTo('finishing')) return;
    attempt.open = false;
    const linkSessionId =
      (typeof metadata?.link_session_id === 'string' ? metadata.link_session_id : null) ??
      attempt.linkSessionId;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.setTimer('exchange', EXCHANGE_TIMEOUT, () => {
      if (attempt !== this.attempt || this.currentState !== 'finishing') return;
      abort.abort();
      this.fail({
        code: 'TIMEOUT',
        message: `POST ${this.config.api}/session did not answer within ${EXCHANGE_TIMEOUT / 1000} s`,
        ...(linkSessionId ? { linkSessionId } : {}),
      });
    });
    fetchSession(this.config.api, publicToken, this.sessionHandle ?? '', abort.signal).then(
      ({ profile, items, token }) => {
        if (attempt !== this.attempt || !this.moveTo('complete')) return;
        this.end();
        this.emit('layer-success', { profile, items, token, linkSessionId });
      },
      (error: unknown) => {
        if (attempt !== this.attempt || abort.signal.aborted) return;
        const detail =
          error instanceof ApiRequestError
            ? apiErrorDetail(error)
            : { code: 'UNEXPECTED_ERROR', message: String(error) };
        this.fail({ ...detail, ...(linkSessionId ? { linkSessionId } : {}) });
      },
    );
  }

  private handleExit(
    attempt: Attempt,
    rawError: LooseMetadata<PlaidLinkError> | null,
    rawMetadata: LooseMetadata<PlaidLinkOnExitMetadata>,
  ): void {
    if (this.currentState === 'finishing' || TERMINAL_STATES.includes(this.currentState)) return;
    const error = safeLinkError(rawError);
    const metadata = safeExitMetadata(rawMetadata);
    if (error?.error_code === 'INVALID_LINK_TOKEN' && !this.recovered) {
      // Expired or used token (LAYER.md §4.6): new token, new handler, and the same submit again.
      this.recovered = true;
      return this.recover();
    }
    this.emit('layer-exit', { error, metadata });
    if (attempt !== this.attempt) return; // a listener reset the element
    if (!error) return this.restart();
    if (error.error_code === 'PROFILE_AUTHENTICATION_FAILED') return this.fallBack('authentication_failed');
    this.fail({
      code: error.error_code,
      message: error.error_message,
      ...(metadata.request_id ? { requestId: metadata.request_id } : {}),
      ...((metadata.link_session_id ?? attempt.linkSessionId)
        ? { linkSessionId: (metadata.link_session_id ?? attempt.linkSessionId)! }
        : {}),
    });
  }

  /** After a user exit: back to the phone step with a fresh token and handler. */
  private restart(): void {
    this.recovered = false;
    this.dateOfBirth = null;
    this.currentStep = 'phone';
    this.moveTo('loading');
    this.prepare({});
  }

  private recover(): void {
    const replay = this.phone !== null && ['checking', 'dob', 'open'].includes(this.currentState);
    this.prepare({});
    if (replay && this.phone) {
      this.currentStep = 'phone';
      this.moveTo('checking');
      this.submit({ phone_number: this.phone });
    } else {
      this.moveTo('loading');
    }
  }

  // ── token lifetime ───────────────────────────────────────────────────────────────────────

  private scheduleRefresh(token: LinkTokenResponse): void {
    const lifetime = Date.parse(token.expiration) - this.clock.now();
    // No usable expiry (or a clock far off the server's): Link's INVALID_LINK_TOKEN is the backstop.
    if (!(lifetime > 0)) return;
    const delay = Math.min(lifetime - Math.min(REFRESH_MARGIN, lifetime / 10), MAX_DELAY);
    this.setTimer('refresh', delay, () => {
      // Swap the handler only while nobody uses it; later, INVALID_LINK_TOKEN recovery takes over.
      if (this.currentState === 'loading' || this.currentState === 'ready') this.prepare({});
    });
  }

  private storeToken(token: LinkTokenResponse): void {
    try {
      this.storage()?.setItem(this.storageKey(), JSON.stringify(token));
    } catch {
      // Storage full or blocked: only an OAuth return needs it, and that then starts over.
    }
  }

  private takeOAuthReturn(): Preparation | null {
    const oauth = this.readOAuthReturn();
    if (oauth !== undefined) this.forgetToken(); // a reload of the return URL must not resume twice
    return oauth ?? null;
  }

  /** `undefined` when the page is no OAuth return; `null` when it is one with no usable token. */
  private readOAuthReturn(): Preparation | null | undefined {
    let url: URL;
    try {
      url = new URL(this.location());
    } catch {
      return undefined;
    }
    if (!url.searchParams.has('oauth_state_id')) return undefined;
    let token: LinkTokenResponse | null = null;
    try {
      token = JSON.parse(this.storage()?.getItem(this.storageKey()) ?? 'null') as LinkTokenResponse | null;
    } catch {
      return null;
    }
    if (!token?.link_token || Date.parse(token.expiration) <= this.clock.now()) return null;
    return { token, receivedRedirectUri: url.href };
  }

  private forgetToken(): void {
    try {
      this.storage()?.removeItem(this.storageKey());
    } catch {
      // nothing stored
    }
  }

  private storageKey(): string {
    return STORAGE_PREFIX + this.config.api;
  }

  // ── tear-down ────────────────────────────────────────────────────────────────────────────

  /** The flow reached an outcome: nothing more to wait for. */
  private end(): void {
    this.abort = null;
    this.stopWaiting();
    if (this.attempt) this.retire(this.attempt);
    this.attempt = null;
    this.forgetToken();
  }

  /** Drops what the flow was waiting for: a queued submit or open, and its timers. */
  private stopWaiting(): void {
    this.pending = null;
    this.openOnLoad = false;
    this.clearTimer('eligibility');
    this.clearTimer('exchange');
    this.clearTimer('refresh');
  }

  /** Stops everything at once: requests, timers, every handler. */
  private teardown(): void {
    this.abort?.abort();
    this.abort = null;
    this.stopWaiting();
    this.clearTimer('retire');
    if (this.attempt) this.retired.push(this.attempt);
    this.attempt = null;
    this.destroyRetired();
  }

  private setTimer(name: TimerName, ms: number, callback: () => void): void {
    this.clearTimer(name);
    const id = this.clock.setTimeout(() => {
      this.timers.delete(name);
      callback();
    }, ms);
    this.timers.set(name, id);
  }

  private clearTimer(name: TimerName): void {
    const id = this.timers.get(name);
    if (id === undefined) return;
    this.clock.clearTimeout(id);
    this.timers.delete(name);
  }
}

function destroy(attempt: Attempt): void {
  if (attempt.destroyed) return;
  attempt.destroyed = true;
  const handler = attempt.handler;
  attempt.handler = null;
  if (!handler) return;
  // Real Link warns when exit() is called while it is closed (react-plaid-link #110).
  if (attempt.open) handler.exit({ force: true });
  attempt.open = false;
  handler.destroy();
}

function apiErrorDetail(error: ApiRequestError): LayerErrorDetail {
  return {
    code: error.code,
    message: error.message,
    ...(error.requestId ? { requestId: error.requestId } : {}),
  };
}

function pageSessionStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // blocked storage (sandboxed frames, some privacy modes) throws on access
  }
}
