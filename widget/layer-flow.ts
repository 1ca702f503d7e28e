// One visitor's way through Plaid Layer, as a Lit reactive controller: the Link token, Link's
// handler, the submits, Link's callbacks, the session exchange and the timers. It renders nothing;
// its host renders `state` and forwards the visitor's actions here.

import {
  LAYER_ELIGIBILITY_EVENTS,
  type PlaidGlobal,
  type PlaidLinkError,
  type PlaidLinkOnEventMetadata,
  type PlaidLinkOnExitMetadata,
  type PlaidLinkOnSuccessMetadata,
  type PlaidSubmitData,
} from '../contract/index.js';
import { ApiRequestError, fetchLinkToken, fetchSession, type ReceivedLinkToken } from './api-client.js';
import type { ReactiveController, ReactiveControllerHost } from './element-base.js';
import { DEV } from './dev.js';
import { warnOnce } from './diagnostics.js';
import { pageProblems, unsupportedEnvironment } from './environment.js';
import { errorKind } from './errors.js';
import {
  createLayerEvent,
  type FallbackReason,
  type LayerErrorDetail,
  type LayerEventDetails,
  type LayerEventName,
  type LayerSuccessDetail,
} from './events.js';
import { createLinkHandle, type LinkHandle } from './link-handle.js';
import { createLinkTokenStorage, type LinkTokenStorage, type OAuthReturn } from './link-token-storage.js';
import {
  loadPlaidLink,
  safeEventMetadata,
  safeExitMetadata,
  safeLinkError,
  stringOrNull,
  type LooseMetadata,
} from './plaid-link.js';
import { isLayerCountry } from './phone.js';
import { ScriptLoadError } from './script-loader.js';
import { canTransition, givenIn, STATES, type FlowState, type LayerState, type StateOf } from './states.js';
import { SYSTEM_CLOCK, Timers, type Clock } from './timers.js';

/** When the Link token and handler are prepared. */
export const PRELOAD_MODES = ['eager', 'intent'] as const;

export type PreloadMode = (typeof PRELOAD_MODES)[number];

export const DEFAULT_ELIGIBILITY_TIMEOUT = 10_000;

/**
 * Longest wait for `POST {api}/session`. The backend gives each Plaid call 10 s; past this a
 * stalled request (a dead proxy, a dropped connection) would leave "Getting your details…" up for
 * good, so it becomes a `layer-error` the page can act on.
 */
export const EXCHANGE_TIMEOUT = 30_000;
/**
 * Longest wait for a handler's Link token, Link's script and Link's `onLoad` together (the `load`
 * timer). The backend answers `/link-token` within 15 s (`linkTokenDeadlineMs`); past this a
 * stalled request or script (a proxy holding the connection, a dropped mobile connection, an `api`
 * that never answers) or a Link frame that never loads (a CSP without Plaid in `frame-src`) would
 * leave the element in `loading`, and the page without a `layer-error`, for good.
 */
export const LOAD_TIMEOUT = 25_000;
/**
 * How long a handler that is done or replaced still passes Link's late events on before it is
 * destroyed. Link runs in a cross-origin iframe and posts each event after `onSuccess`/`onExit` as
 * a message of its own, which a page under load can receive well after a zero-delay timer: with a
 * macrotask only, late events were lost.
 */
export const LATE_EVENTS_MS = 3_000;

/**
 * Refresh a Link token this long before it expires. One that comes with less than twice this left
 * is not refreshed (Link's INVALID_LINK_TOKEN is the backstop), so the widget never fetches tokens
 * in a loop.
 */
const REFRESH_MARGIN = 5 * 60_000;

const ELIGIBILITY_EVENTS: readonly string[] = LAYER_ELIGIBILITY_EVENTS;

const IDLE: FlowState = { name: 'idle' };

/** The flow's timers: load, eligibility and exchange timeouts, token refresh, retired-handler clean-up. */
type TimerName = 'load' | 'eligibility' | 'exchange' | 'refresh' | 'retire';

type Outcome = StateOf<'complete'> | StateOf<'fallback'> | StateOf<'error'>;

/** The element the flow runs in: its events are fired there, its settings read when needed. */
export interface LayerFlowHost extends ReactiveControllerHost, EventTarget {
  readonly isConnected: boolean;
  readonly api: string;
  readonly linkScriptSrc: string;
  /** CSP nonce for Link's script tag. */
  readonly nonce?: string;
  readonly preload: PreloadMode;
  readonly noAutofill: boolean;
  /** Milliseconds to wait for Link's eligibility answer after a submit. */
  readonly eligibilityTimeout: number;
  /** Run even in a webview or in-app browser, where Plaid does not support Layer. */
  readonly allowWebview: boolean;
}

export interface LayerFlowOptions {
  clock?: Clock;
  /** Keeps the Link token across an OAuth redirect; the page's sessionStorage by default. */
  storage?: () => Storage | null;
  /** The page URL, read to notice an OAuth return (`oauth_state_id`). */
  location?: () => string;
  /** Loads Link's script once per page and returns `window.Plaid`. */
  loadPlaid?: (src: string, nonce?: string) => Promise<PlaidGlobal>;
  /** The browser's user agent, read on each start; `navigator.userAgent` by default. */
  userAgent?: () => string;
  /**
   * Called on every change of state, before `layer-state-change` is fired, so the host can
   * reflect it (attribute, form value) for that event's listeners.
   */
  onTransition?: (state: FlowState, previous: FlowState) => void;
}

/**
 * Drives Plaid Link for Layer and fires every `layer-*` event on its host. Every change of state
 * goes through `moveTo()`, which takes only what the table in states.ts allows; Link's callbacks
 * check that they still apply (they arrive late, twice, or from a handler already replaced).
 */
export class LayerFlow implements ReactiveController {
  readonly #host: LayerFlowHost;
  readonly #clock: Clock;
  readonly #timers: Timers<TimerName>;
  readonly #tokens: LinkTokenStorage;
  readonly #loadPlaid: (src: string, nonce?: string) => Promise<PlaidGlobal>;
  readonly #userAgent: () => string;
  readonly #onTransition: (state: FlowState, previous: FlowState) => void;

  #current: FlowState = IDLE;
  /** The handler in charge. Replaced ones are retired: destroyed `LATE_EVENTS_MS` later. */
  #link: LinkHandle | null = null;
  readonly #retired = new Set<LinkHandle>();
  /** The visitor's last session handle: sent on the next `/link-token`, so they keep their identity. */
  #visitorHandle: string | null = null;
  /**
   * The backend and Link script of the handler in charge: what Link returns is exchanged with the
   * backend that issued its token, whatever `api` is by then.
   */
  #api?: string;
  #linkScriptSrc?: string;
  /** Aborted on disconnect: the listeners for the first focus or input. */
  #connection: AbortController | null = null;
  /** The OAuth return the last start took (its stored token is forgotten then). */
  #oauth: OAuthReturn | null = null;

  constructor(host: LayerFlowHost, options: LayerFlowOptions = {}) {
    this.#host = host;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#timers = new Timers(this.#clock);
    this.#tokens = createLinkTokenStorage({
      // A handler's token is kept (and forgotten) under the backend that issued it.
      api: () => (this.#link ? this.#api! : host.api),
      storage: options.storage,
      location: options.location,
      now: () => this.#clock.now(),
    });
    this.#loadPlaid = options.loadPlaid ?? loadPlaidLink;
    this.#userAgent = options.userAgent ?? (() => globalThis.navigator?.userAgent ?? '');
    this.#onTransition = options.onTransition ?? (() => {});
    host.addController(this);
  }

  get state(): FlowState {
    return this.#current;
  }

  hostConnected(): void {
    const connection = (this.#connection = new AbortController());
    // preload="intent": the first focus or keystroke starts the flow (a no-op once it runs).
    this.#host.addEventListener('focusin', this.#handleIntent, { signal: connection.signal });
    this.#host.addEventListener('input', this.#handleIntent, { signal: connection.signal });
    // A machine asleep runs no timers, nor does a page in the back/forward cache: when the visitor
    // is back (the tab shown again, also on a restore from that cache), the refresh is timed again
    // by the clock on the wall.
    document.addEventListener('visibilitychange', () => this.#scheduleRefresh(true), {
      signal: connection.signal,
    });
    // A microtask later, not inside connectedCallback: a framework that inserts the element (React)
    // has then finished mounting the component that listens for the first layer-state-change.
    queueMicrotask(() => {
      if (connection.signal.aborted || this.#current.name !== 'idle') return;
      if (DEV) for (const problem of pageProblems(globalThis)) warnOnce(problem, problem);
      this.#autoStart();
    });
  }

  /**
   * Lets go of everything a microtask later, unless the host is back on the page by then: a page
   * or framework that moves the element (out and in again at once) must not close Link under the
   * visitor or drop their number.
   */
  hostDisconnected(): void {
    this.#connection?.abort();
    this.#connection = null;
    queueMicrotask(() => {
      if (this.#host.isConnected) return;
      // Removed while an OAuth return waits for Link's script, before Link took the OAuth state (a
      // framework replacing the element): the token goes back for the element in its place.
      if ((this.#current as StateOf<'loading'>).resumeOAuth && !this.#link?.token)
        this.#tokens.save(this.#oauth!.token);
      this.#teardown({ grace: false });
      if (!STATES[this.#current.name].outcome) this.#moveTo(IDLE);
    });
  }

  /**
   * Fetches a Link token and loads Link's script in parallel, and creates the handler as soon as
   * both are in. Resumes Link with the stored token when the page is an OAuth return.
   */
  start(): void {
    if (this.#current.name !== 'idle') return;
    const oauth = (this.#oauth = this.#tokens.takeOAuthReturn());
    this.#moveTo({ name: 'loading', resumeOAuth: oauth !== null });
    this.#prepare({ oauth });
  }

  /**
   * Submits an E.164 phone number, now or once Link has loaded. Returns whether it was taken.
   * Layer serves `+1` numbers only (Link answers `LAYER_NOT_AVAILABLE` to any other), so another
   * country's number falls back with `not_eligible` at once, without a date-of-birth step.
   */
  submitPhone(phone: string): boolean {
    if (!this.#host.isConnected || STATES[this.#current.name].accepts !== 'phone') return false;
    this.#moveTo({ name: 'checking', step: 'phone', given: { phone, dateOfBirth: null } });
    if (!isLayerCountry(phone)) {
      this.#fallBack('not_eligible');
      return true;
    }
    if (!this.#link) this.#prepare();
    this.#submit({ phone_number: phone });
    return true;
  }

  /** Submits an ISO date of birth on the same handler after `LAYER_NOT_AVAILABLE`. */
  submitDateOfBirth(isoDate: string): boolean {
    const state = this.#current;
    if (state.name !== 'dob') return false;
    this.#moveTo({
      name: 'checking',
      step: 'date_of_birth',
      given: { ...state.given, dateOfBirth: isoDate },
    });
    this.#submit({ date_of_birth: isoDate });
    return true;
  }

  /** The visitor would rather fill in the partner's form than give a date of birth. */
  skip(): void {
    if (this.#current.name === 'dob') this.#fallBack('exit');
  }

  /** Back to `idle` from any state, forgetting this visitor's attempt; then prepares again when connected. */
  reset(): void {
    this.#tokens.forget();
    this.#startOver();
  }

  /**
   * Called by the host before each render, to follow its settings. Before the visitor gives a
   * number, a new `api` or `linkScriptSrc` starts the flow over with them (after a preparation
   * that failed too, and where an OAuth return stored for the new backend resumes), and `eager`
   * starts it. Once they have, it goes on with what it has and never closes Link under them (what
   * Link returns is exchanged with the backend that issued its token); the next start follows.
   * An OAuth return resuming Link is after a number: the visitor gave it before the bank's redirect.
   * `allowWebview` set after the element fell back in a webview starts it (a framework sets its
   * properties after the first render, which found them unset).
   */
  hostUpdate(): void {
    const state = this.#current;
    const host = this.#host;
    if (
      state.name === 'idle' ||
      (host.allowWebview && (state as StateOf<'fallback'>).reason === 'unsupported_environment') ||
      ((state.name === 'error'
        ? !state.phone
        : STATES[state.name].accepts === 'phone' && !(state as StateOf<'loading'>).resumeOAuth) &&
        (this.#api !== host.api || this.#linkScriptSrc !== host.linkScriptSrc))
    )
      this.#startOver();
  }

  /** Lets go of the handler and goes back to `idle`; then prepares again when connected. */
  #startOver(): void {
    this.#teardown({ grace: false });
    this.#moveTo(IDLE);
    if (this.#host.isConnected) this.#autoStart();
  }

  // ── transitions ──────────────────────────────────────────────────────────────────────────

  #moveTo(next: FlowState): boolean {
    const previous = this.#current;
    if (!this.#allows(next.name)) return false;
    this.#current = next;
    if (previous.name === 'checking' && next.name !== 'checking') this.#timers.clear('eligibility');
    this.#host.requestUpdate();
    if (next.name === previous.name) return true; // new data, same state: no event
    this.#onTransition(next, previous);
    this.#emit('layer-state-change', { state: next.name, previous: previous.name });
    return true;
  }

  /** Whether states.ts lets the flow move to `to` (staying put is no move). Anything else is a bug. */
  #allows(to: LayerState): boolean {
    const from = this.#current.name;
    if (from === to || canTransition(from, to)) return true;
    if (DEV)
      console.warn(
        `<layer-onboarding>: ignored a move from "${from}" to "${to}", which widget/states.ts does not allow. This is a bug in the widget; please report it.`,
      );
    return false;
  }

  /** Ends the flow in an outcome: nothing more to wait for. */
  #conclude(outcome: Outcome): boolean {
    if (!this.#allows(outcome.name)) return false;
    this.#tokens.forget();
    this.#teardown({ grace: true });
    return this.#moveTo(outcome);
  }

  #complete(result: LayerSuccessDetail): void {
    if (this.#conclude({ name: 'complete', result })) this.#emit('layer-success', result);
  }

  #fallBack(reason: FallbackReason): void {
    const phone = this.#typedPhone();
    if (this.#conclude({ name: 'fallback', reason, phone }))
      this.#emit('layer-fallback', { reason, ...(phone ? { phone } : {}) });
  }

  /** `status`: the HTTP status the backend answered `error` with, if it did (errors.ts). */
  #fail(error: LayerErrorDetail, status?: number): void {
    const phone = this.#typedPhone();
    const kind = errorKind(error.code, status);
    if (!this.#conclude({ name: 'error', error, kind, phone })) return;
    // The visitor reads a general message; whoever set the page up needs the backend's own words.
    if (kind === 'setup') console.error(`<layer-onboarding>: ${error.code}: ${error.message}`);
    else if (DEV && API_HINT[error.code])
      warnOnce(error.code, `${error.code}: ${error.message}.${API_HINT[error.code]}`);
    this.#emit('layer-error', error);
    // Unless a layer-error listener started over (reset()): the element serves the visitor again.
    if (this.#current.name === 'error')
      this.#emit('layer-fallback', { reason: 'error', ...(phone ? { phone } : {}) });
  }

  /** The number the visitor gave, for `layer-fallback`: the partner's form can prefill it. */
  #typedPhone(): string | null {
    return givenIn(this.#current)?.phone ?? null;
  }

  #emit<K extends LayerEventName>(type: K, detail: LayerEventDetails[K]): void {
    this.#host.dispatchEvent(createLayerEvent(type, detail));
  }

  // ── the handler ──────────────────────────────────────────────────────────────────────────

  /**
   * Eager: now. Intent: on the first focus or input, unless the page is an OAuth return (mid-flow).
   * Where Plaid does not support Layer (a webview), the partner's form takes over at once.
   */
  #autoStart(): void {
    const environment = this.#host.allowWebview ? null : unsupportedEnvironment(this.#userAgent());
    if (environment) {
      if (DEV)
        warnOnce(
          'environment',
          `Plaid does not support Layer in the ${environment}, so the visitor gets your own form (layer-fallback "unsupported_environment"). Set allow-webview if you know your app supports it.`,
        );
      return this.#fallBack('unsupported_environment');
    }
    if (this.#host.preload !== 'intent' || this.#tokens.peekOAuthReturn()) this.start();
  }

  readonly #handleIntent = (): void => this.start();

  /** Token ∥ script, then a new handler; the one before it is retired. */
  #prepare({
    oauth = null,
    replacesInvalid = false,
  }: { oauth?: OAuthReturn | null; replacesInvalid?: boolean } = {}): void {
    if (this.#link) this.#retire(this.#link);
    const link = (this.#link = createLinkHandle({ replacesInvalid }));
    const { api, linkScriptSrc, nonce } = this.#host;
    this.#api = api;
    this.#linkScriptSrc = linkScriptSrc;
    // Cleared by the handler's onLoad, or by an outcome's tear-down.
    this.#timers.start('load', LOAD_TIMEOUT, () =>
      this.#fail({
        code: 'TIMEOUT',
        message: `Link did not load within ${LOAD_TIMEOUT / 1000} s (${api}/link-token, ${linkScriptSrc})`,
      }),
    );
    Promise.all([
      this.#loadPlaid(linkScriptSrc, nonce || undefined),
      oauth?.token ?? fetchLinkToken(api, this.#visitorHandle, () => this.#clock.now(), link.requests.signal),
    ])
      .then(([plaid, token]) =>
        this.#inCharge(link, () => this.#create(link, plaid, token, oauth?.receivedRedirectUri)),
      )
      .catch((error: unknown) => {
        if (link === this.#link && !link.requests.signal.aborted)
          this.#fail(errorDetail(error), statusOf(error));
      });
  }

  #create(
    link: LinkHandle,
    plaid: PlaidGlobal,
    token: ReceivedLinkToken,
    receivedRedirectUri?: string,
  ): void {
    this.#visitorHandle = token.session_handle;
    try {
      link.create(
        plaid,
        token,
        {
          onLoad: () => this.#inCharge(link, () => this.#handleLoad(link)),
          onEvent: (eventName, metadata) => this.#handleEvent(link, eventName, metadata),
          onSuccess: (publicToken, metadata) =>
            this.#inCharge(link, () => this.#handleSuccess(link, publicToken, metadata)),
          onExit: (error, metadata) => this.#inCharge(link, () => this.#handleExit(link, error, metadata)),
        },
        receivedRedirectUri,
      );
    } catch (error) {
      this.#fail({ code: 'LINK_CREATE_FAILED', message: String(error) });
    }
    this.#scheduleRefresh();
  }

  #submit(data: PlaidSubmitData): void {
    const timeout = this.#host.eligibilityTimeout;
    this.#timers.start(
      'eligibility',
      Number.isFinite(timeout) ? timeout : DEFAULT_ELIGIBILITY_TIMEOUT,
      () => {
        if (this.#current.name === 'checking') this.#fallBack('timeout');
      },
    );
    this.#link?.submit(data);
  }

  /**
   * Times the refresh of the handler's token, if there is one. `wake`: the visitor is back after
   * timers may have stood still, and a token near or past its expiry is replaced at once.
   */
  #scheduleRefresh(wake?: boolean): void {
    const left = (this.#link?.token?.expiresAt ?? NaN) - this.#clock.now();
    // No usable expiry, or too short a lifetime (REFRESH_MARGIN): Link's INVALID_LINK_TOKEN is the backstop.
    if (wake ? left === left : left > 2 * REFRESH_MARGIN)
      this.#timers.start('refresh', left - REFRESH_MARGIN, () => {
        // Swap the handler only before the visitor submits; later, INVALID_LINK_TOKEN recovery takes over.
        if (STATES[this.#current.name].accepts === 'phone') this.#prepare();
      });
  }

  /**
   * Runs a Link callback (or an answer) for `link` only while it is the handler in charge. A throw
   * there (a bug, or a broken Link) ends the flow with `UNEXPECTED_ERROR` instead of leaving it stuck.
   */
  #inCharge(link: LinkHandle, callback: () => void): void {
    if (link !== this.#link) return;
    try {
      callback();
    } catch (error) {
      this.#fail({ code: 'UNEXPECTED_ERROR', message: String(error) });
    }
  }

  // ── Link's callbacks ─────────────────────────────────────────────────────────────────────

  #handleLoad(link: LinkHandle): void {
    this.#timers.clear('load');
    const state = this.#current;
    if (state.name !== 'loading') return;
    if (!state.resumeOAuth) {
      this.#moveTo({ name: 'ready' });
      return;
    }
    this.#moveTo({ name: 'open', given: null });
    link.open();
  }

  /** Every event of every live handler is forwarded; only the real-time answers drive the flow. */
  #handleEvent(link: LinkHandle, eventName: string, metadata: LooseMetadata<PlaidLinkOnEventMetadata>): void {
    this.#emit('layer-event', { eventName: String(eventName), metadata: safeEventMetadata(metadata) });
    this.#inCharge(link, () => {
      const state = this.#current;
      if (state.name !== 'checking' || !ELIGIBILITY_EVENTS.includes(eventName)) return;
      link.proven = true;
      if (eventName === 'LAYER_READY') this.#handleReady(link, state);
      else if (eventName === 'LAYER_NOT_AVAILABLE') this.#handleNotAvailable(state);
      else this.#fallBack('autofill_not_available');
    });
  }

  #handleReady(link: LinkHandle, state: StateOf<'checking'>): void {
    // Open first: Layer's speed comes from opening the moment eligibility is known.
    link.open();
    // The token an OAuth return resumes: saved only now, as only an open Link goes to a bank. A
    // handler that never opened (another element's, with another api) must not resume on the
    // return page, nor a resumed one (its OAuth state is used up) on a reload of it.
    this.#tokens.save(link.token!);
    this.#moveTo({ name: 'open', given: state.given });
    this.#emit('layer-eligible', { via: state.step });
  }

  #handleNotAvailable(state: StateOf<'checking'>): void {
    if (state.step === 'date_of_birth') return this.#fallBack('autofill_not_available');
    if (this.#host.noAutofill) return this.#fallBack('not_eligible');
    const { dateOfBirth } = state.given;
    if (dateOfBirth) {
      // Replaying a flow on a new handler: the visitor already gave their date of birth.
      this.#moveTo({ ...state, step: 'date_of_birth' });
      return this.#submit({ date_of_birth: dateOfBirth });
    }
    this.#moveTo({ name: 'dob', given: state.given });
  }

  #handleSuccess(
    link: LinkHandle,
    publicToken: string,
    metadata: LooseMetadata<PlaidLinkOnSuccessMetadata>,
  ): void {
    // A second onSuccess finds the flow finishing already (or past it): one exchange only.
    if (!canTransition(this.#current.name, 'finishing')) return;
    const linkSessionId = stringOrNull(metadata?.link_session_id) ?? link.linkSessionId;
    const withLinkSession = linkSessionId ? { linkSessionId } : {};
    this.#moveTo({ name: 'finishing', linkSessionId, given: givenIn(this.#current) });
    const api = this.#api!;
    this.#timers.start('exchange', EXCHANGE_TIMEOUT, () =>
      this.#fail({
        code: 'TIMEOUT',
        message: `POST ${api}/session did not answer within ${EXCHANGE_TIMEOUT / 1000} s`,
        ...withLinkSession,
      }),
    );
    fetchSession(api, publicToken, link.sessionHandle, link.requests.signal).then(
      ({ profile, items, token }) =>
        this.#inCharge(link, () => this.#complete({ profile, items, token, linkSessionId })),
      (error: unknown) => {
        if (!link.requests.signal.aborted)
          this.#inCharge(link, () =>
            this.#fail({ ...errorDetail(error), ...withLinkSession }, statusOf(error)),
          );
      },
    );
  }

  #handleExit(
    link: LinkHandle,
    rawError: LooseMetadata<PlaidLinkError> | null,
    rawMetadata: LooseMetadata<PlaidLinkOnExitMetadata>,
  ): void {
    // After onSuccess or an outcome, Link closing is old news.
    if (!STATES[this.#current.name].linkInCharge) return;
    const error = safeLinkError(rawError);
    const metadata = safeExitMetadata(rawMetadata);
    // An expired or used token (LAYER.md §4.6): a new token and handler, and the same submit again.
    // Once in a row: a replacement Link refuses before it ever answered ends the flow.
    if (error?.error_code === 'INVALID_LINK_TOKEN' && (!link.replacesInvalid || link.proven))
      return this.#recover();
    this.#emit('layer-exit', { error, metadata });
    if (link !== this.#link) return; // a listener reset the element
    // Plaid's onExit carries the last error the visitor met, even one they got past or could retry
    // (a wrong code, then Close). An Item error is about their own input or account: like a plain
    // close, back to the phone step. Only errors of Link, Plaid or the setup end the flow.
    if (!error || error.error_type === 'ITEM_ERROR') return this.#restart();
    if (error.error_code === 'PROFILE_AUTHENTICATION_FAILED') return this.#fallBack('authentication_failed');
    const linkSessionId = metadata.link_session_id ?? link.linkSessionId;
    this.#fail({
      code: error.error_code,
      message: error.error_message,
      ...(metadata.request_id ? { requestId: metadata.request_id } : {}),
      ...(linkSessionId ? { linkSessionId } : {}),
    });
  }

  /** After a user exit: back to the phone step with a fresh token and handler. */
  #restart(): void {
    this.#tokens.forget(); // this Link went to no bank
    this.#moveTo({ name: 'loading', resumeOAuth: false });
    this.#prepare();
  }

  /** After `INVALID_LINK_TOKEN`: a new handler, and what the visitor gave submitted again. */
  #recover(): void {
    const given = givenIn(this.#current);
    this.#prepare({ replacesInvalid: true });
    if (!given) {
      this.#moveTo({ name: 'loading', resumeOAuth: false });
      return;
    }
    this.#moveTo({ name: 'checking', step: 'phone', given });
    this.#submit({ phone_number: given.phone });
  }

  // ── tear-down ────────────────────────────────────────────────────────────────────────────

  /**
   * The one way the flow lets go of what it holds: every timer, every request, Link's handlers.
   * With `grace` (an outcome, often reached inside Link's own callback) the handler is destroyed
   * `LATE_EVENTS_MS` later, so Link's late events still arrive as `layer-event`; otherwise
   * (removal, reset) everything goes at once.
   */
  #teardown({ grace }: { grace: boolean }): void {
    this.#timers.clearAll();
    if (this.#link) this.#retire(this.#link);
    this.#link = null;
    if (!grace) this.#destroyRetired();
  }

  /** A handler that is done or replaced: destroyed once its late events have had time to arrive. */
  #retire(link: LinkHandle): void {
    link.retire();
    this.#retired.add(link);
    this.#timers.start('retire', LATE_EVENTS_MS, () => this.#destroyRetired());
  }

  #destroyRetired(): void {
    this.#timers.clear('retire');
    for (const link of this.#retired) link.destroy();
    this.#retired.clear();
  }
}

/** What to check when the API is unreachable, or something else answers in its place. */
const API_HINT: Readonly<Partial<Record<string, string>>> = {
  NETWORK_ERROR:
    ' Check that the api attribute points at createLayerApi, that the server runs, and that this page’s origin is in its allowedOrigins.',
  HTTP_ERROR: ' Something in front of the API (a proxy, another app) answered instead of createLayerApi.',
};

/** The HTTP status the backend answered with, if `error` is its answer. */
function statusOf(error: unknown): number | undefined {
  return error instanceof ApiRequestError ? error.status : undefined;
}

/** A failed preparation or exchange as `layer-error` tells it. */
function errorDetail(error: unknown): LayerErrorDetail {
  if (error instanceof ApiRequestError)
    return {
      code: error.code,
      message: error.message,
      ...(error.requestId ? { requestId: error.requestId } : {}),
    };
  if (error instanceof ScriptLoadError) return { code: 'SCRIPT_LOAD_FAILED', message: error.message };
  return { code: 'UNEXPECTED_ERROR', message: String(error) };
}
