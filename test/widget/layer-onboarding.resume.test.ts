// <layer-onboarding> coming back from an OAuth bank, and settings a page changes after the element
// started: two elements with different backends on the return page, a reload of the return URL
// while the resumed Link is open, an `api` swapped (an SPA's route change) after the resumed flow
// failed, and `allow-webview` set after the element fell back in a webview (a framework that sets
// properties after the first render). The real backend answers on two mounts; Plaid's script is
// the hand-driven fake.
import { expect } from '@open-wc/testing';

import '../../widget/index.js';
import type { LayerOnboarding, LayerStateChangeDetail } from '../../widget/index.js';
import { EMULATOR_TEMPLATE_ID } from '../../emulator/index.js';
import { fetchLinkToken } from '../../widget/api-client.js';
import { forgetWarnings } from '../../widget/diagnostics.js';
import { API, apiFor } from './support/backend.js';
import { catchConsole } from './support/console.js';
import { attach, detachAll, element, recordEvents, typeAndSubmit, type Recorded } from './support/element.js';
import { detachAllAfterEach, FakePlaid } from './support/fake-plaid.js';
import { useWorker, watchLinkToken, type LinkTokenCall } from './support/msw.js';
import { until } from './support/wait.js';

/** A second backend: same emulator and template, another secret for its session handles. */
const OTHER_API = apiFor(EMULATOR_TEMPLATE_ID);

const stored = (api: string) => sessionStorage.getItem(`layer-onboarding:link-token:${api}`);

const worker = useWorker();

detachAllAfterEach();

/** The states of every `layer-state-change` among `events`, in order. */
function states(events: Recorded[]): string[] {
  return events.flatMap(({ type, detail }) =>
    type === 'layer-state-change' ? [(detail as LayerStateChangeDetail).state] : [],
  );
}

/** Runs `body` on an OAuth return URL of this page, with sessionStorage clear before and after. */
async function onReturnPage(body: (returnUrl: string) => Promise<void>): Promise<void> {
  const page = location.href;
  sessionStorage.clear();
  try {
    await body(`${location.pathname}?oauth_state_id=${crypto.randomUUID()}`);
  } finally {
    history.replaceState(null, '', page);
    sessionStorage.clear();
  }
}

/** Keeps a fresh token of `api` in this tab, as the widget does once its Link has opened. */
async function keepTokenFor(api: string): Promise<Awaited<ReturnType<typeof fetchLinkToken>>> {
  const token = await fetchLinkToken(api, null, Date.now);
  sessionStorage.setItem(`layer-onboarding:link-token:${api}`, JSON.stringify(token));
  return token;
}

describe('<layer-onboarding> and an OAuth return', () => {
  it('two elements with different backends: only the one whose Link went to the bank resumes', async () => {
    await onReturnPage(async (returnUrl) => {
      const plaid = new FakePlaid();
      const url = plaid.scriptUrl();
      const a = element('layer-onboarding', { 'link-script-src': url, api: API });
      const b = element('layer-onboarding', { 'link-script-src': url, api: OTHER_API });
      await attach(element('div', {}, a, b));
      await until(() => a.state === 'ready' && b.state === 'ready');
      // The visitor opens Link in A and closes it, then goes to the bank from B's Link.
      await typeAndSubmit(a, '415-555-0011');
      const inA = plaid.handlers.find((handler) => handler.submitted.length > 0)!;
      inA.event('LAYER_READY');
      inA.close();
      await until(() => a.state === 'ready', 'A never came back to the phone step');
      await typeAndSubmit(b, '415-555-0011');
      const inB = plaid.handlers.find((handler) => handler !== inA && handler.submitted.length > 0)!;
      inB.event('LAYER_READY');
      expect(b.state).to.equal('open');
      await detachAll(); // the bank's page replaces this one
      history.replaceState(null, '', returnUrl);

      const created = plaid.handlers.length;
      const a2 = element('layer-onboarding', { 'link-script-src': url, api: API });
      const b2 = element('layer-onboarding', { 'link-script-src': url, api: OTHER_API });
      await attach(element('div', {}, a2, b2));
      await until(() => b2.state === 'open', 'B’s Link was not resumed');
      await until(() => a2.state !== 'loading' && a2.state !== 'idle');
      const resumed = plaid.handlers.slice(created);
      const forB = resumed.find((handler) => handler.token === inB.token);
      const forA = resumed.find((handler) => handler !== forB);
      expect(forB!.token).to.equal(inB.token);
      expect(forB!.config.receivedRedirectUri).to.equal(location.href);
      expect(a2.state, 'A resumed Link with a token that never went to the bank').to.equal('ready');
      expect(forA!.config.receivedRedirectUri).to.equal(undefined);
      expect(forA!.opened).to.equal(0);
      expect(plaid.handlers.slice(created).filter((handler) => handler.opened > 0)).to.have.length(1);
    });
  });

  it('a reload of the return URL while the resumed Link is open does not resume it a second time', async () => {
    await onReturnPage(async (returnUrl) => {
      const token = await keepTokenFor(API);
      history.replaceState(null, '', returnUrl);
      const plaid = new FakePlaid();
      const url = plaid.scriptUrl();
      const el = await attach(element('layer-onboarding', { 'link-script-src': url, api: API }));
      await until(() => el.state === 'open', 'Link was not resumed');
      expect(stored(API), 'the token of an OAuth state Plaid has processed is kept').to.equal(null);

      await detachAll(); // the visitor reloads the page
      const again = await attach(element('layer-onboarding', { 'link-script-src': url, api: API }));
      await until(() => again.state !== 'idle' && again.state !== 'loading');
      expect(again.state).to.equal('ready');
      expect(plaid.last.token).not.to.equal(token.link_token);
      expect(plaid.last.config.receivedRedirectUri).to.equal(undefined);
    });
  });

  it('replaced before Link was made again (a framework re-rendering the return page): the new element resumes', async () => {
    await onReturnPage(async (returnUrl) => {
      const token = await keepTokenFor(API);
      history.replaceState(null, '', returnUrl);
      const plaid = new FakePlaid();
      const url = plaid.scriptUrl();
      const first = await attach(element('layer-onboarding', { 'link-script-src': url, api: API }));
      expect(first.state).to.equal('loading');
      await detachAll(); // before Link's script is in: no handler made with the OAuth state
      expect(plaid.handlers).to.have.length(0);

      const second = await attach(element('layer-onboarding', { 'link-script-src': url, api: API }));
      await until(() => second.state !== 'idle' && second.state !== 'loading');
      expect(second.state, 'the OAuth return was lost').to.equal('open');
      expect(plaid.handlers).to.have.length(1);
      expect(plaid.last.token).to.equal(token.link_token);
      expect(plaid.last.config.receivedRedirectUri).to.equal(location.href);
    });
  });

  it('api changed after the resumed Link failed: a fresh flow on the new api, nothing resumed again', async () => {
    await onReturnPage(async (returnUrl) => {
      // The tab kept a token for each backend: the visitor had opened Link with both before.
      await Promise.all([keepTokenFor(API), keepTokenFor(OTHER_API)]);
      history.replaceState(null, '', returnUrl);
      const plaid = new FakePlaid();
      const el = await attach(
        element('layer-onboarding', { 'link-script-src': plaid.scriptUrl(), api: API }),
      );
      await until(() => el.state === 'open', 'Link was not resumed');
      plaid.last.exitWith({ error_type: 'OAUTH_ERROR', error_code: 'OAUTH_STATE_ID_ALREADY_PROCESSED' });
      await el.updateComplete;
      expect(el.state).to.equal('error');
      const events = recordEvents(el);
      const calls: LinkTokenCall[] = [];
      worker.use(watchLinkToken(calls, OTHER_API));

      el.api = OTHER_API; // the page's route changed
      await until(() => el.state !== 'error' && el.state !== 'idle' && el.state !== 'loading');
      expect(el.state, 'the return was resumed again, with another backend’s token').to.equal('ready');
      expect(states(events)).to.deep.equal(['idle', 'loading', 'ready']);
      expect(calls).to.have.length(1);
      expect(plaid.last.token).to.equal(calls[0]!.answer.link_token);
      expect(plaid.last.config.receivedRedirectUri).to.equal(undefined);
      expect(plaid.handlers.filter((handler) => handler.opened > 0)).to.have.length(1);
      expect(stored(API)).to.equal(null);
    });
  });
});

describe('<layer-onboarding> on an OAuth return with no Link token in this tab', () => {
  // The bank sent the visitor back into another tab (sessionStorage is per tab), the storage was
  // cleared, or the browser blocks it (cookies blocked: sessionStorage throws on access).
  for (const blocked of [false, true])
    it(`${blocked ? 'storage blocked' : 'nothing stored'}: the phone step at once, which works on`, async () => {
      const descriptor = Object.getOwnPropertyDescriptor(window, 'sessionStorage')!;
      await onReturnPage(async (returnUrl) => {
        history.replaceState(null, '', returnUrl);
        if (blocked)
          Object.defineProperty(window, 'sessionStorage', {
            configurable: true,
            get: () => {
              throw new DOMException('The operation is insecure.', 'SecurityError');
            },
          });
        try {
          if (blocked) expect(() => window.sessionStorage).to.throw('insecure');
          const plaid = new FakePlaid();
          const el = await attach(
            element('layer-onboarding', { 'link-script-src': plaid.scriptUrl(), api: API }),
          );
          const events = recordEvents(el);
          await until(() => el.state !== 'idle' && el.state !== 'loading');
          expect(el.state).to.equal('ready');
          expect(plaid.last.config.receivedRedirectUri).to.equal(undefined);
          await typeAndSubmit(el, '415-555-0011');
          plaid.last.event('LAYER_READY');
          expect(el.state).to.equal('open');
          expect(events.filter((event) => event.type === 'layer-error')).to.deep.equal([]);
        } finally {
          Object.defineProperty(window, 'sessionStorage', descriptor);
        }
      });
    });
});

describe('<layer-onboarding> allow-webview set after it fell back in a webview', () => {
  const warnings = catchConsole('warn');
  const ANDROID_WEBVIEW =
    'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.64 Mobile Safari/537.36';
  beforeEach(() => {
    forgetWarnings();
    Object.defineProperty(navigator, 'userAgent', { value: ANDROID_WEBVIEW, configurable: true });
  });
  afterEach(() => {
    delete (navigator as { userAgent?: string }).userAgent;
  });

  for (const [how, allow] of [
    ['by attribute', (el: LayerOnboarding) => el.setAttribute('allow-webview', '')],
    ['by property', (el: LayerOnboarding) => (el.allowWebview = true)],
  ] as const)
    it(`${how}: the element starts, no reset() needed`, async () => {
      const plaid = new FakePlaid();
      const el = await attach(
        element('layer-onboarding', { 'link-script-src': plaid.scriptUrl(), api: API }),
      );
      await until(() => el.state === 'fallback');
      expect(warnings.take().join('\n')).to.contain('allow-webview');
      const events = recordEvents(el);

      allow(el); // a framework's first update, after the element connected
      await until(() => el.state === 'ready', 'allow-webview was not followed');
      expect(states(events)).to.deep.equal(['idle', 'loading', 'ready']);
      expect(events.filter((event) => event.type === 'layer-fallback')).to.deep.equal([]);
      expect(plaid.handlers).to.have.length(1);
    });

  it('a fallback of another reason stays until the next start', async () => {
    const plaid = new FakePlaid();
    const el = await attach(
      element('layer-onboarding', { 'link-script-src': plaid.scriptUrl(), api: API, 'allow-webview': '' }),
    );
    await until(() => el.state === 'ready');
    await typeAndSubmit(el, '+442079460958');
    expect(el.state).to.equal('fallback');
    el.allowWebview = false;
    await el.updateComplete;
    el.allowWebview = true;
    await el.updateComplete;
    expect(el.state).to.equal('fallback');
    expect(plaid.handlers).to.have.length(1);
  });
});
