// The Link session on its own, without rendering: MSW answers the backend routes, a fake stands in
// for Plaid's handler, and a manual clock runs the timeouts and token lifetimes.
import { expect, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';

import type { LayerEmit, LayerEventDetails, LayerEventName } from '../../widget/events.js';
import { LinkSession, type LinkSessionConfig } from '../../widget/link-session.js';
import type { PlaidLinkFactory } from '../../widget/plaid-link.js';
import {
  API,
  errorBody,
  handlers,
  linkToken,
  onUnhandledRequest,
  PROFILE,
  PROFILE_TOKEN,
} from './support/handlers.js';
import { FakePlaid } from './support/fake-plaid.js';
import { ManualClock } from './support/manual-clock.js';

const worker = setupWorker(...handlers);

before(() => worker.start({ quiet: true, onUnhandledRequest }));
afterEach(() => worker.resetHandlers());
after(() => worker.stop());

type Emitted = { [K in LayerEventName]: { type: K; detail: LayerEventDetails[K] } }[LayerEventName];

interface Setup {
  session: LinkSession;
  plaid: FakePlaid;
  clock: ManualClock;
  config: { -readonly [K in keyof LinkSessionConfig]: LinkSessionConfig[K] };
  storage: Storage;
  emitted: Emitted[];
  /** Details of every emitted event of one type, in order. */
  details<K extends LayerEventName>(type: K): LayerEventDetails[K][];
  states(): string[];
}

function setup(
  options: {
    config?: Partial<LinkSessionConfig>;
    location?: string;
    loadPlaid?: (plaid: FakePlaid) => Promise<PlaidLinkFactory>;
  } = {},
): Setup {
  const plaid = new FakePlaid();
  const clock = new ManualClock(Date.now());
  const emitted: Emitted[] = [];
  const emit: LayerEmit = (type, detail) => emitted.push({ type, detail } as Emitted);
  const config = {
    api: API,
    linkScriptSrc: '/unused-link-initialize.js',
    nonce: '',
    noAutofill: false,
    eligibilityTimeout: 10_000,
    ...options.config,
  };
  const storage = new MemoryStorage();
  const session = new LinkSession(config, {
    emit,
    clock,
    storage: () => storage,
    location: () => options.location ?? 'https://partner.example/signup',
    loadPlaid: () => (options.loadPlaid ? options.loadPlaid(plaid) : Promise.resolve(plaid)),
  });
  return {
    session,
    plaid,
    clock,
    config,
    storage,
    emitted,
    details: <K extends LayerEventName>(type: K) =>
      emitted.filter((event) => event.type === type).map((event) => event.detail as LayerEventDetails[K]),
    states: () =>
      emitted.flatMap((event) => (event.type === 'layer-state-change' ? [event.detail.state] : [])),
  };
}

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

/** Starts a session and waits until its first handler has loaded. */
async function ready(setupResult: Setup): Promise<void> {
  setupResult.session.start();
  await waitUntil(() => setupResult.session.state === 'ready', 'the handler never became ready');
}

/** From ready: a phone number submitted and answered with LAYER_READY. */
async function openLink(s: Setup): Promise<void> {
  await ready(s);
  s.session.submitPhone('+14155550011');
  s.plaid.last.event('LAYER_READY');
}

describe('LinkSession', () => {
  describe('preparing Link', () => {
    it('fetches the token and loads the script in parallel, and creates the handler once both are in', async () => {
      let releaseToken!: () => void;
      let tokenRequested = false;
      worker.use(
        http.post(`${API}/link-token`, async () => {
          tokenRequested = true;
          await new Promise<void>((resolve) => (releaseToken = resolve));
          return HttpResponse.json(linkToken(), { status: 200 });
        }),
      );
      let releaseScript!: (plaid: PlaidLinkFactory) => void;
      let scriptRequested = false;
      const s = setup({
        loadPlaid: () => {
          scriptRequested = true;
          return new Promise((resolve) => (releaseScript = resolve));
        },
      });

      s.session.start();
      expect(s.session.state).to.equal('loading');
      await waitUntil(() => tokenRequested, 'the token was never requested');
      // Both requests are under way before either has answered: the critical path is the slower one.
      expect(scriptRequested).to.equal(true);

      releaseToken();
      releaseScript(s.plaid);
      await waitUntil(() => s.plaid.handlers.length === 1, 'no handler was created');
      expect(s.plaid.last.config.token).to.match(/^link-sandbox-test-/);
      await waitUntil(() => s.session.state === 'ready');
      expect(s.states()).to.deep.equal(['loading', 'ready']);
    });

    it('keeps a phone number submitted before the handler loaded until onLoad', async () => {
      const s = setup();
      s.plaid.autoLoad = false;
      s.session.start();
      expect(s.session.submitPhone('+14155550011')).to.equal(true);
      expect(s.session.state).to.equal('checking');
      await waitUntil(() => s.plaid.handlers.length === 1);
      expect(s.plaid.last.submitted).to.deep.equal([]);

      s.plaid.last.load();
      expect(s.plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
    });

    it('starts from idle when a phone number comes before any preparation', async () => {
      const s = setup();
      s.session.submitPhone('+14155550011');
      await waitUntil(() => s.plaid.handlers.length === 1 && s.plaid.last.submitted.length === 1);
      expect(s.states()).to.deep.equal(['checking']);
      expect(s.plaid.last.submitted[0]).to.deep.equal({ phone_number: '+14155550011' });
    });

    it('reports a failed token request with the backend error and falls back', async () => {
      worker.use(
        http.post(`${API}/link-token`, () =>
          HttpResponse.json(errorBody('RATE_LIMITED', 'Too many requests', 'req-429'), { status: 429 }),
        ),
      );
      const s = setup();
      s.session.start();
      await waitUntil(() => s.session.state === 'error');
      expect(s.details('layer-error')).to.deep.equal([
        { code: 'RATE_LIMITED', message: 'Too many requests', requestId: 'req-429' },
      ]);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error' }]);
      expect(s.plaid.handlers).to.have.length(0);
    });

    it('reports a token answer without a link_token as BAD_RESPONSE and creates no handler', async () => {
      worker.use(http.post(`${API}/link-token`, () => HttpResponse.json({}, { status: 200 })));
      const s = setup();
      s.session.start();
      await waitUntil(() => s.session.state === 'error');
      expect(s.details('layer-error')[0]?.code).to.equal('BAD_RESPONSE');
      expect(s.plaid.handlers).to.have.length(0);
    });

    it('reports an unreachable backend as NETWORK_ERROR', async () => {
      worker.use(http.post(`${API}/link-token`, () => HttpResponse.error()));
      const s = setup();
      s.session.start();
      await waitUntil(() => s.session.state === 'error');
      expect(s.details('layer-error')[0]?.code).to.equal('NETWORK_ERROR');
    });
  });

  describe('eligibility', () => {
    it('opens Link at once on LAYER_READY', async () => {
      const s = setup();
      await openLink(s);
      expect(s.plaid.last.opened).to.equal(1);
      expect(s.session.state).to.equal('open');
      expect(s.details('layer-eligible')).to.deep.equal([{ via: 'phone' }]);
    });

    it('asks for a date of birth on LAYER_NOT_AVAILABLE and submits it on the same handler', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      expect(s.session.state).to.equal('dob');

      expect(s.session.submitDateOfBirth('1975-01-18')).to.equal(true);
      expect(s.session.state).to.equal('checking');
      expect(s.session.step).to.equal('date_of_birth');
      expect(s.plaid.handlers).to.have.length(1);
      expect(s.plaid.last.submitted).to.deep.equal([
        { phone_number: '+14155550000' },
        { date_of_birth: '1975-01-18' },
      ]);

      s.plaid.last.event('LAYER_READY');
      expect(s.plaid.last.opened).to.equal(1);
      expect(s.details('layer-eligible')).to.deep.equal([{ via: 'date_of_birth' }]);
    });

    it('falls back with autofill_not_available on LAYER_AUTOFILL_NOT_AVAILABLE', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.session.submitDateOfBirth('1980-02-02');
      s.plaid.last.event('LAYER_AUTOFILL_NOT_AVAILABLE');
      expect(s.session.state).to.equal('fallback');
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'autofill_not_available' }]);
      expect(s.plaid.last.opened).to.equal(0);
    });

    it('falls back with not_eligible after LAYER_NOT_AVAILABLE when autofill is off', async () => {
      const s = setup({ config: { noAutofill: true } });
      await ready(s);
      s.session.submitPhone('+447700900123');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      expect(s.session.state).to.equal('fallback');
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'not_eligible' }]);
    });

    it('falls back with timeout when Link does not answer within 10 s, and ignores a later answer', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550011');
      s.clock.advance(9_999);
      expect(s.session.state).to.equal('checking');
      s.clock.advance(1);
      expect(s.session.state).to.equal('fallback');
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'timeout' }]);

      s.plaid.last.event('LAYER_READY');
      expect(s.plaid.last.opened).to.equal(0);
      expect(s.session.state).to.equal('fallback');
    });

    it('takes its timeout from the configuration', async () => {
      const s = setup({ config: { eligibilityTimeout: 2_500 } });
      await ready(s);
      s.session.submitPhone('+14155550011');
      s.clock.advance(2_500);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'timeout' }]);
    });

    it('lets the visitor skip the date of birth', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.session.skip();
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'exit' }]);
    });
  });

  describe('success', () => {
    it('exchanges the public token and reports the profile', async () => {
      const s = setup();
      await openLink(s);
      s.plaid.last.succeed();
      expect(s.session.state).to.equal('finishing');
      await waitUntil(() => s.session.state === 'complete');
      expect(s.details('layer-success')).to.deep.equal([
        {
          profile: PROFILE,
          items: [{ item_id: 'item-1' }],
          token: PROFILE_TOKEN,
          linkSessionId: s.plaid.last.linkSessionId,
        },
      ]);
      expect(s.states()).to.deep.equal(['loading', 'ready', 'checking', 'open', 'finishing', 'complete']);
    });

    it('exchanges once when onSuccess fires twice', async () => {
      const s = setup();
      await openLink(s);
      const exchanges: string[] = [];
      const originalFetch = window.fetch;
      window.fetch = (input, init) => {
        if (String(input).endsWith('/session')) exchanges.push(String(init?.body));
        return originalFetch(input, init);
      };
      try {
        s.plaid.last.succeed();
        s.plaid.last.succeed();
        await waitUntil(() => s.session.state === 'complete');
        s.plaid.last.succeed();
      } finally {
        window.fetch = originalFetch;
      }
      expect(exchanges).to.have.length(1);
      expect(s.details('layer-success')).to.have.length(1);
      expect(s.details('layer-error')).to.deep.equal([]);
      expect(s.session.state).to.equal('complete');
    });

    it('reports a failed exchange with its code, request id and Link session id', async () => {
      worker.use(
        http.post(`${API}/session`, () =>
          HttpResponse.json(errorBody('PUBLIC_TOKEN_INVALID', 'Public token expired', 'req-422'), {
            status: 422,
          }),
        ),
      );
      const s = setup();
      await openLink(s);
      s.plaid.last.succeed();
      await waitUntil(() => s.session.state === 'error');
      expect(s.details('layer-error')).to.deep.equal([
        {
          code: 'PUBLIC_TOKEN_INVALID',
          message: 'Public token expired',
          requestId: 'req-422',
          linkSessionId: s.plaid.last.linkSessionId,
        },
      ]);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error' }]);
    });

    it('reports a 200 without a profile as BAD_RESPONSE instead of an empty layer-success', async () => {
      worker.use(http.post(`${API}/session`, () => HttpResponse.json({ ok: true }, { status: 200 })));
      const s = setup();
      await openLink(s);
      s.plaid.last.succeed();
      await waitUntil(() => s.session.state === 'error');
      expect(s.details('layer-success')).to.deep.equal([]);
      expect(s.details('layer-error')[0]).to.deep.include({
        code: 'BAD_RESPONSE',
        linkSessionId: s.plaid.last.linkSessionId,
      });
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error' }]);
    });

    it('gives up on an exchange that never answers after 30 s, with layer-error TIMEOUT', async () => {
      let requested = false;
      worker.use(
        http.post(`${API}/session`, async () => {
          requested = true;
          await new Promise(() => {});
          return HttpResponse.json({}, { status: 200 });
        }),
      );
      const s = setup();
      await openLink(s);
      s.plaid.last.succeed();
      await waitUntil(() => requested, 'the exchange was never requested');
      s.clock.advance(29_999);
      expect(s.session.state).to.equal('finishing');
      s.clock.advance(1);
      expect(s.session.state).to.equal('error');
      expect(s.details('layer-error')).to.deep.equal([
        {
          code: 'TIMEOUT',
          message: `POST ${API}/session did not answer within 30 s`,
          linkSessionId: s.plaid.last.linkSessionId,
        },
      ]);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error' }]);
      s.clock.advance(0);
      expect(s.clock.pending).to.equal(0);
    });

    it('destroys the handler once the flow is complete', async () => {
      const s = setup();
      await openLink(s);
      s.plaid.last.succeed();
      await waitUntil(() => s.session.state === 'complete');
      s.clock.advance(0);
      expect(s.plaid.last.destroyed).to.equal(true);
      expect(s.clock.pending).to.equal(0);
    });
  });

  describe('exit', () => {
    it('goes back to the phone step with a fresh token and handler after a user exit', async () => {
      const s = setup();
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
      expect(s.session.state).to.equal('loading');
      await waitUntil(() => s.session.state === 'ready');
      const second = s.plaid.last;
      expect(second).not.to.equal(first);
      expect(second.config.token).not.to.equal(first.config.token);
      s.clock.advance(0);
      expect(first.destroyed).to.equal(true);

      s.session.submitPhone('+14155550011');
      expect(second.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
    });

    it('falls back with authentication_failed after three wrong codes', async () => {
      const s = setup();
      await openLink(s);
      s.plaid.last.exitWith({ error_code: 'PROFILE_AUTHENTICATION_FAILED' });
      expect(s.details('layer-exit')[0]?.error?.error_code).to.equal('PROFILE_AUTHENTICATION_FAILED');
      expect(s.session.state).to.equal('fallback');
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'authentication_failed' }]);
    });

    it('reports other Link errors with the Link session and request ids, then falls back', async () => {
      const s = setup();
      await openLink(s);
      s.plaid.last.exitWith({
        error_type: 'API_ERROR',
        error_code: 'INTERNAL_SERVER_ERROR',
        error_message: 'oops',
      });
      expect(s.session.state).to.equal('error');
      expect(s.details('layer-error')).to.deep.equal([
        {
          code: 'INTERNAL_SERVER_ERROR',
          message: 'oops',
          requestId: 'req-exit-1',
          linkSessionId: s.plaid.last.linkSessionId,
        },
      ]);
      expect(s.details('layer-fallback')).to.deep.equal([{ reason: 'error' }]);
    });
  });

  describe('token lifetime', () => {
    it('recovers once from INVALID_LINK_TOKEN: new token, old handler destroyed, phone submitted again', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550011');
      const first = s.plaid.last;
      first.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      expect(s.session.state).to.equal('checking');
      await waitUntil(() => s.plaid.handlers.length === 2 && s.plaid.last.submitted.length === 1);
      const second = s.plaid.last;
      expect(second.config.token).not.to.equal(first.config.token);
      expect(second.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
      s.clock.advance(0);
      expect(first.destroyed).to.equal(true);
      expect(s.details('layer-exit')).to.deep.equal([]);

      second.event('LAYER_READY');
      expect(second.opened).to.equal(1);
      expect(s.session.state).to.equal('open');
    });

    it('gives up with layer-error when the new token is rejected too', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550011');
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await waitUntil(() => s.plaid.handlers.length === 2);
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      expect(s.session.state).to.equal('error');
      expect(s.details('layer-error')[0]?.code).to.equal('INVALID_LINK_TOKEN');
      expect(s.plaid.handlers).to.have.length(2);
    });

    it('recovers again from a later INVALID_LINK_TOKEN once the replacement token has worked', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550011');
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await waitUntil(() => s.plaid.handlers.length === 2 && s.plaid.last.submitted.length === 1);
      s.plaid.last.event('LAYER_READY');
      expect(s.session.state).to.equal('open');

      // Hours later, Link rejects the second token too (inactivity): a fresh recovery, no error.
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await waitUntil(() => s.plaid.handlers.length === 3 && s.plaid.last.submitted.length === 1);
      expect(s.plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
      expect(s.session.state).to.equal('checking');
      expect(s.details('layer-error')).to.deep.equal([]);
      expect(s.details('layer-exit')).to.deep.equal([]);
    });

    it('replays the date of birth after recovering from an invalid token', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.session.submitDateOfBirth('1975-01-18');
      s.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await waitUntil(() => s.plaid.handlers.length === 2 && s.plaid.last.submitted.length === 1);
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      expect(s.plaid.last.submitted).to.deep.equal([
        { phone_number: '+14155550000' },
        { date_of_birth: '1975-01-18' },
      ]);
      expect(s.session.state).to.equal('checking');
    });

    it('refreshes a token shortly before it expires while nobody uses the handler', async () => {
      const s = setup();
      worker.use(
        http.post(`${API}/link-token`, () => HttpResponse.json(linkToken(s.clock.now()), { status: 200 })),
      );
      await ready(s);
      const first = s.plaid.last;
      s.clock.advance(4 * 3600_000 - 5 * 60_000 - 1);
      expect(s.plaid.handlers).to.have.length(1);
      s.clock.advance(1);
      await waitUntil(() => s.plaid.handlers.length === 2, 'the token was not refreshed');
      expect(s.plaid.last.config.token).not.to.equal(first.config.token);
      expect(s.session.state).to.equal('ready');
      s.clock.advance(0);
      expect(first.destroyed).to.equal(true);
      expect(s.states()).to.deep.equal(['loading', 'ready']);
    });

    it('resumes Link after an OAuth redirect with the same token and the return URL', async () => {
      const first = setup();
      await ready(first);
      const token = first.plaid.last.config.token;
      const returnUrl = 'https://partner.example/signup?oauth_state_id=9f3b5b0c';

      const back = setup({ location: returnUrl });
      for (let i = 0; i < first.storage.length; i += 1) {
        const key = first.storage.key(i)!;
        back.storage.setItem(key, first.storage.getItem(key)!);
      }
      back.session.start();
      await waitUntil(() => back.session.state === 'open', 'Link was not re-opened');
      expect(back.plaid.last.config.token).to.equal(token);
      expect(back.plaid.last.config.receivedRedirectUri).to.equal(returnUrl);
      expect(back.plaid.last.opened).to.equal(1);
      expect(back.states()).to.deep.equal(['loading', 'open']);
    });

    it('ignores oauth_state_id without a stored token', async () => {
      const s = setup({ location: 'https://partner.example/signup?oauth_state_id=9f3b5b0c' });
      await ready(s);
      expect(s.plaid.last.config.receivedRedirectUri).to.equal(undefined);
      expect(s.plaid.last.opened).to.equal(0);
    });
  });

  describe('Link events', () => {
    it('forwards every Link event without personal data', async () => {
      const s = setup();
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
      const s = setup();
      await openLink(s);
      const handler = s.plaid.last;
      handler.succeed();
      // Link may flush non-real-time events after onSuccess, in any order, and an eligibility
      // answer may come twice.
      handler.event('HANDOFF');
      handler.event('LAYER_NOT_AVAILABLE');
      handler.event('TRANSITION_VIEW', { view_name: 'PROFILE_DATA_REVIEW' });
      handler.event('LAYER_READY');
      handler.close();
      await waitUntil(() => s.session.state === 'complete');
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
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550000');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.plaid.last.event('LAYER_NOT_AVAILABLE');
      s.plaid.last.event('LAYER_AUTOFILL_NOT_AVAILABLE');
      expect(s.session.state).to.equal('dob');
      expect(s.details('layer-fallback')).to.deep.equal([]);
    });
  });

  describe('tear-down', () => {
    it('exits and destroys an open handler and leaves no timer behind', async () => {
      const s = setup();
      await openLink(s);
      const handler = s.plaid.last;
      s.session.stop();
      expect(handler.exitCalls).to.deep.equal([{ force: true }]);
      expect(handler.destroyed).to.equal(true);
      expect(handler.node.isConnected).to.equal(false);
      expect(s.clock.pending).to.equal(0);
      expect(s.session.state).to.equal('idle');
      // The forced exit's onExit reaches nobody.
      expect(s.details('layer-exit')).to.deep.equal([]);
    });

    it('cancels a token request under way and ignores its answer', async () => {
      const answers: (() => void)[] = [];
      worker.use(
        http.post(`${API}/link-token`, async () => {
          await new Promise<void>((resolve) => answers.push(resolve));
          return HttpResponse.json(linkToken(), { status: 200 });
        }),
      );
      const s = setup();
      s.session.start();
      await waitUntil(() => answers.length === 1);
      s.session.stop();
      s.session.start();
      await waitUntil(() => answers.length === 2);
      answers.forEach((answer) => answer());
      await waitUntil(() => s.session.state === 'ready');
      expect(s.plaid.handlers).to.have.length(1);
      expect(s.states()).to.deep.equal(['loading', 'idle', 'loading', 'ready']);
      expect(s.details('layer-error')).to.deep.equal([]);
    });

    it('keeps an outcome when stopped, and reset() starts over from idle', async () => {
      const s = setup();
      await ready(s);
      s.session.submitPhone('+14155550011');
      s.clock.advance(10_000);
      s.session.stop();
      expect(s.session.state).to.equal('fallback');
      s.session.reset();
      expect(s.session.state).to.equal('idle');
      await ready(s);
      expect(s.plaid.handlers).to.have.length(2);
    });

    it('refuses submits in states that do not take them', async () => {
      const s = setup();
      expect(s.session.submitDateOfBirth('1975-01-18')).to.equal(false);
      await openLink(s);
      expect(s.session.submitPhone('+14155550011')).to.equal(false);
      expect(s.plaid.last.submitted).to.have.length(1);
    });
  });
});
