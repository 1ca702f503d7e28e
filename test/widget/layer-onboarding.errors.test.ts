// Every error code of the contract, as a visitor and a partner page meet it: for each code the
// backend can answer (MSW, with the code's contract status) and each of the widget's own, the
// element fires layer-error with that code and layer-fallback { reason: 'error' }, and shows the
// message of the code's kind, in English and in Spanish.
import { expect } from '@open-wc/testing';

import {
  API_ERROR_CODES,
  API_ERRORS,
  ERROR_KINDS,
  WIDGET_ERROR_CODES,
  WIDGET_ERRORS,
  type ApiErrorCode,
  type ErrorKind,
  type LayerErrorCode,
  type WidgetErrorCode,
} from '../../contract/index.js';
import '../../widget/index.js';
import type { LayerErrorDetail, LayerOnboarding } from '../../widget/index.js';
import { forgetWarnings } from '../../widget/diagnostics.js';
import { EXCHANGE_TIMEOUT } from '../../widget/layer-flow.js';
import { stringsFor } from '../../widget/strings.js';
import { API, SANDBOX_PHONE } from './support/backend.js';
import { catchConsole } from './support/console.js';
import { attach, element, part, recordEvents, text, type Recorded } from './support/element.js';
import { detachAllAfterEach, FakePlaid } from './support/fake-plaid.js';
import { errorResponse, holdRoute, http, HttpResponse, useWorker } from './support/msw.js';
import { until } from './support/wait.js';

const worker = useWorker();

detachAllAfterEach();

interface Mounted {
  el: LayerOnboarding;
  plaid: FakePlaid;
  events: Recorded[];
}

async function mount(lang = 'en', scriptUrl?: string): Promise<Mounted> {
  const plaid = new FakePlaid();
  const el = document.createElement('layer-onboarding');
  el.linkScriptSrc = scriptUrl ?? plaid.scriptUrl();
  el.lang = lang;
  const events = recordEvents(el);
  await attach(element('div', {}, el));
  return { el, plaid, events };
}

/** From a mounted element: the phone submitted, Link eligible, and Link's success handed over. */
async function succeedInLink({ el, plaid }: Mounted): Promise<void> {
  await until(() => el.state === 'ready', 'never ready');
  el.submitPhone(SANDBOX_PHONE);
  plaid.last.event('LAYER_READY');
  plaid.last.succeed('public-sandbox-from-link');
}

/** The element ended in `error` with `code`, told the page so, and shows the message of its kind. */
async function expectFailure(
  { el, events }: Mounted,
  code: LayerErrorCode,
  kind: ErrorKind,
  { lang = 'en', phone }: { lang?: string; phone?: string } = {},
) {
  await until(() => el.state === 'error', `no error state for ${code}`);
  await el.updateComplete;
  const errors = events.filter((event) => event.type === 'layer-error').map((event) => event.detail);
  expect(errors).to.have.length(1);
  expect((errors[0] as LayerErrorDetail).code).to.equal(code);
  expect(
    events.filter((event) => event.type === 'layer-fallback').map((event) => event.detail),
  ).to.deep.equal([phone ? { reason: 'error', phone } : { reason: 'error' }]);
  expect(text(part(el, 'error'))).to.equal(stringsFor(lang).errors[kind]);
  expect(el.shadowRoot!.querySelector('button.retry'), 'Try again').not.to.equal(null);
  return errors[0] as LayerErrorDetail;
}

/** The codes `POST /session` can answer: all but the webhook's own. */
const SESSION_CODES = API_ERROR_CODES.filter((code) => !code.startsWith('WEBHOOK_'));

/** Codes that mean the API is unreachable or something else answers for it: a console warning says what to check. */
const API_PROBLEMS: readonly LayerErrorCode[] = ['NETWORK_ERROR', 'HTTP_ERROR'];

describe('<layer-onboarding> error codes', () => {
  const consoleErrors = catchConsole('error');
  const consoleWarnings = catchConsole('warn');
  beforeEach(() => forgetWarnings());

  /** A setup error (or an unreachable API) also tells whoever set up the page, in the console. */
  function expectConsoleHint(code: LayerErrorCode, kind: ErrorKind): void {
    const lines = consoleErrors.take();
    const warnings = consoleWarnings.take();
    if (kind === 'setup') {
      expect(lines).to.have.length(1);
      expect(lines[0]).to.contain(`<layer-onboarding>: ${code}: `);
    } else {
      expect(lines).to.deep.equal([]);
    }
    if (API_PROBLEMS.includes(code)) {
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain(`<layer-onboarding>: ${code}: `).and.contain('createLayerApi');
    } else {
      expect(warnings).to.deep.equal([]);
    }
  }

  describe('from POST /link-token', () => {
    for (const code of API_ERROR_CODES) {
      const { status, kind } = API_ERRORS[code];
      it(`${code} (${status}): layer-error, fallback, and the "${kind}" message`, async () => {
        worker.use(http.post(`${API}/link-token`, () => errorResponse(code, 'req-token')));
        const mounted = await mount();
        const error = await expectFailure(mounted, code, kind);
        expect(error).to.deep.equal({ code, message: `test: ${code}`, requestId: 'req-token' });
        expect(mounted.plaid.handlers).to.have.length(0);
        expectConsoleHint(code, kind);
      });
    }
  });

  describe('from POST /session', () => {
    for (const code of SESSION_CODES) {
      const { status, kind } = API_ERRORS[code];
      it(`${code} (${status}): layer-error with the Link session, fallback, and the "${kind}" message`, async () => {
        worker.use(http.post(`${API}/session`, () => errorResponse(code, 'req-session')));
        const mounted = await mount();
        await succeedInLink(mounted);
        const error = await expectFailure(mounted, code, kind, { phone: SANDBOX_PHONE });
        expect(error).to.deep.equal({
          code,
          message: `test: ${code}`,
          requestId: 'req-session',
          linkSessionId: mounted.plaid.last.linkSessionId,
        });
        expectConsoleHint(code, kind);
      });
    }
  });

  describe('the widget’s own', () => {
    /** How to bring about each of the widget's codes; a new code fails to compile until it has one. */
    const CASES: { readonly [C in WidgetErrorCode]: () => Promise<Mounted> } = {
      NETWORK_ERROR: async () => {
        worker.use(http.post(`${API}/link-token`, () => HttpResponse.error()));
        return mount();
      },
      HTTP_ERROR: async () => {
        worker.use(http.post(`${API}/link-token`, () => new HttpResponse(null, { status: 502 })));
        return mount();
      },
      BAD_RESPONSE: async () => {
        worker.use(http.post(`${API}/link-token`, () => HttpResponse.json({}, { status: 200 })));
        return mount();
      },
      TIMEOUT: async () => {
        const held: (() => void)[] = [];
        worker.use(holdRoute('/session', held));
        // The page's clock, with the 30 s exchange timeout run at once.
        const setTimeoutBefore = window.setTimeout;
        window.setTimeout = ((handler: TimerHandler, ms?: number, ...args: unknown[]) =>
          setTimeoutBefore(handler, ms === EXCHANGE_TIMEOUT ? 0 : ms, ...args)) as typeof window.setTimeout;
        try {
          const mounted = await mount();
          await succeedInLink(mounted);
          await until(() => mounted.el.state === 'error', 'the exchange never timed out');
          held.forEach((release) => release());
          return mounted;
        } finally {
          window.setTimeout = setTimeoutBefore;
        }
      },
      SCRIPT_LOAD_FAILED: async () => {
        const missing = URL.createObjectURL(new Blob([''], { type: 'text/javascript' }));
        URL.revokeObjectURL(missing);
        return mount('en', missing);
      },
      LINK_CREATE_FAILED: async () => {
        const mounted = await mount();
        mounted.plaid.createError = new Error('Link is broken');
        return mounted;
      },
      UNEXPECTED_ERROR: async () => {
        const mounted = await mount();
        mounted.plaid.openError = new Error('open() failed');
        await until(() => mounted.el.state === 'ready', 'never ready');
        mounted.el.submitPhone(SANDBOX_PHONE);
        mounted.plaid.last.event('LAYER_READY');
        return mounted;
      },
    };

    /** The cases that fail after the visitor gave their number. */
    const AFTER_PHONE: readonly WidgetErrorCode[] = ['TIMEOUT', 'UNEXPECTED_ERROR'];

    for (const code of WIDGET_ERROR_CODES) {
      const { kind } = WIDGET_ERRORS[code];
      it(`${code}: layer-error, fallback, and the "${kind}" message`, async () => {
        const mounted = await CASES[code]();
        await expectFailure(mounted, code, kind, AFTER_PHONE.includes(code) ? { phone: SANDBOX_PHONE } : {});
        expectConsoleHint(code, kind);
      });
    }
  });

  describe('in Spanish', () => {
    /** One backend code of each kind. */
    const BY_KIND = Object.fromEntries(
      ERROR_KINDS.map((kind) => [kind, API_ERROR_CODES.find((code) => API_ERRORS[code].kind === kind)!]),
    ) as Record<ErrorKind, ApiErrorCode>;

    for (const kind of ERROR_KINDS) {
      it(`shows the "${kind}" message in Spanish (${BY_KIND[kind]})`, async () => {
        worker.use(http.post(`${API}/link-token`, () => errorResponse(BY_KIND[kind])));
        const mounted = await mount('es');
        await expectFailure(mounted, BY_KIND[kind], kind, { lang: 'es' });
        expect(text(part(mounted.el, 'error'))).not.to.equal(stringsFor('en').errors[kind]);
        expectConsoleHint(BY_KIND[kind], kind);
      });
    }
  });

  it('a Link error_code of its own shows the message of its kind (INVALID_LINK_TOKEN: start over)', async () => {
    const mounted = await mount();
    await until(() => mounted.el.state === 'ready', 'never ready');
    mounted.el.submitPhone(SANDBOX_PHONE);
    mounted.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
    await until(() => mounted.plaid.handlers.length === 2, 'no replacement handler');
    mounted.plaid.last.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
    await expectFailure(mounted, 'INVALID_LINK_TOKEN', 'session', { phone: SANDBOX_PHONE });
  });
});
