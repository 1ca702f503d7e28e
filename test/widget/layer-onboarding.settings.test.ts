// <layer-onboarding> when the page changes its settings after it has connected: a framework that
// renders first and sets `api` once its config has arrived, a re-render with a new prop, an
// attribute set from script, a subtree moved or a component mounted twice (connect, disconnect,
// connect). The real backend answers on two mounts (`API`, and `OTHER_API` with its own signing
// secret, so a session handle of one is refused by the other); Plaid's script is the hand-driven
// fake.
import { expect } from '@open-wc/testing';

import '../../widget/index.js';
import type { LayerOnboarding, LayerStateChangeDetail } from '../../widget/index.js';
import { EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { fetchLinkToken } from '../../widget/api-client.js';
import { API, apiFor, publicTokenFor } from './support/backend.js';
import { catchConsole } from './support/console.js';
import { attach, element, recordEvents, typeAndSubmit, type Recorded } from './support/element.js';
import { detachAllAfterEach, FakePlaid } from './support/fake-plaid.js';
import {
  errorResponse,
  http,
  passThrough,
  useWorker,
  watchLinkToken,
  type LinkTokenCall,
} from './support/msw.js';
import { until } from './support/wait.js';

/** A second backend: same emulator and template, another secret for its session handles. */
const OTHER_API = apiFor(EMULATOR_TEMPLATE_ID);

/** No backend there: the dev server answers 404 without the error body (HTTP_ERROR). */
const NO_API = '/api/nowhere';

const worker = useWorker();

detachAllAfterEach();

interface Mounted {
  el: LayerOnboarding;
  plaid: FakePlaid;
}

/** Mounts the element with a fresh fake Link script; `attributes` are set before connecting. */
async function mount(attributes: Record<string, string> = {}): Promise<Mounted> {
  const plaid = new FakePlaid();
  const el = element('layer-onboarding', { 'link-script-src': plaid.scriptUrl(), ...attributes });
  await attach(element('div', {}, el));
  return { el, plaid };
}

/** The backend route every `POST` went to, in order (passed on to the real backend). */
function watchPosts(paths: string[]) {
  return http.post(/\/api\/.*/, ({ request }) => {
    paths.push(new URL(request.url).pathname);
    return passThrough(request);
  });
}

/** The states of every `layer-state-change` among `events`, in order. */
function states(events: Recorded[]): string[] {
  return events.flatMap(({ type, detail }) =>
    type === 'layer-state-change' ? [(detail as LayerStateChangeDetail).state] : [],
  );
}

/** Link says the number is eligible and the visitor finishes in Link: Link's onSuccess. */
async function finishInLink(plaid: FakePlaid): Promise<void> {
  plaid.last.event('LAYER_READY');
  plaid.last.succeed(await publicTokenFor(plaid.last.token));
}

describe('<layer-onboarding> settings changed after connect', () => {
  // A backend that is not there warns in development (once per page): taken where expected.
  const warnings = catchConsole('warn');

  describe('api', () => {
    it('set after the first backend failed, before the visitor submits: ready against the new one without a reload', async () => {
      const { el, plaid } = await mount({ api: NO_API });
      await until(() => el.state === 'error', 'the missing backend never failed');
      warnings.take();
      const tokens: LinkTokenCall[] = [];
      worker.use(watchLinkToken(tokens));

      el.api = API;
      await until(() => el.state === 'ready', 'the element never became ready against the new api');
      expect(tokens).to.have.length(1);
      expect(plaid.handlers).to.have.length(1);
      expect(plaid.last.token).to.equal(tokens[0]!.answer.link_token);

      await typeAndSubmit(el, '415-555-0011');
      await finishInLink(plaid);
      await until(() => el.state === 'complete');
    });

    it('set by attribute while the first backend has not answered: the old request is dropped', async () => {
      const held: (() => void)[] = [];
      worker.use(
        http.post('/api/held/link-token', async () => {
          await new Promise<void>((resolve) => held.push(resolve));
          return errorResponse('PLAID_ERROR');
        }),
      );
      const { el, plaid } = await mount({ api: '/api/held' });
      await until(() => held.length === 1, 'the first backend was never asked');
      expect(el.state).to.equal('loading');
      const events = recordEvents(el);

      el.setAttribute('api', API);
      await until(() => el.state === 'ready', 'the element never became ready against the new api');
      held[0]!(); // the old backend's late failure changes nothing
      await el.updateComplete;
      expect(el.state).to.equal('ready');
      expect(states(events)).to.deep.equal(['idle', 'loading', 'ready']);
      expect(plaid.handlers).to.have.length(1);
    });

    it('changed when ready: starts over with the new one, and the visitor’s session is the new one’s', async () => {
      const { el, plaid } = await mount({ api: API });
      await until(() => el.state === 'ready');
      const first = plaid.last;
      const events = recordEvents(el);
      const posts: string[] = [];
      worker.use(watchPosts(posts));

      el.api = OTHER_API;
      await el.updateComplete;
      await until(() => el.state === 'ready', 'the element never became ready again');
      expect(states(events)).to.deep.equal(['idle', 'loading', 'ready']);
      expect(plaid.handlers).to.have.length(2);
      expect(first.destroyed, 'the handler of the old api is let go of').to.equal(true);
      await typeAndSubmit(el, '415-555-0011');
      expect(first.submitted).to.deep.equal([]);
      expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
      await finishInLink(plaid);
      await until(() => el.state !== 'finishing');
      expect(el.state).to.equal('complete');
      expect(posts).to.deep.equal([`${OTHER_API}/link-token`, `${OTHER_API}/session`]);
    });

    it('changed while Link is open: Link stays, the token is exchanged where it came from; the next start uses the new api', async () => {
      const { el, plaid } = await mount({ api: API });
      await until(() => el.state === 'ready');
      await typeAndSubmit(el, '415-555-0011');
      plaid.last.event('LAYER_READY');
      expect(el.state).to.equal('open');
      const posts: string[] = [];
      worker.use(watchPosts(posts));

      el.setAttribute('api', OTHER_API);
      await el.updateComplete;
      expect(el.state).to.equal('open');
      expect(plaid.handlers).to.have.length(1);
      expect(plaid.last.destroyed).to.equal(false);
      plaid.last.succeed(await publicTokenFor(plaid.last.token));
      await until(() => el.state !== 'finishing');
      expect(el.state).to.equal('complete');
      expect(posts).to.deep.equal([`${API}/session`]);

      // After success the outcome stays: a setting changed now waits for the next start.
      el.api = NO_API;
      await el.updateComplete;
      el.api = OTHER_API;
      await el.updateComplete;
      expect(el.state).to.equal('complete');
      expect(el.value).not.to.equal('');
      el.reset();
      await until(() => el.state === 'ready');
      expect(posts).to.deep.equal([`${API}/session`, `${OTHER_API}/link-token`]);
    });

    it('changed while Link checks the number: the token Link opens with is kept for an OAuth return under the api that issued it', async () => {
      sessionStorage.clear();
      try {
        const { el, plaid } = await mount({ api: API });
        await until(() => el.state === 'ready');
        await typeAndSubmit(el, '415-555-0011');
        el.api = OTHER_API;
        await el.updateComplete;
        expect(el.state).to.equal('checking');
        plaid.last.event('LAYER_READY');
        expect(el.state).to.equal('open');
        expect(plaid.handlers).to.have.length(1);
        const stored = (api: string) => sessionStorage.getItem(`layer-onboarding:link-token:${api}`);
        expect(stored(OTHER_API), 'another backend’s token under the new api').to.equal(null);
        expect(JSON.parse(stored(API)!)).to.have.property('link_token', plaid.last.token);
      } finally {
        sessionStorage.clear();
      }
    });

    it('set on an OAuth return page: Link resumes with the token stored for the new api', async () => {
      const stored = await fetchLinkToken(OTHER_API, null, Date.now);
      sessionStorage.clear(); // what the elements before this one stored for API
      sessionStorage.setItem(`layer-onboarding:link-token:${OTHER_API}`, JSON.stringify(stored));
      const page = location.href;
      history.replaceState(null, '', `${location.pathname}?oauth_state_id=4b9a1e2c`);
      try {
        const { el, plaid } = await mount({ api: API });
        await until(() => el.state === 'ready', 'no token stored for the first api: a fresh start');
        el.api = OTHER_API;
        await until(() => el.state === 'open', 'Link was not resumed');
        expect(plaid.last.token).to.equal(stored.link_token);
        expect(plaid.last.config.receivedRedirectUri).to.equal(location.href);
      } finally {
        history.replaceState(null, '', page);
        sessionStorage.clear();
      }
    });

    it('changed while an OAuth return resumes: Link still resumes, with the token of the api that issued it', async () => {
      // The visitor gave their number before the bank's redirect: resuming is after a number.
      const stored = await fetchLinkToken(API, null, Date.now);
      sessionStorage.clear();
      sessionStorage.setItem(`layer-onboarding:link-token:${API}`, JSON.stringify(stored));
      const page = location.href;
      history.replaceState(null, '', `${location.pathname}?oauth_state_id=4b9a1e2c`);
      try {
        const plaid = new FakePlaid();
        plaid.autoLoad = false; // Link stays loading until the test says
        const el = element('layer-onboarding', { 'link-script-src': plaid.scriptUrl(), api: API });
        await attach(element('div', {}, el));
        await until(() => plaid.handlers.length === 1);
        expect(el.state).to.equal('loading');
        expect(plaid.last.token).to.equal(stored.link_token);
        el.api = OTHER_API;
        await el.updateComplete;
        plaid.handlers[0]!.load();
        await until(
          () => el.state === 'open' || plaid.handlers.length > 1,
          'Link neither resumed nor restarted',
        );
        expect(plaid.handlers, 'Link was started over with a new token').to.have.length(1);
        expect(el.state).to.equal('open');
        expect(plaid.last.opened).to.equal(1);
      } finally {
        history.replaceState(null, '', page);
        sessionStorage.clear();
      }
    });

    it('set on insertion, before the first update: one token, from that api', async () => {
      const posts: string[] = [];
      worker.use(watchPosts(posts));
      const plaid = new FakePlaid();
      const el = element('layer-onboarding', { 'link-script-src': plaid.scriptUrl() });
      const wrapper = await attach(element('div'));
      wrapper.append(el);
      el.api = OTHER_API;
      await until(() => el.state === 'ready');
      expect(posts).to.deep.equal([`${OTHER_API}/link-token`]);
      expect(plaid.handlers).to.have.length(1);
    });
  });

  describe('link-script-src', () => {
    it('set after the first script failed to load: ready with the new script', async () => {
      const { el } = await mount({ 'link-script-src': '/nowhere/link-initialize.js', api: API });
      await until(() => el.state === 'error', 'the missing script never failed');
      const plaid = new FakePlaid();

      el.setAttribute('link-script-src', plaid.scriptUrl());
      await until(() => el.state === 'ready', 'the element never became ready with the new script');
      expect(plaid.handlers).to.have.length(1);
    });
  });

  describe('preload', () => {
    it('changed from intent to eager after connect: starts at once; back to intent changes nothing', async () => {
      const { el, plaid } = await mount({ preload: 'intent' });
      expect(el.state).to.equal('idle');

      el.preload = 'eager';
      await until(() => el.state === 'ready', 'preload="eager" set later never started the element');
      expect(plaid.handlers).to.have.length(1);
      el.setAttribute('preload', 'intent');
      await el.updateComplete;
      expect(el.state).to.equal('ready');
      expect(plaid.handlers).to.have.length(1);
    });
  });

  describe('connected twice (a moved subtree, a component mounted twice)', () => {
    it('connected, removed and connected again at once: one token fetch, one handler', async () => {
      const tokens: LinkTokenCall[] = [];
      worker.use(watchLinkToken(tokens));
      const plaid = new FakePlaid();
      const el = element('layer-onboarding', { 'link-script-src': plaid.scriptUrl() });
      const wrapper = await attach(element('div'));
      wrapper.append(el);
      el.remove();
      wrapper.append(el);
      await until(() => el.state === 'ready');
      expect(tokens).to.have.length(1);
      expect(plaid.handlers).to.have.length(1);
      expect(document.querySelectorAll('[data-fake-plaid-link]')).to.have.length(1);
    });

    it('removed while its token is on the way and connected again (with a new api): the first answer is dropped', async () => {
      const held: { path: string; release: () => void }[] = [];
      const answers: string[] = [];
      let settled = 0;
      worker.use(
        http.post(/\/link-token$/, async ({ request }) => {
          await new Promise<void>((release) => held.push({ path: new URL(request.url).pathname, release }));
          try {
            const response = await passThrough(request);
            answers.push(((await response.clone().json()) as { link_token: string }).link_token);
            return response;
          } finally {
            settled += 1;
          }
        }),
      );
      const plaid = new FakePlaid();
      const el = element('layer-onboarding', { 'link-script-src': plaid.scriptUrl(), api: API });
      const wrapper = await attach(element('div'));
      wrapper.append(el);
      await until(() => held.length === 1);
      el.remove();
      await until(() => el.state === 'idle');
      el.api = OTHER_API;
      wrapper.append(el);
      await until(() => held.length === 2);
      expect(held.map((request) => request.path)).to.deep.equal([
        `${API}/link-token`,
        `${OTHER_API}/link-token`,
      ]);

      held[1]!.release();
      await until(() => el.state === 'ready');
      held[0]!.release(); // the request the removal let go of: its answer is dropped
      await until(() => settled === 2);
      await el.updateComplete;
      expect(plaid.handlers).to.have.length(1);
      expect(plaid.last.token).to.equal(answers[0]);
      expect(el.state).to.equal('ready');
    });
  });
});
