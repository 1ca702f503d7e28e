// The Layer flow controller on a bare host element, without the element's rendering: the real
// backend answers /api/layer (MSW only for answers it cannot give), a fake stands in for Plaid's
// handler, and a manual clock runs the timeouts and token lifetimes.
import { expect } from '@open-wc/testing';
import { LitElement } from 'lit';

import { SESSION_HANDLE_HEADER, type PlaidGlobal } from '../../contract/index.js';
import type { LayerEventDetails, LayerEventName } from '../../widget/events.js';
import { LAYER_EVENT_NAMES } from '../../widget/events.js';
import { forgetWarnings } from '../../widget/diagnostics.js';
import { LATE_EVENTS_MS, LayerFlow, LOAD_TIMEOUT, type PreloadMode } from '../../widget/layer-flow.js';
import {
  API,
  browserProfileOf,
  expireToken,
  itemCountOf,
  publicTokenFor,
  SANDBOX_PHONE,
} from './support/backend.js';
import { catchConsole } from './support/console.js';
import { attach } from './support/element.js';
import { detachAllAfterEach, FakePlaid } from './support/fake-plaid.js';
import { ManualClock } from './support/manual-clock.js';
import { MemoryStorage } from './support/memory-storage.js';
import {
  errorResponse,
  holdRoute,
  http,
  HttpResponse,
  passThrough,
  useWorker,
  watchLinkToken,
  type LinkTokenCall,
} from './support/msw.js';
import { until } from './support/wait.js';

const worker = useWorker();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

detachAllAfterEach();

/** A bare element the flow runs in: its settings, and nothing rendered. */
class FlowHost extends LitElement {
  api = API;
  linkScriptSrc = '/unused-link-initialize.js';
  preload: PreloadMode = 'intent';
  noAutofill = false;
  eligibilityTimeout = 10_000;
  allowWebview = false;
}
customElements.define('test-flow-host', FlowHost);

type Emitted = { [K in LayerEventName]: { type: K; detail: LayerEventDetails[K] } }[LayerEventName];

interface Setup {
  host: FlowHost;
  flow: LayerFlow;
  plaid: FakePlaid;
  clock: ManualClock;
  storage: MemoryStorage;
  emitted: Emitted[];
  /** Details of every event of one type, in order. */
  details<K extends LayerEventName>(type: K): LayerEventDetails[K][];
  /** The states of every layer-state-change, in order. */
  states(): string[];
}

interface SetupOptions {
  host?: Partial<Pick<FlowHost, 'api' | 'preload' | 'noAutofill' | 'eligibilityTimeout' | 'allowWebview'>>;
  /** The browser's user agent; this Chromium's by default. */
  userAgent?: string;
  location?: string;
  storage?: MemoryStorage;
  loadPlaid?: (plaid: FakePlaid) => Promise<PlaidGlobal>;
  /** Put the host on the page (default); with preload="intent" the flow then waits for `start()`. */
  connect?: boolean;
  /** How far the visitor's clock is off the real time (positive: ahead). */
  clockSkew?: number;
}

async function setup(options: SetupOptions = {}): Promise<Setup> {
  const plaid = new FakePlaid();
  const clock = new ManualClock(Date.now() + (options.clockSkew ?? 0));
  const storage = options.storage ?? new MemoryStorage();
  const host = document.createElement('test-flow-host') as FlowHost;
  Object.assign(host, options.host);
  const flow = new LayerFlow(host, {
    clock,
    storage: () => storage,
    location: () => options.location ?? 'https://partner.example/signup',
    loadPlaid: () => (options.loadPlaid ? options.loadPlaid(plaid) : Promise.resolve(plaid)),
    ...(options.userAgent ? { userAgent: () => options.userAgent! } : {}),
  });
  const emitted: Emitted[] = [];
  for (const type of LAYER_EVENT_NAMES)
    host.addEventListener(type, (event) => emitted.push({ type, detail: event.detail } as Emitted));
  if (options.connect ?? true) await attach(host);
  return {
    host,
    flow,
    plaid,
    clock,
    storage,
    emitted,
    details: <K extends LayerEventName>(type: K) =>
      emitted.filter((event) => event.type === type).map((event) => event.detail as LayerEventDetails[K]),
    states: () =>
      emitted.flatMap((event) => (event.type === 'layer-state-change' ? [event.detail.state] : [])),
  };
}

/** Starts the flow and waits until its first handler has loaded. */
async function ready(s: Setup): Promise<void> {
  s.flow.start();
  await until(() => s.flow.state.name === 'ready', 'the handler never became ready');
}

/** From ready: the default Sandbox number submitted and answered with LAYER_READY. */
async function openLink(s: Setup): Promise<void> {
  await ready(s);
  s.flow.submitPhone(SANDBOX_PHONE);
  s.plaid.last.event('LAYER_READY');
}

describe('LayerFlow', () => {
  const warnings = catchConsole('warn');
  const errors = catchConsole('error');
  beforeEach(() => forgetWarnings());

  describe('on its host', () => {
    it('starts eagerly a microtask after connecting, not inside connectedCallback', async () => {
      const s = await setup({ host: { preload: 'eager' }, connect: false });
      document.body.append(s.host);
      try {
        expect(s.flow.state.name, 'nothing happens inside connectedCallback').to.equal('idle');
        expect(s.emitted).to.deep.equal([]);
        await Promise.resolve();
        expect(s.flow.state).to.deep.equal({ name: 'loading', resumeOAuth: false });
        expect(s.states()).to.deep.equal(['loading']);
        await until(() => s.flow.state.name === 'ready', 'never ready');
      } finally {
        s.host.remove();
      }
    });

    it('with preload="intent", waits for the first focus or keystroke on its host', async () => {
      const s = await setup();
      await Promise.resolve();
      expect(s.flow.state.name).to.equal('idle');
      s.host.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      expect(s.flow.state.name).to.equal('loading');
      await until(() => s.flow.state.name === 'ready', 'never ready');
      s.host.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
      expect(s.plaid.handlers).to.have.length(1);
    });

    it('asks its host to render on every change, and for new data in the same state', async () => {
      const s = await setup();
      let requested = 0;
      const original = s.host.requestUpdate.bind(s.host);
      s.host.requestUpdate = () => {
        requested += 1;
        original();
      };
      await ready(s);
      expect(requested).to.equal(2); // loading, ready
      s.flow.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      expect(requested).to.equal(4); // checking, dob
    });

    it('does nothing for a host that is not on the page', async () => {
      const s = await setup({ connect: false });
      expect(s.flow.submitPhone(SANDBOX_PHONE)).to.equal(false);
      expect(s.flow.state.name).to.equal('idle');
    });
  });

  describe('preparing Link', () => {
    it('fetches the token and loads the script in parallel, and creates the handler once both are in', async () => {
      const tokenRequests: (() => void)[] = [];
      worker.use(holdRoute('/link-token', tokenRequests));
      let releaseScript!: (plaid: PlaidGlobal) => void;
      let scriptRequested = false;
      const s = await setup({
        loadPlaid: () => {
          scriptRequested = true;
          return new Promise((resolve) => (releaseScript = resolve));
        },
      });

      s.flow.start();
      expect(s.flow.state.name).to.equal('loading');
      await until(() => tokenRequests.length === 1, 'the token was never requested');
      // Both requests are under way before either has answered: the critical path is the slower one.
      expect(scriptRequested).to.equal(true);

      tokenRequests[0]!();
      releaseScript(s.plaid);
      await until(() => s.plaid.handlers.length === 1, 'no handler was created');
      expect(s.plaid.last.token).to.match(/^link-sandbox-/);
      await until(() => s.flow.state.name === 'ready', 'never ready');
      expect(s.states()).to.deep.equal(['loading', 'ready']);
    });

    it('keeps a phone number submitted before the handler loaded until onLoad', async () => {
      const s = await setup();
      s.plaid.autoLoad = false;
      s.flow.start();
      expect(s.flow.submitPhone(SANDBOX_PHONE)).to.equal(true);
      expect(s.flow.state).to.deep.equal({
        name: 'checking',
        step: 'phone',
        given: { phone: SANDBOX_PHONE, dateOfBirth: null },
      });
      await until(() => s.plaid.handlers.length === 1, 'no handler was created');
      expect(s.plaid.last.submitted).to.deep.equal([]);

      s.plaid.last.load();
      expect(s.plaid.last.submitted).to.deep.equal([{ phone_number: SANDBOX_PHONE }]);
    });

    it('starts from idle when a phone number comes before any preparation', async () => {
      const s = await setup();
      s.flow.submitPhone(SANDBOX_PHONE);
      await until(
        () => s.plaid.handlers.length === 1 && s.plaid.last.submitted.length === 1,
        'nothing submitted',
      );
      expect(s.states()).to.deep.equal(['checking']);
      expect(s.plaid.last.submitted[0]).to.deep.equal({ phone_number: SANDBOX_PHONE });
    });

    it('sends "new" as its first session handle, then the visitor’s handle on each later /link-token', async () => {
      const calls: LinkTokenCall[] = [];
      worker.use(watchLinkToken(calls));
      const s = await setup();
      await ready(s);
      s.flow.reset();
      await ready(s);
      expect(calls.map((call) => call.sessionHeader)).to.deep.equal(['new', calls[0]!.answer.session_handle]);
      expect(calls[0]!.answer.session_handle).to.be.a('string').and.not.equal('');
    });

    it('reports a failed token request with the backend error and falls back', async () => {
      worker.use(http.post(`${API}/link-token`, () => errorResponse('RATE_LIMITED', 'req-429')));
      const s = await setup();
      s.flow.start();
      await until(() => s.flow.state.name === 'error', 'no error');
      const error = { code: 'RATE_LIMITED', message: 'test: RATE_LIMITED', requestId: 'req-429' };
      expect(s.details('layer-error')).to.deep.equal([error]);
      expect(s.flow.state).to.deep.equal({ name: 'error', error, kind: 'retry', phone: null });
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error' }]);
      expect(s.plaid.handlers).to.have.length(0);
    });

    it('reports a token answer without a link_token as BAD_RESPONSE and creates no handler', async () => {
      worker.use(http.post(`${API}/link-token`, () => HttpResponse.json({}, { status: 200 })));
      const s = await setup();
      s.flow.start();
      await until(() => s.flow.state.name === 'error', 'no error');
      expect(s.details('layer-error')[0]?.code).to.equal('BAD_RESPONSE');
      expect(s.plaid.handlers).to.have.length(0);
      // A setup error: the console tells whoever set the page up what went wrong.
      expect(errors.take()).to.deep.equal([
        `<layer-onboarding>: BAD_RESPONSE: POST ${API}/link-token answered 200 without the JSON body ${API}/link-token promises`,
      ]);
    });

    it('reports an unreachable backend as NETWORK_ERROR', async () => {
      worker.use(http.post(`${API}/link-token`, () => HttpResponse.error()));
      const s = await setup();
      s.flow.start();
      await until(() => s.flow.state.name === 'error', 'no error');
      expect(s.details('layer-error')[0]?.code).to.equal('NETWORK_ERROR');
      // Once per page, the console says what to check.
      const [warning, ...more] = warnings.take();
      expect(more).to.deep.equal([]);
      expect(warning).to.contain('NETWORK_ERROR').and.contain('allowedOrigins');
      s.flow.reset();
      s.flow.start();
      await until(() => s.flow.state.name === 'error', 'no second error');
      expect(warnings.take(), 'said once').to.deep.equal([]);
    });

    it('reports a Plaid.create() that throws as LINK_CREATE_FAILED', async () => {
      const s = await setup();
      s.plaid.createError = new Error('Link is broken');
      s.flow.start();
      await until(() => s.flow.state.name === 'error', 'no error');
      expect(s.details('layer-error')).to.deep.equal([
        { code: 'LINK_CREATE_FAILED', message: 'Error: Link is broken' },
      ]);
    });
  });

  describe('preparing Link that never comes', () => {
    it('gives up on a /link-token that never answers after 25 s, with layer-error TIMEOUT', async () => {
      const tokenRequests: (() => void)[] = [];
      worker.use(holdRoute('/link-token', tokenRequests));
      const s = await setup({ host: { preload: 'eager' } });
      await until(() => tokenRequests.length === 1, 'the token was never requested');
      s.clock.advance(LOAD_TIMEOUT - 1);
      expect(s.flow.state.name).to.equal('loading');
      s.clock.advance(1);
      expect(s.flow.state.name).to.equal('error');
      expect(s.details('layer-error')).to.deep.equal([
        {
          code: 'TIMEOUT',
          message: `Link did not load within 25 s (${API}/link-token, ${s.host.linkScriptSrc})`,
        },
      ]);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error' }]);
      s.clock.advance(LATE_EVENTS_MS);
      expect(s.clock.pending).to.equal(0);
      tokenRequests[0]!(); // the request was cancelled: its late answer changes nothing
      await Promise.resolve();
      expect(s.plaid.handlers).to.have.length(0);
      expect(s.details('layer-error')).to.have.length(1);
    });

    it('gives up on a Link script that never loads after 25 s, with the number given', async () => {
      const s = await setup({ host: { eligibilityTimeout: 60_000 }, loadPlaid: () => new Promise(() => {}) });
      s.flow.start();
      s.flow.submitPhone(SANDBOX_PHONE);
      s.clock.advance(LOAD_TIMEOUT);
      expect(s.flow.state.name).to.equal('error');
      expect(s.details('layer-error').map((error) => error.code)).to.deep.equal(['TIMEOUT']);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error', phone: SANDBOX_PHONE }]);
    });

    it('gives up on a Link frame that never loads (no onLoad: a CSP without Plaid in frame-src)', async () => {
      const s = await setup();
      s.plaid.autoLoad = false;
      s.flow.start();
      await until(() => s.plaid.handlers.length === 1, 'no handler was created');
      s.clock.advance(LOAD_TIMEOUT - 1);
      expect(s.flow.state.name).to.equal('loading');
      s.clock.advance(1);
      expect(s.flow.state.name).to.equal('error');
      expect(s.details('layer-error').map((error) => error.code)).to.deep.equal(['TIMEOUT']);
    });

    it('after a submit, falls back with timeout at the eligibility timeout first', async () => {
      const tokenRequests: (() => void)[] = [];
      worker.use(holdRoute('/link-token', tokenRequests));
      const s = await setup();
      s.flow.submitPhone(SANDBOX_PHONE);
      await until(() => tokenRequests.length === 1, 'the token was never requested');
      s.clock.advance(10_000);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'timeout', phone: SANDBOX_PHONE }]);
      expect(s.details('layer-error')).to.deep.equal([]);
      tokenRequests[0]!();
    });

    it('leaves no preparation timer once the handler is created, or after a reset', async () => {
      const s = await setup();
      await ready(s);
      s.clock.advance(LOAD_TIMEOUT);
      expect(s.flow.state.name).to.equal('ready');

      const tokenRequests: (() => void)[] = [];
      worker.use(holdRoute('/link-token', tokenRequests));
      s.flow.reset();
      s.flow.start();
      await until(() => tokenRequests.length === 1, 'the token was never requested');
      s.flow.reset();
      s.clock.advance(LOAD_TIMEOUT);
      expect(s.flow.state.name).to.equal('idle');
      expect(s.clock.pending).to.equal(0);
      expect(s.details('layer-error')).to.deep.equal([]);
      tokenRequests[0]!();
    });
  });

  describe('eligibility', () => {
    it('opens Link at once on LAYER_READY', async () => {
      const s = await setup();
      await openLink(s);
      expect(s.plaid.last.opened).to.equal(1);
      expect(s.flow.state).to.deep.equal({
        name: 'open',
        given: { phone: SANDBOX_PHONE, dateOfBirth: null },
      });
      expect(s.details('layer-eligible')).to.deep.equal([{ via: 'phone' }]);
    });

    it('opens Link on a LAYER_READY whose metadata is not an object (a broken Link)', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone(SANDBOX_PHONE);
      const onEvent = s.plaid.last.config.onEvent as (name: string, metadata: unknown) => void;
      onEvent('SUBMIT', 'not metadata');
      onEvent('LAYER_READY', 42);
      expect(s.flow.state.name).to.equal('open');
      expect(s.details('layer-eligible')).to.deep.equal([{ via: 'phone' }]);
      expect(s.details('layer-event')).to.deep.equal([
        { eventName: 'SUBMIT', metadata: {} },
        { eventName: 'LAYER_READY', metadata: {} },
      ]);
    });

    it('asks for a date of birth on LAYER_NOT_AVAILABLE and submits it on the same handler', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      expect(s.flow.state).to.deep.equal({
        name: 'dob',
        given: { phone: '+14155550000', dateOfBirth: null },
      });

      expect(s.flow.submitDateOfBirth('1975-01-18')).to.equal(true);
      expect(s.flow.state).to.deep.equal({
        name: 'checking',
        step: 'date_of_birth',
        given: { phone: '+14155550000', dateOfBirth: '1975-01-18' },
      });
      expect(s.plaid.handlers).to.have.length(1);
      expect(s.plaid.last.submitted).to.deep.equal([
        { phone_number: '+14155550000' },
        { date_of_birth: '1975-01-18' },
      ]);

      s.plaid.last.event('LAYER_READY');
      expect(s.plaid.last.opened).to.equal(1);
      expect(s.details('layer-eligible')).to.deep.equal([{ via: 'date_of_birth' }]);
    });

    it('falls back with not_eligible at once for a number outside the US, submitting nothing to Link', async () => {
      const s = await setup();
      await ready(s);
      const handler = s.plaid.last;
      expect(s.flow.submitPhone('+442079460958')).to.equal(true);
      expect(s.flow.state).to.deep.equal({
        name: 'fallback',
        reason: 'not_eligible',
        phone: '+442079460958',
      });
      expect(s.states()).to.deep.equal(['loading', 'ready', 'checking', 'fallback']);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'not_eligible', phone: '+442079460958' }]);
      expect(handler.submitted).to.deep.equal([]);
      expect(handler.opened).to.equal(0);
      s.clock.advance(LATE_EVENTS_MS);
      expect(handler.destroyed, 'the unused handler is destroyed').to.equal(true);
    });

    it('falls back with autofill_not_available on LAYER_AUTOFILL_NOT_AVAILABLE', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.flow.submitDateOfBirth('1980-02-02');
      s.plaid.last.event('LAYER_AUTOFILL_NOT_AVAILABLE');
      expect(s.flow.state).to.deep.equal({
        name: 'fallback',
        reason: 'autofill_not_available',
        phone: '+14155550000',
      });
      expect(s.details('layer-fallback')).to.deep.equal([
        { reason: 'autofill_not_available', phone: '+14155550000' },
      ]);
      expect(s.plaid.last.opened).to.equal(0);
    });

    it('falls back with not_eligible after LAYER_NOT_AVAILABLE when autofill is off', async () => {
      const s = await setup({ host: { noAutofill: true } });
      await ready(s);
      s.flow.submitPhone('+447700900123');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      expect(s.flow.state.name).to.equal('fallback');
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'not_eligible', phone: '+447700900123' }]);
    });

    it('falls back with timeout when Link does not answer within 10 s, and ignores a later answer', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone(SANDBOX_PHONE);
      s.clock.advance(9_999);
      expect(s.flow.state.name).to.equal('checking');
      s.clock.advance(1);
      expect(s.flow.state.name).to.equal('fallback');
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'timeout', phone: SANDBOX_PHONE }]);

      s.plaid.last.event('LAYER_READY');
      expect(s.plaid.last.opened).to.equal(0);
      expect(s.flow.state.name).to.equal('fallback');
    });

    it('takes its timeout from the host', async () => {
      const s = await setup({ host: { eligibilityTimeout: 2_500 } });
      await ready(s);
      s.flow.submitPhone(SANDBOX_PHONE);
      s.clock.advance(2_500);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'timeout', phone: SANDBOX_PHONE }]);
    });

    it('lets the visitor skip the date of birth', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.flow.skip();
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'exit', phone: '+14155550000' }]);
    });
  });

  describe('success', () => {
    it('exchanges the public token on the real backend and reports the profile', async () => {
      const s = await setup();
      await openLink(s);
      const publicToken = await publicTokenFor(s.plaid.last.token);
      s.plaid.last.succeed(publicToken);
      expect(s.flow.state).to.deep.equal({
        name: 'finishing',
        linkSessionId: s.plaid.last.linkSessionId,
        given: { phone: SANDBOX_PHONE, dateOfBirth: null },
      });
      await until(() => s.flow.state.name === 'complete', 'never complete');
      const [success] = s.details('layer-success');
      expect(success!.profile).to.deep.equal(browserProfileOf(SANDBOX_PHONE));
      expect(success!.items).to.have.length(itemCountOf(SANDBOX_PHONE));
      expect(success!.token.split('.')).to.have.length(3);
      expect(success!.linkSessionId).to.equal(s.plaid.last.linkSessionId);
      expect(s.flow.state).to.deep.equal({ name: 'complete', result: success });
      expect(s.states()).to.deep.equal(['loading', 'ready', 'checking', 'open', 'finishing', 'complete']);
    });

    it('sends the Link token’s session handle with the exchange', async () => {
      const calls: LinkTokenCall[] = [];
      const sessionHeaders: (string | null)[] = [];
      worker.use(
        watchLinkToken(calls),
        http.post(`${API}/session`, ({ request }) => {
          sessionHeaders.push(request.headers.get(SESSION_HANDLE_HEADER));
          return passThrough(request);
        }),
      );
      const s = await setup();
      await openLink(s);
      s.plaid.last.succeed(await publicTokenFor(s.plaid.last.token));
      await until(() => s.flow.state.name === 'complete', 'never complete');
      expect(sessionHeaders).to.deep.equal([calls.at(-1)!.answer.session_handle]);
    });

    it('exchanges once when onSuccess fires twice', async () => {
      const exchanges: string[] = [];
      worker.use(
        http.post(`${API}/session`, async ({ request }) => {
          exchanges.push(await request.clone().text());
          return passThrough(request);
        }),
      );
      const s = await setup();
      await openLink(s);
      const publicToken = await publicTokenFor(s.plaid.last.token);
      s.plaid.last.succeed(publicToken);
      s.plaid.last.succeed(publicToken);
      await until(() => s.flow.state.name === 'complete', 'never complete');
      s.plaid.last.succeed(publicToken);
      expect(exchanges).to.have.length(1);
      expect(s.details('layer-success')).to.have.length(1);
      expect(s.details('layer-error')).to.deep.equal([]);
      expect(s.flow.state.name).to.equal('complete');
    });

    it('reports a failed exchange with its code, request id and Link session id', async () => {
      const s = await setup();
      await openLink(s);
      const publicToken = await publicTokenFor(s.plaid.last.token);
      await expireToken(publicToken);
      s.plaid.last.succeed(publicToken);
      await until(() => s.flow.state.name === 'error', 'no error');
      const [error] = s.details('layer-error');
      expect(error).to.include({ code: 'INVALID_PUBLIC_TOKEN', linkSessionId: s.plaid.last.linkSessionId });
      expect(error!.requestId).to.be.a('string').and.not.equal('');
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error', phone: SANDBOX_PHONE }]);
    });

    it('reports a 200 without a profile as BAD_RESPONSE instead of an empty layer-success', async () => {
      worker.use(http.post(`${API}/session`, () => HttpResponse.json({ ok: true }, { status: 200 })));
      const s = await setup();
      await openLink(s);
      s.plaid.last.succeed('public-sandbox-unused');
      await until(() => s.flow.state.name === 'error', 'no error');
      expect(s.details('layer-success')).to.deep.equal([]);
      expect(s.details('layer-error')[0]).to.deep.include({
        code: 'BAD_RESPONSE',
        linkSessionId: s.plaid.last.linkSessionId,
      });
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error', phone: SANDBOX_PHONE }]);
      expect(errors.take()).to.have.length(1);
    });

    it('gives up on an exchange that never answers after 30 s, with layer-error TIMEOUT', async () => {
      const exchanges: (() => void)[] = [];
      worker.use(holdRoute('/session', exchanges));
      const s = await setup();
      await openLink(s);
      s.plaid.last.succeed('public-sandbox-unused');
      await until(() => exchanges.length === 1, 'the exchange was never requested');
      s.clock.advance(29_999);
      expect(s.flow.state.name).to.equal('finishing');
      s.clock.advance(1);
      expect(s.flow.state.name).to.equal('error');
      expect(s.details('layer-error')).to.deep.equal([
        {
          code: 'TIMEOUT',
          message: `POST ${API}/session did not answer within 30 s`,
          linkSessionId: s.plaid.last.linkSessionId,
        },
      ]);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error', phone: SANDBOX_PHONE }]);
      s.clock.advance(LATE_EVENTS_MS);
      expect(s.clock.pending).to.equal(0);
      exchanges[0]!(); // the request was cancelled: its late answer changes nothing
      expect(s.details('layer-error')).to.have.length(1);
    });

    it('destroys the handler once the flow is complete', async () => {
      const s = await setup();
      await openLink(s);
      s.plaid.last.succeed(await publicTokenFor(s.plaid.last.token));
      await until(() => s.flow.state.name === 'complete', 'never complete');
      expect(s.plaid.last.destroyed, 'Link gets time for its late events').to.equal(false);
      s.clock.advance(LATE_EVENTS_MS - 1);
      expect(s.plaid.last.destroyed, 'Link gets time for its late events').to.equal(false);
      s.clock.advance(1);
      expect(s.plaid.last.destroyed).to.equal(true);
      expect(s.clock.pending).to.equal(0);
    });
  });

  describe('exit', () => {
    it('goes back to the phone step with a fresh token and handler after a user exit', async () => {
      const s = await setup();
      await openLink(s);
      const first = s.plaid.last;
      first.close();
      expect(s.details('layer-exit')).to.deep.equal([
        {
          error: null,
          metadata: {
            institution: null,
            status: null,
            link_session_id: first.linkSessionId,
            request_id: 'req-exit-1',
          },
        },
      ]);
      expect(s.flow.state.name).to.equal('loading');
      await until(() => s.flow.state.name === 'ready', 'never ready');
      const second = s.plaid.last;
      expect(second).not.to.equal(first);
      expect(second.token).not.to.equal(first.token);
      s.clock.advance(LATE_EVENTS_MS);
      expect(first.destroyed).to.equal(true);

      s.flow.submitPhone(SANDBOX_PHONE);
      expect(second.submitted).to.deep.equal([{ phone_number: SANDBOX_PHONE }]);
    });

    it('falls back with authentication_failed after three wrong codes', async () => {
      const s = await setup();
      await openLink(s);
      s.plaid.last.exitWith({ error_code: 'PROFILE_AUTHENTICATION_FAILED' });
      expect(s.details('layer-exit')[0]?.error?.error_code).to.equal('PROFILE_AUTHENTICATION_FAILED');
      expect(s.flow.state.name).to.equal('fallback');
      expect(s.details('layer-fallback')).to.deep.equal([
        { reason: 'authentication_failed', phone: SANDBOX_PHONE },
      ]);
    });

    it('reports other Link errors with the Link session and request ids, then falls back', async () => {
      const s = await setup();
      await openLink(s);
      s.plaid.last.exitWith({
        error_type: 'API_ERROR',
        error_code: 'INTERNAL_SERVER_ERROR',
        error_message: 'oops',
      });
      expect(s.flow.state.name).to.equal('error');
      expect(s.details('layer-error')).to.deep.equal([
        {
          code: 'INTERNAL_SERVER_ERROR',
          message: 'oops',
          requestId: 'req-exit-1',
          linkSessionId: s.plaid.last.linkSessionId,
        },
      ]);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error', phone: SANDBOX_PHONE }]);
    });

    it('ends with UNEXPECTED_ERROR when Link throws inside the flow, instead of hanging', async () => {
      const s = await setup();
      await ready(s);
      s.plaid.openError = new Error('open failed');
      s.flow.submitPhone(SANDBOX_PHONE);
      s.plaid.last.event('LAYER_READY');
      expect(s.flow.state.name).to.equal('error');
      expect(s.details('layer-error')).to.deep.equal([
        { code: 'UNEXPECTED_ERROR', message: 'Error: open failed' },
      ]);
    });

    it('treats a wrong code, then Close, as a plain close: Plaid’s onExit carries the last error met', async () => {
      const s = await setup();
      await openLink(s);
      const first = s.plaid.last;
      first.exitWith({ error_type: 'ITEM_ERROR', error_code: 'INVALID_OTP' }, 'requires_code');
      expect(s.details('layer-exit')[0]?.error?.error_code).to.equal('INVALID_OTP');
      expect(s.details('layer-error')).to.deep.equal([]);
      expect(s.details('layer-fallback')).to.deep.equal([]);
      expect(s.flow.state.name).to.equal('loading');
      await until(() => s.flow.state.name === 'ready', 'never ready');
      expect(s.plaid.last).not.to.equal(first);
    });

    it('ignores, with a warning in development, a move the table does not allow', async () => {
      const s = await setup();
      await ready(s);
      s.plaid.last.exitWith({ error_code: 'PROFILE_AUTHENTICATION_FAILED' });
      expect(s.flow.state.name).to.equal('ready');
      expect(s.details('layer-fallback')).to.deep.equal([]);
      const [warning, ...more] = warnings.take();
      expect(more).to.deep.equal([]);
      expect(warning).to.contain('from "ready" to "fallback"');
    });
  });

  describe('where Plaid does not support Layer', () => {
    const ANDROID_WEBVIEW =
      'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.64 Mobile Safari/537.36';

    it('falls back with unsupported_environment at once in a webview, asking nothing of the API or Plaid', async () => {
      const calls: LinkTokenCall[] = [];
      worker.use(watchLinkToken(calls));
      let scriptLoads = 0;
      const s = await setup({
        host: { preload: 'eager' },
        userAgent: ANDROID_WEBVIEW,
        loadPlaid: (plaid) => {
          scriptLoads += 1;
          return Promise.resolve(plaid);
        },
      });
      await Promise.resolve();
      expect(s.flow.state).to.deep.equal({
        name: 'fallback',
        reason: 'unsupported_environment',
        phone: null,
      });
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'unsupported_environment' }]);
      expect(s.states()).to.deep.equal(['fallback']);
      expect(calls).to.deep.equal([]);
      expect(scriptLoads).to.equal(0);
      const [warning, ...more] = warnings.take();
      expect(more).to.deep.equal([]);
      expect(warning).to.contain('Android WebView').and.contain('allow-webview');
    });

    it('runs anyway with allowWebview', async () => {
      const s = await setup({ host: { preload: 'eager', allowWebview: true }, userAgent: ANDROID_WEBVIEW });
      await until(() => s.flow.state.name === 'ready', 'never ready');
      expect(s.details('layer-fallback')).to.deep.equal([]);
    });
  });

  describe('the fallback detail', () => {
    it('carries the E.164 number the visitor typed, for the partner’s form', async () => {
      const s = await setup({ host: { noAutofill: true } });
      await ready(s);
      s.flow.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'not_eligible', phone: '+14155550000' }]);
    });
  });

  describe('token lifetime', () => {
    it('recovers once from INVALID_LINK_TOKEN: new token, old handler destroyed, phone submitted again', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone(SANDBOX_PHONE);
      const first = s.plaid.last;
      first.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      expect(s.flow.state.name).to.equal('checking');
      await until(() => s.plaid.handlers.length === 2 && s.plaid.last.submitted.length === 1, 'no resubmit');
      const second = s.plaid.last;
      expect(second.token).not.to.equal(first.token);
      expect(second.submitted).to.deep.equal([{ phone_number: SANDBOX_PHONE }]);
      s.clock.advance(LATE_EVENTS_MS);
      expect(first.destroyed).to.equal(true);
      expect(s.details('layer-exit')).to.deep.equal([]);

      second.event('LAYER_READY');
      expect(second.opened).to.equal(1);
      expect(s.flow.state.name).to.equal('open');
    });

    it('gives up with layer-error when the new token is rejected too', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone(SANDBOX_PHONE);
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await until(() => s.plaid.handlers.length === 2, 'no new handler');
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      expect(s.flow.state.name).to.equal('error');
      expect(s.details('layer-error')[0]?.code).to.equal('INVALID_LINK_TOKEN');
      expect(s.plaid.handlers).to.have.length(2);
    });

    it('recovers again from a later INVALID_LINK_TOKEN once the replacement token has worked', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone(SANDBOX_PHONE);
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await until(() => s.plaid.handlers.length === 2 && s.plaid.last.submitted.length === 1, 'no resubmit');
      s.plaid.last.event('LAYER_READY');
      expect(s.flow.state.name).to.equal('open');

      // Hours later, Link rejects the second token too (inactivity): a fresh recovery, no error.
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await until(() => s.plaid.handlers.length === 3 && s.plaid.last.submitted.length === 1, 'no resubmit');
      expect(s.plaid.last.submitted).to.deep.equal([{ phone_number: SANDBOX_PHONE }]);
      expect(s.flow.state.name).to.equal('checking');
      expect(s.details('layer-error')).to.deep.equal([]);
      expect(s.details('layer-exit')).to.deep.equal([]);
    });

    it('replays the date of birth after recovering from an invalid token', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.flow.submitDateOfBirth('1975-01-18');
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await until(() => s.plaid.handlers.length === 2 && s.plaid.last.submitted.length === 1, 'no resubmit');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      expect(s.plaid.last.submitted).to.deep.equal([
        { phone_number: '+14155550000' },
        { date_of_birth: '1975-01-18' },
      ]);
      expect(s.flow.state).to.deep.include({ name: 'checking', step: 'date_of_birth' });
      expect(s.states()).to.deep.equal(['loading', 'ready', 'checking', 'dob', 'checking']);
    });

    it('refreshes a token shortly before it expires while nobody uses the handler', async () => {
      const calls: LinkTokenCall[] = [];
      worker.use(watchLinkToken(calls));
      const s = await setup();
      await ready(s);
      const first = s.plaid.last;
      // The token is timed by the server's clock (its Date header) from the moment it arrived; the
      // manual clock has not moved since.
      const { answer, date } = calls[0]!;
      const expiresAt = s.clock.now() - (Date.parse(date!) || s.clock.now()) + Date.parse(answer.expiration);
      const refreshAt = expiresAt - 5 * 60_000;
      s.clock.advance(refreshAt - s.clock.now() - 1);
      expect(s.plaid.handlers).to.have.length(1);
      s.clock.advance(1);
      await until(() => s.plaid.handlers.length === 2, 'the token was not refreshed');
      expect(s.plaid.last.token).not.to.equal(first.token);
      expect(s.flow.state.name).to.equal('ready');
      s.clock.advance(LATE_EVENTS_MS);
      expect(first.destroyed).to.equal(true);
      expect(s.states()).to.deep.equal(['loading', 'ready']);
    });

    // Visitors' clocks are often hours off (a wrong time zone set by hand). A Link token lives 4
    // hours from the backend's answer, whatever the visitor's clock reads.
    for (const [skew, clock] of [
      [5 * HOUR, '5 hours ahead'],
      [4 * HOUR - MINUTE, 'a minute short of 4 hours ahead'],
      [-5 * HOUR, '5 hours behind'],
    ] as const)
      it(`times the refresh from the backend’s answer on a visitor clock ${clock}`, async () => {
        const s = await setup({ clockSkew: skew });
        await ready(s);
        // The one timer left: the refresh, 5 minutes before the token's 4 hours are up (± the
        // backend's Date header's second).
        expect(s.clock.due).to.have.length(1);
        expect(s.clock.due[0]).to.be.within(4 * HOUR - 5 * MINUTE - 2_000, 4 * HOUR - 5 * MINUTE + 1_000);
        s.clock.advance(4 * HOUR - 5 * MINUTE + 1_000);
        await until(() => s.plaid.handlers.length === 2, 'the token was not refreshed');
        expect(s.flow.state.name).to.equal('ready');
        expect(s.clock.due.at(-1)).to.be.above(3 * HOUR);
      });

    it('refreshes a token at once when the visitor comes back to the tab after the machine slept past its refresh', async () => {
      const s = await setup();
      await ready(s);
      s.clock.sleep(5 * HOUR);
      expect(s.plaid.handlers).to.have.length(1);
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
      s.clock.advance(0);
      await until(() => s.plaid.handlers.length === 2, 'the expired token was not replaced');
      expect(s.flow.state.name).to.equal('ready');
      s.flow.submitPhone(SANDBOX_PHONE);
      // On the new handler, once it has loaded.
      await until(() => s.plaid.last.submitted.length === 1, 'the number was not submitted');
      expect(s.plaid.last.submitted).to.deep.equal([{ phone_number: SANDBOX_PHONE }]);
      expect(s.plaid.handlers[0]!.submitted).to.deep.equal([]);
    });

    // A page restored from the back/forward cache is shown again: visibilitychange, as on a tab switch.
    it('re-times the refresh by the wall clock when a page comes back from the back/forward cache', async () => {
      const s = await setup();
      await ready(s);
      s.clock.sleep(2 * HOUR);
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
      // Due 1 h 55 min from now, not 3 h 55 min from now as the timer set before the sleep.
      expect(s.clock.due.at(-1)).to.be.within(2 * HOUR - 5 * MINUTE - 2_000, 2 * HOUR - 5 * MINUTE + 1_000);
      s.clock.sleep(2 * HOUR - 4 * MINUTE);
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
      s.clock.advance(0);
      await until(() => s.plaid.handlers.length === 2, 'the token about to expire was not replaced');
      expect(s.details('layer-error')).to.deep.equal([]);
    });

    it('leaves a flow under way to INVALID_LINK_TOKEN recovery when the visitor comes back', async () => {
      const s = await setup();
      await openLink(s);
      s.clock.sleep(5 * HOUR);
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
      s.clock.advance(0);
      expect(s.plaid.handlers).to.have.length(1);
      expect(s.flow.state.name).to.equal('open');
    });

    it('resumes an OAuth return on a visitor clock hours ahead', async () => {
      const storage = new MemoryStorage();
      const first = await setup({ storage, clockSkew: 5 * HOUR });
      await openLink(first); // a token is kept for the return once Link opens
      first.host.remove();
      const back = await setup({
        storage,
        clockSkew: 5 * HOUR + 10 * MINUTE,
        location: 'https://partner.example/signup?oauth_state_id=9f3b5b0c',
      });
      back.flow.start();
      await until(() => back.flow.state.name === 'open', 'Link was not resumed');
      expect(back.plaid.last.config.receivedRedirectUri).to.contain('oauth_state_id');
    });

    it('does not resume an OAuth return with a token that expired meanwhile, on a visitor clock hours behind', async () => {
      const storage = new MemoryStorage();
      const first = await setup({ storage, clockSkew: -5 * HOUR });
      await openLink(first); // a token is kept for the return once Link opens
      first.host.remove();
      const back = await setup({
        storage,
        clockSkew: -5 * HOUR + 4 * HOUR + MINUTE,
        location: 'https://partner.example/signup?oauth_state_id=9f3b5b0c',
      });
      await ready(back);
      expect(back.plaid.last.token).not.to.equal(first.plaid.last.token);
      expect(back.plaid.last.config.receivedRedirectUri).to.equal(undefined);
    });

    it('resumes Link after an OAuth redirect with the same token, and exchanges with its session handle', async () => {
      const storage = new MemoryStorage();
      const first = await setup({ storage });
      await openLink(first);
      const token = first.plaid.last.token;
      first.host.remove(); // the bank's page replaces this one
      const returnUrl = 'https://partner.example/signup?oauth_state_id=9f3b5b0c';

      const back = await setup({ storage, location: returnUrl });
      back.flow.start();
      await until(() => back.flow.state.name === 'open', 'Link was not re-opened');
      expect(back.plaid.last.token).to.equal(token);
      expect(back.plaid.last.config.receivedRedirectUri).to.equal(returnUrl);
      expect(back.plaid.last.opened).to.equal(1);
      expect(back.flow.state).to.deep.equal({ name: 'open', given: null });
      expect(back.states()).to.deep.equal(['loading', 'open']);
      back.clock.advance(LOAD_TIMEOUT); // the stored token and the script came in: no time limit left
      expect(back.flow.state.name).to.equal('open');

      back.plaid.last.succeed(await publicTokenFor(token));
      await until(() => back.flow.state.name === 'complete', 'the resumed flow did not complete');
      expect(back.details('layer-success')[0]!.profile).to.deep.equal(browserProfileOf(SANDBOX_PHONE));
    });

    it('with preload="intent", resumes an OAuth return at once', async () => {
      const storage = new MemoryStorage();
      const first = await setup({ storage });
      await openLink(first);
      first.host.remove();
      const back = await setup({ storage, location: 'https://partner.example/?oauth_state_id=1' });
      await until(() => back.flow.state.name === 'open', 'Link was not resumed without a focus');
    });

    it('ignores oauth_state_id without a stored token', async () => {
      const s = await setup({ location: 'https://partner.example/signup?oauth_state_id=9f3b5b0c' });
      await ready(s);
      expect(s.plaid.last.config.receivedRedirectUri).to.equal(undefined);
      expect(s.plaid.last.opened).to.equal(0);
    });
  });

  describe('Link events', () => {
    it('forwards every Link event without personal data', async () => {
      const s = await setup();
      await openLink(s);
      s.plaid.last.event('SEARCH_INSTITUTION', {
        institution_search_query: 'my bank',
        account_number_mask: '0000',
      });
      const details = s.details('layer-event');
      expect(details.map((detail) => detail.eventName)).to.deep.equal(['LAYER_READY', 'SEARCH_INSTITUTION']);
      const metadata = details[1]!.metadata as Record<string, unknown>;
      expect(metadata.link_session_id).to.equal(s.plaid.last.linkSessionId);
      expect(metadata).not.to.have.property('institution_search_query');
      expect(metadata).not.to.have.property('account_number_mask');
      expect(metadata).not.to.have.property('routing_number');
    });

    it('ignores late and out-of-order events: flow events after onSuccess, onExit after onSuccess', async () => {
      const s = await setup();
      await openLink(s);
      const handler = s.plaid.last;
      handler.succeed(await publicTokenFor(handler.token));
      // Link may flush non-real-time events after onSuccess, in any order, and an eligibility
      // answer may come twice.
      handler.event('HANDOFF');
      handler.event('LAYER_NOT_AVAILABLE');
      handler.event('TRANSITION_VIEW', { view_name: 'PROFILE_DATA_REVIEW' });
      handler.event('LAYER_READY');
      handler.close();
      await until(() => s.flow.state.name === 'complete', 'never complete');
      handler.event('EXIT');
      expect(handler.opened).to.equal(1);
      expect(s.details('layer-exit')).to.deep.equal([]);
      expect(s.details('layer-success')).to.have.length(1);
      expect(s.details('layer-event').map((detail) => detail.eventName)).to.deep.equal([
        'LAYER_READY',
        'HANDOFF',
        'LAYER_NOT_AVAILABLE',
        'TRANSITION_VIEW',
        'LAYER_READY',
        'EXIT',
      ]);
      expect(s.states()).to.deep.equal(['loading', 'ready', 'checking', 'open', 'finishing', 'complete']);
    });

    it('ignores an answer that arrives after the visitor moved on to the date of birth', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.plaid.last.event('LAYER_AUTOFILL_NOT_AVAILABLE');
      expect(s.flow.state.name).to.equal('dob');
      expect(s.details('layer-fallback')).to.deep.equal([]);
    });
  });

  describe('tear-down', () => {
    it('on removal, exits and destroys an open handler and leaves no timer behind', async () => {
      const s = await setup();
      await openLink(s);
      const handler = s.plaid.last;
      s.host.remove();
      await Promise.resolve(); // a microtask later: not a move
      expect(handler.exitCalls).to.deep.equal([{ force: true }]);
      expect(handler.destroyed).to.equal(true);
      expect(handler.node.isConnected).to.equal(false);
      expect(s.clock.pending).to.equal(0);
      expect(s.flow.state.name).to.equal('idle');
      // The forced exit's onExit reaches nobody.
      expect(s.details('layer-exit')).to.deep.equal([]);
    });

    it('cancels a token request under way and ignores its answer', async () => {
      const answers: (() => void)[] = [];
      worker.use(holdRoute('/link-token', answers));
      const s = await setup();
      s.flow.start();
      await until(() => answers.length === 1, 'no token request');
      s.host.remove();
      await Promise.resolve(); // removed, not moved
      await attach(s.host);
      s.flow.start();
      await until(() => answers.length === 2, 'no second token request');
      answers.forEach((answer) => answer());
      await until(() => s.flow.state.name === 'ready', 'never ready');
      expect(s.plaid.handlers).to.have.length(1);
      expect(s.states()).to.deep.equal(['loading', 'idle', 'loading', 'ready']);
      expect(s.details('layer-error')).to.deep.equal([]);
    });

    it('keeps an outcome when removed, and reset() starts over from idle', async () => {
      const s = await setup();
      await ready(s);
      s.flow.submitPhone(SANDBOX_PHONE);
      s.clock.advance(10_000);
      s.host.remove();
      expect(s.flow.state.name).to.equal('fallback');
      await attach(s.host);
      s.flow.reset();
      expect(s.flow.state.name).to.equal('idle');
      await ready(s);
      expect(s.plaid.handlers).to.have.length(2);
    });

    it('reset() forgets the stored Link token', async () => {
      const s = await setup();
      await openLink(s);
      expect(s.storage.length).to.equal(1);
      s.flow.reset();
      expect(s.storage.length).to.equal(0);
    });

    it('keeps the Link token for an OAuth return only while its Link is open: not before, not after a close', async () => {
      const s = await setup();
      await ready(s);
      expect(s.storage.length, 'a Link that never opened went to no bank').to.equal(0);
      s.flow.submitPhone(SANDBOX_PHONE);
      s.plaid.last.event('LAYER_READY');
      expect(JSON.parse(s.storage.getItem(s.storage.key(0)!)!)).to.have.property(
        'link_token',
        s.plaid.last.token,
      );
      s.plaid.last.close();
      expect(s.flow.state.name).to.equal('loading');
      expect(s.storage.length).to.equal(0);
    });

    it('removed on an OAuth return before Link was made again: the token goes back; after, it does not', async () => {
      const storage = new MemoryStorage();
      const first = await setup({ storage });
      await openLink(first);
      const token = first.plaid.last.token;
      first.host.remove(); // the bank's page replaces this one
      await Promise.resolve();
      const location = 'https://partner.example/signup?oauth_state_id=9f3b5b0c';

      let release!: () => void;
      const scriptIn = new Promise<void>((resolve) => (release = resolve));
      const early = await setup({ storage, location, loadPlaid: (plaid) => scriptIn.then(() => plaid) });
      early.flow.start();
      expect(storage.length).to.equal(0);
      early.host.remove(); // a framework replaces the element before Link's script is in
      await Promise.resolve();
      expect(JSON.parse(storage.getItem(storage.key(0)!)!)).to.have.property('link_token', token);
      release();

      const late = await setup({ storage, location, connect: false });
      late.plaid.autoLoad = false;
      await attach(late.host);
      await until(() => late.plaid.handlers.length === 1, 'Link was not made again');
      expect(late.flow.state).to.deep.equal({ name: 'loading', resumeOAuth: true });
      expect(late.plaid.last.config.receivedRedirectUri).to.equal(location);
      late.host.remove(); // Link has the OAuth state now: it is not handed on
      await Promise.resolve();
      expect(storage.length).to.equal(0);
    });

    it('refuses submits in states that do not take them', async () => {
      const s = await setup();
      expect(s.flow.submitDateOfBirth('1975-01-18')).to.equal(false);
      await openLink(s);
      expect(s.flow.submitPhone(SANDBOX_PHONE)).to.equal(false);
      expect(s.plaid.last.submitted).to.have.length(1);
    });
  });
});
