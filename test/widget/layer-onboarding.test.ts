// <layer-onboarding> on the real backend (/api/layer), with Plaid's script replaced by a fake that
// tests drive by hand (support/fake-plaid.ts), loaded through the element's own script loader.
// The Layer outcomes against the emulator's real Link script and UI are in
// layer-onboarding.emulator.test.ts, every error code in layer-onboarding.errors.test.ts; this
// file keeps what only a hand-driven double can produce (a handler that never loads, onSuccess
// twice, a timeout, a script that fails to load) and the element's own rendering.
import { expect, oneEvent } from '@open-wc/testing';

import '../../widget/index.js';
import { defineLayerOnboarding, LayerOnboarding } from '../../widget/index.js';
import { fetchLinkToken } from '../../widget/api-client.js';
import { forgetWarnings } from '../../widget/diagnostics.js';
import { API, browserProfileOf, itemCountOf, publicTokenFor, SANDBOX_PHONE } from './support/backend.js';
import {
  attach,
  detachAll,
  element,
  field,
  part,
  recordEvents,
  scriptTags,
  submitButton,
  text,
  typeAndSubmit,
} from './support/element.js';
import { detachAllAfterEach, FakePlaid } from './support/fake-plaid.js';
import {
  http,
  HttpResponse,
  passThrough,
  useWorker,
  watchLinkToken,
  type LinkTokenCall,
} from './support/msw.js';
import type { SessionResponse } from '../../contract/index.js';
import { catchConsole } from './support/console.js';
import { until } from './support/wait.js';

const worker = useWorker();

detachAllAfterEach();

interface Mounted {
  el: LayerOnboarding;
  plaid: FakePlaid;
  scriptUrl: string;
}

/** Mounts the element with a fresh fake Link script; `extra` is applied before connecting. */
async function mount(extra: (el: LayerOnboarding) => void = () => {}): Promise<Mounted> {
  const plaid = new FakePlaid();
  const scriptUrl = plaid.scriptUrl();
  const el = document.createElement('layer-onboarding');
  el.setAttribute('link-script-src', scriptUrl);
  extra(el);
  await attach(element('div', {}, el));
  await el.updateComplete;
  return { el, plaid, scriptUrl };
}

async function mountReady(extra?: (el: LayerOnboarding) => void): Promise<Mounted> {
  const mounted = await mount(extra);
  await until(() => mounted.el.state === 'ready', 'the element never became ready');
  await mounted.el.updateComplete;
  return mounted;
}

/** Link's success, with a public token the emulator made for the handler's real Link token. */
async function succeed(plaid: FakePlaid): Promise<void> {
  plaid.last.succeed(await publicTokenFor(plaid.last.token));
}

/** 415-555-0011 submitted and eligible, then Link's success: resolves with `layer-success`. */
async function completeInLink(el: LayerOnboarding, plaid: FakePlaid) {
  await typeAndSubmit(el, '415-555-0011');
  plaid.last.event('LAYER_READY');
  const success = oneEvent(el, 'layer-success');
  await succeed(plaid);
  return success;
}

/** 415-555-0011 submitted and eligible, then Link closes on an error of Plaid's own (state `error`). */
async function failInLink(el: LayerOnboarding, plaid: FakePlaid): Promise<void> {
  await typeAndSubmit(el, '415-555-0011');
  plaid.last.event('LAYER_READY');
  plaid.last.exitWith({
    error_type: 'API_ERROR',
    error_code: 'INTERNAL_SERVER_ERROR',
    error_message: 'boom',
  });
  await el.updateComplete;
}

describe('<layer-onboarding>', () => {
  describe('rendering', () => {
    it('renders a labelled phone input and a button', async () => {
      const { el } = await mountReady();
      const input = field(el);
      expect(input.labels?.[0]?.textContent?.trim()).to.equal('Phone number');
      expect(input.type).to.equal('tel');
      expect(input.autocomplete).to.equal('tel');
      expect(input.inputMode).to.equal('tel');
      expect(text(submitButton(el))).to.equal('Continue');
      const parts = Array.from(el.shadowRoot!.querySelectorAll('[part]'), (node) =>
        node.getAttribute('part'),
      );
      expect(parts).to.have.members(['form', 'label', 'input', 'button', 'status', 'error', 'fallback']);
      expect(part(el, 'status').getAttribute('role')).to.equal('status');
    });

    it('is accessible', async () => {
      const { el } = await mountReady();
      await expect(el).to.be.accessible();
    });

    it('registers the tag, and registering again is harmless', () => {
      expect(customElements.get('layer-onboarding')).to.equal(LayerOnboarding);
      defineLayerOnboarding();
      expect(customElements.get('layer-onboarding')).to.equal(LayerOnboarding);
    });

    it('is accessible with an error showing', async () => {
      const { el } = await mountReady();
      await typeAndSubmit(el, '555');
      await expect(el).to.be.accessible();
    });

    it('is accessible while checking, when complete and in the fallback state, in Spanish too', async () => {
      const { el, plaid } = await mountReady((node) => node.setAttribute('lang', 'es'));
      await typeAndSubmit(el, '415-555-0011');
      await expect(el).to.be.accessible();
      plaid.last.event('LAYER_READY');
      await succeed(plaid);
      await until(() => el.state === 'complete');
      await el.updateComplete;
      await expect(el).to.be.accessible();

      const other = await mountReady();
      await typeAndSubmit(other.el, '415-555-0000');
      other.plaid.last.event('LAYER_NOT_AVAILABLE');
      await other.el.updateComplete;
      other.el.shadowRoot!.querySelector<HTMLButtonElement>('button.skip')!.click();
      await other.el.updateComplete;
      expect(other.el.state).to.equal('fallback');
      await expect(other.el).to.be.accessible();
    });

    it('prefills the phone attribute', async () => {
      const { el } = await mountReady((node) => node.setAttribute('phone', '(415) 555-0011'));
      expect(field(el).value).to.equal('(415) 555-0011');
    });

    it('speaks Spanish with lang="es", and follows a change of lang', async () => {
      const { el } = await mountReady((node) => node.setAttribute('lang', 'es'));
      expect(text(part(el, 'label'))).to.equal('Número de teléfono');
      expect(text(submitButton(el))).to.equal('Continuar');
      el.setAttribute('lang', 'en');
      await el.updateComplete;
      expect(text(part(el, 'label'))).to.equal('Phone number');
    });

    it('takes the language of its page', async () => {
      const wrapper = await attach(element('div', { lang: 'es-MX' }));
      const plaid = new FakePlaid();
      const el = document.createElement('layer-onboarding');
      el.linkScriptSrc = plaid.scriptUrl();
      wrapper.append(el);
      await el.updateComplete;
      expect(text(part(el, 'label'))).to.equal('Número de teléfono');
    });

    it('shows the legal slot, and a default notice without one', async () => {
      const { el } = await mountReady();
      const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name=legal]')!;
      expect(text(slot)).to.equal('Secured by Plaid. How Plaid uses your data');
      const legal = document.createElement('small');
      legal.slot = 'legal';
      legal.textContent = 'By continuing you accept our terms.';
      el.append(legal);
      expect(slot.assignedElements()).to.deep.equal([legal]);
    });

    it('styles through --layer-onboarding-* custom properties', async () => {
      const { el } = await mountReady();
      el.style.setProperty('--layer-onboarding-accent', 'rgb(1, 2, 3)');
      el.style.setProperty('--layer-onboarding-radius', '3px');
      const style = getComputedStyle(submitButton(el));
      expect(style.backgroundColor).to.equal('rgb(1, 2, 3)');
      expect(style.borderTopLeftRadius).to.equal('3px');
    });
  });

  describe('preload', () => {
    it('eager: fetches a token, loads Link and creates the handler on connect', async () => {
      const states: string[] = [];
      const { el, plaid } = await mount((node) =>
        node.addEventListener('layer-state-change', (event) => states.push(event.detail.state)),
      );
      await until(() => el.state === 'ready');
      expect(plaid.handlers).to.have.length(1);
      expect(plaid.last.config.token).to.match(/^link-sandbox-/);
      expect(el.getAttribute('state')).to.equal('ready');
      expect(states).to.deep.equal(['loading', 'ready']);
    });

    it('eager: fires its first layer-state-change a microtask after insertion, not inside connectedCallback', async () => {
      const plaid = new FakePlaid();
      const el = document.createElement('layer-onboarding');
      el.linkScriptSrc = plaid.scriptUrl();
      const events = recordEvents(el);
      const wrapper = await attach(element('div'));
      wrapper.append(el);
      expect(events, 'nothing fired while the page inserts the element').to.deep.equal([]);
      expect(el.getAttribute('state')).to.equal('idle');
      await Promise.resolve();
      expect(events).to.deep.equal([
        { type: 'layer-state-change', detail: { state: 'loading', previous: 'idle' } },
      ]);
      await until(() => el.state === 'ready');
    });

    it('intent: waits for the first focus', async () => {
      const tokens: LinkTokenCall[] = [];
      worker.use(watchLinkToken(tokens));
      const { el, plaid } = await mount((node) => node.setAttribute('preload', 'intent'));
      expect(el.state).to.equal('idle');
      expect(el.getAttribute('state')).to.equal('idle');
      expect(plaid.handlers).to.have.length(0);
      focus(field(el));
      await until(() => el.state === 'ready');
      expect(plaid.handlers).to.have.length(1);
      focus(field(el));
      expect(tokens).to.have.length(1);
    });

    it('intent: or for the first keystroke', async () => {
      const { el, plaid } = await mount((node) => node.setAttribute('preload', 'intent'));
      const input = field(el);
      input.value = '4';
      input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, data: '4' }));
      await until(() => el.state === 'ready');
      expect(plaid.handlers).to.have.length(1);
    });

    it('intent: removal drops the listeners, re-insertion listens again', async () => {
      const { el, plaid } = await mount((node) => node.setAttribute('preload', 'intent'));
      const parent = el.parentElement!;
      el.remove();
      field(el).dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      expect(el.state).to.equal('idle');
      parent.append(el);
      expect(el.state).to.equal('idle');
      focus(field(el));
      await until(() => el.state === 'ready');
      expect(plaid.handlers).to.have.length(1);
    });

    it('intent: an OAuth return resumes Link at once with the stored token and the return URL', async () => {
      const stored = await fetchLinkToken(API, null, Date.now);
      sessionStorage.setItem(`layer-onboarding:link-token:${API}`, JSON.stringify(stored));
      const page = location.href;
      history.replaceState(null, '', `${location.pathname}?oauth_state_id=4b9a1e2c`);
      try {
        const { el, plaid } = await mount((node) => node.setAttribute('preload', 'intent'));
        await until(() => el.state === 'open', 'Link was not resumed without a focus');
        expect(plaid.last.config.token).to.equal(stored.link_token);
        expect(plaid.last.config.receivedRedirectUri).to.equal(location.href);
        expect(plaid.last.opened).to.equal(1);
      } finally {
        history.replaceState(null, '', page);
        sessionStorage.clear();
      }
    });

    it('intent: a submit before any focus starts everything and waits for Link', async () => {
      const { el, plaid } = await mount((node) => (node.preload = 'intent'));
      plaid.autoLoad = false;
      expect(el.submitPhone('415 555 0011')).to.equal(true);
      expect(el.state).to.equal('checking');
      await until(() => plaid.handlers.length === 1);
      expect(plaid.last.submitted).to.deep.equal([]);
      plaid.last.load();
      expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
    });
  });

  describe('phone step', () => {
    for (const [typed, e164] of [
      ['(415) 555-0011', '+14155550011'],
      ['415.555.0011', '+14155550011'],
      ['+1 415 555 0011', '+14155550011'],
      ['1-415-555-0011', '+14155550011'],
    ]) {
      it(`submits ${typed} as ${e164}`, async () => {
        const { el, plaid } = await mountReady();
        await typeAndSubmit(el, typed!);
        expect(plaid.last.submitted).to.deep.equal([{ phone_number: e164 }]);
        expect(el.state).to.equal('checking');
        expect(text(part(el, 'status'))).to.equal('Checking your number…');
        expect(part(el, 'spinner').getAttribute('aria-hidden')).to.equal('true');
        // Unavailable, yet focusable: a disabled button would drop the keyboard's focus to the page.
        expect(submitButton(el).getAttribute('aria-disabled')).to.equal('true');
        expect(submitButton(el).disabled).to.equal(false);
      });
    }

    it('falls back at once with not_eligible for a number outside the US: no date-of-birth step', async () => {
      const { el, plaid } = await mountReady();
      const events = recordEvents(el);
      await typeAndSubmit(el, '+44 20 7946 0958');
      await el.updateComplete;
      expect(plaid.last.submitted).to.deep.equal([]);
      expect(el.state).to.equal('fallback');
      expect(events.filter((event) => event.type === 'layer-fallback')).to.deep.equal([
        { type: 'layer-fallback', detail: { reason: 'not_eligible', phone: '+442079460958' } },
      ]);
      expect(text(el.shadowRoot!.querySelector('.fallback')!)).to.equal(
        'Instant sign-up works with US numbers only. Please fill in the form. Use a different number',
      );
      expect(focused(el), 'the visitor was in the flow: focus on the message').to.equal('div.fallback');
      await expect(el).to.be.accessible();
    });

    it('shows an inline message for an invalid number and submits nothing', async () => {
      const { el, plaid } = await mountReady();
      await typeAndSubmit(el, '555-0011');
      const input = field(el);
      expect(text(part(el, 'error'))).to.equal('Enter a valid phone number, like (415) 555-0123.');
      expect(part(el, 'error').getAttribute('role')).to.equal('alert');
      expect(input.getAttribute('aria-invalid')).to.equal('true');
      expect(input.getAttribute('aria-describedby')!.split(' ')).to.include(part(el, 'error').id);
      expect(plaid.last.submitted).to.deep.equal([]);
      expect(el.state).to.equal('ready');
      expect(el.submitPhone('hello')).to.equal(false);

      // Pressing the button again with the mouse or keyboard takes focus back to the field to fix.
      submitButton(el).focus();
      submitButton(el).click();
      await el.updateComplete;
      expect(focused(el)).to.equal('input#phone');

      input.value = '555-0011 2';
      input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      await el.updateComplete;
      expect(text(part(el, 'error'))).to.equal('');
      expect(input.getAttribute('aria-invalid')).to.equal('false');
    });

    it('pressing the button again on the same invalid number takes focus back to the field', async () => {
      const { el } = await mountReady();
      await typeAndSubmit(el, '555-0011');
      submitButton(el).focus();
      submitButton(el).click();
      await el.updateComplete;
      expect(focused(el)).to.equal('input#phone');
    });

    it('inside another component’s shadow root, an invalid number takes focus back to the field too', async () => {
      const plaid = new FakePlaid();
      const host = await attach(element('div'));
      const el = document.createElement('layer-onboarding');
      el.linkScriptSrc = plaid.scriptUrl();
      host.attachShadow({ mode: 'open' }).append(el);
      await until(() => el.state === 'ready');
      await typeAndSubmit(el, '555-0011');
      submitButton(el).focus();
      submitButton(el).click();
      await el.updateComplete;
      expect(focused(el)).to.equal('input#phone');
    });
  });

  describe('eligibility', () => {
    it('LAYER_READY: fires layer-eligible and opens Link', async () => {
      const { el, plaid } = await mountReady();
      await typeAndSubmit(el, '415-555-0011');
      setTimeout(() => plaid.last.event('LAYER_READY'));
      const event = await oneEvent(el, 'layer-eligible');
      expect(event.detail).to.deep.equal({ via: 'phone' });
      expect(plaid.last.opened).to.equal(1);
      expect(el.state).to.equal('open');
      await el.updateComplete;
      expect(text(part(el, 'status'))).to.equal('Continue in the Plaid window.');
    });

    it('LAYER_NOT_AVAILABLE: asks for the date of birth, then LAYER_READY opens Link', async () => {
      const { el, plaid } = await mountReady();
      await typeAndSubmit(el, '415-555-0000');
      plaid.last.event('LAYER_NOT_AVAILABLE');
      await el.updateComplete;
      expect(el.state).to.equal('dob');
      const input = field(el);
      expect(input.labels?.[0]?.textContent?.trim()).to.equal('Date of birth');
      expect(input.autocomplete).to.equal('bday');
      expect(el.shadowRoot!.activeElement).to.equal(input);
      await expect(el).to.be.accessible();

      await typeAndSubmit(el, '01/18/1975');
      expect(plaid.last.submitted).to.deep.equal([
        { phone_number: '+14155550000' },
        { date_of_birth: '1975-01-18' },
      ]);
      expect(el.state).to.equal('checking');
      setTimeout(() => plaid.last.event('LAYER_READY'));
      const event = await oneEvent(el, 'layer-eligible');
      expect(event.detail).to.deep.equal({ via: 'date_of_birth' });
      expect(plaid.last.opened).to.equal(1);
    });

    it('rejects an impossible date of birth inline', async () => {
      const { el, plaid } = await mountReady();
      await typeAndSubmit(el, '415-555-0000');
      plaid.last.event('LAYER_NOT_AVAILABLE');
      await el.updateComplete;
      await typeAndSubmit(el, '02/30/1975');
      expect(text(part(el, 'error'))).to.equal('Enter your date of birth as MM/DD/YYYY.');
      expect(field(el).getAttribute('aria-invalid')).to.equal('true');
      expect(plaid.last.submitted).to.have.length(1);
    });

    it('LAYER_AUTOFILL_NOT_AVAILABLE: falls back and shows the fallback slot', async () => {
      const { el, plaid } = await mountReady((node) => {
        node.innerHTML = '<p slot="fallback">Please use the form below.</p>';
      });
      const fallback = el.shadowRoot!.querySelector<HTMLElement>('.fallback')!;
      expect(fallback.hidden).to.equal(true);
      await typeAndSubmit(el, '415-555-0000');
      plaid.last.event('LAYER_NOT_AVAILABLE');
      await el.updateComplete;
      await typeAndSubmit(el, '1980-02-02');
      setTimeout(() => plaid.last.event('LAYER_AUTOFILL_NOT_AVAILABLE'));
      const event = await oneEvent(el, 'layer-fallback');
      expect(event.detail).to.deep.equal({ reason: 'autofill_not_available', phone: '+14155550000' });
      await el.updateComplete;
      expect(el.getAttribute('state')).to.equal('fallback');
      expect(fallback.hidden).to.equal(false);
      expect(el.shadowRoot!.querySelector('form')).to.equal(null);
      expect(
        el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name=fallback]')!.assignedElements(),
      ).to.have.length(1);
    });

    it('no-autofill: LAYER_NOT_AVAILABLE falls back with not_eligible', async () => {
      const { el, plaid } = await mountReady((node) => node.setAttribute('no-autofill', ''));
      await typeAndSubmit(el, '415-555-0000');
      setTimeout(() => plaid.last.event('LAYER_NOT_AVAILABLE'));
      const event = await oneEvent(el, 'layer-fallback');
      expect(event.detail).to.deep.equal({ reason: 'not_eligible', phone: '+14155550000' });
      await el.updateComplete;
      expect(text(el.shadowRoot!.querySelector('.fallback')!)).to.equal(
        'Please fill in the form. Use a different number',
      );
    });

    it('the date-of-birth step can be skipped', async () => {
      const { el, plaid } = await mountReady();
      await typeAndSubmit(el, '415-555-0000');
      plaid.last.event('LAYER_NOT_AVAILABLE');
      await el.updateComplete;
      const skip = el.shadowRoot!.querySelector<HTMLButtonElement>('button.skip')!;
      expect(text(skip)).to.equal('Fill in the form myself');
      setTimeout(() => skip.click());
      const event = await oneEvent(el, 'layer-fallback');
      expect(event.detail).to.deep.equal({ reason: 'exit', phone: '+14155550000' });
    });

    it('falls back with timeout when Link does not answer in eligibility-timeout ms', async () => {
      const { el, plaid } = await mountReady((node) => node.setAttribute('eligibility-timeout', '20'));
      expect(el.eligibilityTimeout).to.equal(20);
      const fallback = oneEvent(el, 'layer-fallback');
      await typeAndSubmit(el, '415-555-0011');
      expect((await fallback).detail).to.deep.equal({ reason: 'timeout', phone: '+14155550011' });
      plaid.last.event('LAYER_READY');
      expect(plaid.last.opened).to.equal(0);
      expect(el.state).to.equal('fallback');
    });
  });

  describe('success', () => {
    const warnings = catchConsole('warn');

    /** The element named `layer_token` in `form` (attached), ready. */
    async function mountInForm(form: HTMLFormElement): Promise<Mounted> {
      const plaid = new FakePlaid();
      const el = document.createElement('layer-onboarding');
      el.linkScriptSrc = plaid.scriptUrl();
      el.name = 'layer_token';
      form.append(el);
      await attach(form);
      await until(() => el.state === 'ready', 'the element never became ready');
      return { el, plaid, scriptUrl: el.linkScriptSrc };
    }

    it('fires layer-success with the profile and becomes the form value', async () => {
      const form = element('form', { method: 'post' }, element('input', { name: 'email', value: 'a@b.c' }));
      const { el, plaid } = await mountInForm(form);
      expect(el.getAttribute('name')).to.equal('layer_token');
      expect(new FormData(form).has('layer_token')).to.equal(false);

      const event = await completeInLink(el, plaid);
      const { profile, items, token, linkSessionId } = event.detail;
      expect(profile).to.deep.equal(browserProfileOf(SANDBOX_PHONE));
      expect(items).to.have.length(itemCountOf(SANDBOX_PHONE));
      expect(token.split('.')).to.have.length(3);
      expect(linkSessionId).to.equal(plaid.last.linkSessionId);
      expect(event.bubbles && event.composed).to.equal(true);
      expect(el.state).to.equal('complete');
      expect(el.value).to.equal(token);
      expect(new FormData(form).get('layer_token')).to.equal(token);
      await el.updateComplete;
      expect(text(part(el, 'status'))).to.equal(
        'Thanks, Leslie! Your details are filled in. Please check them.',
      );
      expect(el.shadowRoot!.querySelector('form'), 'the form is gone').to.equal(null);
      expect(el.shadowRoot!.querySelector<HTMLElement>('.legal')!.hidden).to.equal(true);
      expect(part(el, 'done').querySelector('svg.mark')).not.to.equal(null);

      form.reset();
      await until(() => el.state === 'ready');
      expect(new FormData(form).has('layer_token')).to.equal(false);
    });

    it('in a form that submits with GET, the development build says to post it', async () => {
      for (const method of ['post', 'get', null, 'dialog']) {
        forgetWarnings();
        const form = element('form', method ? { method } : {});
        const { el, plaid } = await mountInForm(form);
        await completeInLink(el, plaid);
        expect(new FormData(form).get('layer_token'), 'the token is still the form value').to.equal(el.value);
        expect(warnings.take(), `method ${method}`).to.deep.equal(
          method === 'post' || method === 'dialog'
            ? []
            : [
                '<layer-onboarding>: its form submits with GET (a form\'s default): a plain submit would put the profile token, which anyone can read, in the URL. Give the form method="post".',
              ],
        );
        form.remove();
      }
    });

    it('a first name with $ in it is shown as it is (no replacement patterns)', async () => {
      // The heading puts the profile's first name in `{name}`: `$&` or `$'` in it must stay text.
      worker.use(
        http.post(`${API}/session`, async ({ request }) => {
          const answer = (await (await passThrough(request)).json()) as SessionResponse;
          answer.profile.name!.first_name = "Jo$&$'";
          return HttpResponse.json(answer);
        }),
      );
      const { el, plaid } = await mountReady();
      await completeInLink(el, plaid);
      await el.updateComplete;
      expect(text(part(el, 'status'))).to.equal(
        "Thanks, Jo$&$'! Your details are filled in. Please check them.",
      );
    });

    it('a second onSuccess is ignored', async () => {
      const { el, plaid } = await mountReady();
      const events = recordEvents(el);
      await typeAndSubmit(el, '415-555-0011');
      plaid.last.event('LAYER_READY');
      const publicToken = await publicTokenFor(plaid.last.token);
      plaid.last.succeed(publicToken);
      plaid.last.succeed(publicToken);
      await until(() => el.state === 'complete');
      plaid.last.succeed(publicToken);
      expect(events.filter((event) => event.type === 'layer-success')).to.have.length(1);
      expect(events.filter((event) => event.type === 'layer-error')).to.deep.equal([]);
    });
  });

  describe('exit and errors', () => {
    it('a user exit fires layer-exit and returns to the phone step with a fresh handler', async () => {
      const { el, plaid } = await mountReady();
      await typeAndSubmit(el, '415-555-0011');
      plaid.last.event('LAYER_READY');
      const first = plaid.last;
      field(el).blur(); // Link's window has focus while it is open
      setTimeout(() => first.close());
      const exit = await oneEvent(el, 'layer-exit');
      expect(exit.detail.error).to.equal(null);
      expect(exit.detail.metadata.link_session_id).to.equal(first.linkSessionId);
      await until(() => el.state === 'ready');
      expect(plaid.handlers).to.have.length(2);
      await until(() => first.destroyed, 'the first handler was not destroyed');
      await el.updateComplete;
      expect(field(el).value).to.equal('415-555-0011');
      expect(submitButton(el).getAttribute('aria-disabled')).to.equal('false');
      expect(focused(el), 'focus is back on the phone field').to.equal('input#phone');

      await typeAndSubmit(el, '415-555-0011');
      expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
    });

    it('PROFILE_AUTHENTICATION_FAILED falls back with authentication_failed', async () => {
      const { el, plaid } = await mountReady();
      await typeAndSubmit(el, '415-555-0011');
      plaid.last.event('LAYER_READY');
      setTimeout(() => plaid.last.exitWith({ error_code: 'PROFILE_AUTHENTICATION_FAILED' }));
      const event = await oneEvent(el, 'layer-fallback');
      expect(event.detail).to.deep.equal({ reason: 'authentication_failed', phone: '+14155550011' });
    });

    it('other Link errors fire layer-error and fall back; Try again submits the same number again', async () => {
      const { el, plaid } = await mountReady();
      const events = recordEvents(el);
      await failInLink(el, plaid);
      expect(el.state).to.equal('error');
      const error = events.find((event) => event.type === 'layer-error')!.detail;
      expect(error).to.deep.equal({
        code: 'INTERNAL_SERVER_ERROR',
        message: 'boom',
        requestId: 'req-exit-1',
        linkSessionId: plaid.last.linkSessionId,
      });
      expect(events.at(-1)).to.deep.equal({
        type: 'layer-fallback',
        detail: { reason: 'error', phone: '+14155550011' },
      });
      expect(text(part(el, 'error'))).to.equal(
        'Instant sign-up isn’t available right now. Please fill in the form.',
      );
      await expect(el).to.be.accessible();
      const retry = el.shadowRoot!.querySelector<HTMLButtonElement>('button.retry')!;
      expect(focused(el), 'the form went away: focus on Try again').to.equal('button.retry');
      expect(el.shadowRoot!.querySelector('button.change-number'), 'Use a different number').not.to.equal(
        null,
      );

      retry.click();
      await until(() => plaid.handlers.length === 2 && plaid.last.submitted.length === 1);
      expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
      expect(el.state).to.equal('checking');
      await el.updateComplete;
      expect(text(part(el, 'error'))).to.equal('');
      expect(field(el).value).to.equal('415-555-0011');
      expect(focused(el)).to.equal('input#phone');
    });

    it('a layer-error listener that resets the element (a retry) gets no layer-fallback after it', async () => {
      const { el, plaid } = await mountReady();
      const events = recordEvents(el);
      el.addEventListener('layer-error', () => el.reset(), { once: true });
      await failInLink(el, plaid);
      await until(() => el.state === 'ready');
      expect(events.filter((event) => event.type === 'layer-error')).to.have.length(1);
      expect(events.filter((event) => event.type === 'layer-fallback')).to.deep.equal([]);
    });

    it('Use a different number after an error: the phone step again, the number kept and selected', async () => {
      const { el, plaid } = await mountReady();
      await failInLink(el, plaid);
      el.shadowRoot!.querySelector<HTMLButtonElement>('button.change-number')!.click();
      await until(() => el.state === 'ready');
      await el.updateComplete;
      const input = field(el);
      expect(input.value).to.equal('415-555-0011');
      expect(focused(el)).to.equal('input#phone');
      expect([input.selectionStart, input.selectionEnd]).to.deep.equal([0, input.value.length]);
      expect(plaid.last.submitted).to.deep.equal([]);
    });

    it('recovers from INVALID_LINK_TOKEN with a new token and handler', async () => {
      const { el, plaid } = await mountReady();
      const events = recordEvents(el);
      await typeAndSubmit(el, '415-555-0011');
      const first = plaid.last;
      first.exitWith({ error_code: 'INVALID_LINK_TOKEN' });
      await until(() => plaid.handlers.length === 2 && plaid.last.submitted.length === 1);
      expect(plaid.last.config.token).not.to.equal(first.config.token);
      await until(() => first.destroyed);
      plaid.last.event('LAYER_READY');
      expect(plaid.last.opened).to.equal(1);
      expect(events.filter((event) => ['layer-exit', 'layer-error'].includes(event.type))).to.deep.equal([]);
    });

    it('a script that fails to load is retried once, then SCRIPT_LOAD_FAILED and fallback error', async () => {
      const missing = URL.createObjectURL(new Blob([''], { type: 'text/javascript' }));
      URL.revokeObjectURL(missing);
      const inserted: string[] = [];
      const observer = new MutationObserver((records) => {
        for (const record of records)
          for (const node of record.addedNodes)
            if (node instanceof HTMLScriptElement && node.src === missing) inserted.push(node.src);
      });
      observer.observe(document.head, { childList: true });
      const el = document.createElement('layer-onboarding');
      el.linkScriptSrc = missing;
      const events = recordEvents(el);
      const fallback = oneEvent(el, 'layer-fallback');
      await attach(element('div', {}, el));
      await fallback;
      observer.disconnect();
      expect(el.state).to.equal('error');
      expect(events.find((event) => event.type === 'layer-error')!.detail).to.deep.include({
        code: 'SCRIPT_LOAD_FAILED',
      });
      expect(events.at(-1)!.detail).to.deep.equal({ reason: 'error' });
      expect(inserted).to.have.length(2);
      expect(scriptTags(missing)).to.have.length(0);
      await el.updateComplete;
      expect(focused(el), 'a failure on page load must not steal focus').to.equal(null);
    });
  });

  describe('events', () => {
    it('fires layer-event for every Link event, without personal data', async () => {
      const { el, plaid } = await mountReady();
      const events: CustomEvent[] = [];
      const listening = new AbortController();
      document.addEventListener('layer-event', (event) => events.push(event), { signal: listening.signal });
      await typeAndSubmit(el, '415-555-0011');
      plaid.last.event('LAYER_READY');
      plaid.last.event('SEARCH_INSTITUTION', { institution_search_query: 'my bank' });
      listening.abort();
      expect(events.map((event) => event.detail.eventName)).to.deep.equal([
        'LAYER_READY',
        'SEARCH_INSTITUTION',
      ]);
      expect(events[1]!.detail.metadata).not.to.have.property('institution_search_query');
      expect(events[1]!.detail.metadata.link_session_id).to.equal(plaid.last.linkSessionId);
    });

    it('fires layer-state-change with the previous state, and reflects state', async () => {
      const { el, plaid } = await mountReady();
      const changes: { state: string; previous: string; attribute: string | null }[] = [];
      el.addEventListener('layer-state-change', (event) =>
        changes.push({ ...event.detail, attribute: el.getAttribute('state') }),
      );
      await typeAndSubmit(el, '415-555-0011');
      plaid.last.event('LAYER_READY');
      expect(changes).to.deep.equal([
        { state: 'checking', previous: 'ready', attribute: 'checking' },
        { state: 'open', previous: 'checking', attribute: 'open' },
      ]);
    });

    it('fires nothing when a property is set', async () => {
      const { el } = await mountReady();
      const events = recordEvents(el);
      el.phone = '415-555-0011';
      el.noAutofill = true;
      el.setAttribute('lang', 'es');
      await el.updateComplete;
      expect(events).to.deep.equal([]);
      expect(field(el).value).to.equal('415-555-0011');
    });
  });

  describe('on the page', () => {
    it('two elements share one script tag and run independent sessions', async () => {
      const plaid = new FakePlaid();
      const url = plaid.scriptUrl();
      const wrapper = await attach(
        element(
          'div',
          {},
          element('layer-onboarding', { 'link-script-src': url }),
          element('layer-onboarding', { 'link-script-src': url }),
        ),
      );
      const [a, b] = Array.from(wrapper.querySelectorAll('layer-onboarding'));
      await until(() => a!.state === 'ready' && b!.state === 'ready');
      expect(scriptTags(url)).to.have.length(1);
      expect(plaid.handlers).to.have.length(2);
      expect(plaid.handlers[0]!.config.token).not.to.equal(plaid.handlers[1]!.config.token);

      await typeAndSubmit(a!, '415-555-0011');
      // The handlers were created as each element's token came back, in either order: a's is the
      // one its number went to.
      const handlerA = plaid.handlers.find((handler) => handler.submitted.length > 0);
      const handlerB = plaid.handlers.find((handler) => handler !== handlerA);
      expect(plaid.handlers.filter((handler) => handler.submitted.length > 0)).to.have.length(1);
      handlerA!.event('LAYER_READY');
      handlerA!.succeed(await publicTokenFor(handlerA!.token));
      await until(() => a!.state === 'complete');
      expect(b!.state).to.equal('ready');
      expect(handlerB!.submitted).to.deep.equal([]);
    });

    it('two elements: the OAuth return resumes the Link the visitor opened, not the other element’s', async () => {
      const plaid = new FakePlaid();
      const url = plaid.scriptUrl();
      const used = await attach(element('layer-onboarding', { 'link-script-src': url }));
      await until(() => used.state === 'ready');
      const other = await attach(element('layer-onboarding', { 'link-script-src': url }));
      await until(() => other.state === 'ready');
      await typeAndSubmit(used, '415-555-0011');
      const opened = plaid.handlers.find((handler) => handler.submitted.length > 0)!;
      opened.event('LAYER_READY');
      expect(used.state).to.equal('open');
      await detachAll(); // the bank's page replaces this one

      const page = location.href;
      history.replaceState(null, '', `${location.pathname}?oauth_state_id=4b9a1e2c`);
      try {
        const back = await attach(element('layer-onboarding', { 'link-script-src': url }));
        await until(() => back.state === 'open', 'Link was not resumed');
        expect(plaid.last.token).to.equal(opened.token);
      } finally {
        history.replaceState(null, '', page);
        sessionStorage.clear();
      }
    });

    it('moved on the page while checking (out and back in at once), it keeps the number and the handler', async () => {
      const { el, plaid } = await mountReady();
      const elsewhere = await attach(element('section'));
      await typeAndSubmit(el, '415-555-0011');
      elsewhere.append(el);
      await el.updateComplete;
      expect(el.state).to.equal('checking');
      plaid.last.event('LAYER_READY');
      expect(el.state).to.equal('open');
      expect(plaid.handlers).to.have.length(1);
      expect(plaid.last.opened).to.equal(1);
    });

    it('removal exits and destroys Link and leaves no timer; re-inserting works with the same script tag', async () => {
      const timers = trackTimers();
      try {
        const { el, plaid, scriptUrl } = await mountReady((node) =>
          node.setAttribute('eligibility-timeout', '60000'),
        );
        const parent = el.parentElement!;
        await typeAndSubmit(el, '415-555-0011');
        plaid.last.event('LAYER_READY');
        const handler = plaid.last;
        expect(timers.pendingLong()).to.be.greaterThan(0); // the token refresh

        el.remove();
        await Promise.resolve(); // a microtask later: not a move
        expect(handler.exitCalls).to.deep.equal([{ force: true }]);
        expect(handler.destroyed).to.equal(true);
        expect(document.querySelectorAll('[data-fake-plaid-link]')).to.have.length(0);
        expect(timers.pendingLong()).to.equal(0);
        expect(el.state).to.equal('idle');

        parent.append(el);
        await until(() => el.state === 'ready');
        expect(plaid.handlers).to.have.length(2);
        expect(scriptTags(scriptUrl)).to.have.length(1);
        expect(document.querySelectorAll('[data-fake-plaid-link]')).to.have.length(1);

        el.remove();
        await Promise.resolve();
        expect(document.querySelectorAll('[data-fake-plaid-link]')).to.have.length(0);
        expect(timers.pendingLong()).to.equal(0);
      } finally {
        timers.restore();
      }
    });

    it('starts with the properties set before its tag was defined (a framework that rendered first)', async () => {
      const plaid = new FakePlaid();
      const early = document.createElement('layer-onboarding-early') as LayerOnboarding;
      early.linkScriptSrc = plaid.scriptUrl();
      await attach(element('div', {}, early));
      customElements.define('layer-onboarding-early', class extends LayerOnboarding {});
      await until(() => early.state !== 'idle' && early.state !== 'loading');
      expect(early.state).to.equal('ready');
      expect(plaid.handlers).to.have.length(1);
    });

    it('passes its nonce to the script tag', async () => {
      const { scriptUrl } = await mountReady((node) => node.setAttribute('nonce', 'n0nce'));
      expect(scriptTags(scriptUrl)[0]!.nonce).to.equal('n0nce');
    });
  });
});

/** What has focus inside the element, as `tag#id.class` (readable when an assertion fails). */
function focused(el: LayerOnboarding): string | null {
  const active = el.shadowRoot!.activeElement;
  if (!active) return null;
  return (
    active.localName + (active.id ? `#${active.id}` : '') + (active.className ? `.${active.className}` : '')
  );
}

/**
 * Focuses an input as a click or Tab would. web-test-runner runs two files at once, and a page in
 * the background gets no focus events from `focus()`, so the `focusin` a focused page would see is
 * dispatched too.
 */
function focus(input: HTMLInputElement): void {
  input.focus();
  if (!document.hasFocus()) input.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
}

/**
 * Watches window.setTimeout for timers of 30 s or more: the session's eligibility timeout (set to
 * 60 s in that test) and token refresh, not the test helpers' or MSW's short ones.
 */
function trackTimers(): { pendingLong: () => number; restore: () => void } {
  const pending = new Set<number>();
  const originalSet = window.setTimeout;
  const originalClear = window.clearTimeout;
  window.setTimeout = ((handler: TimerHandler, ms?: number, ...args: unknown[]) => {
    const long = (ms ?? 0) >= 30_000;
    const id: number = originalSet(
      (...callbackArgs: unknown[]) => {
        pending.delete(id);
        if (typeof handler === 'function') (handler as (...a: unknown[]) => void)(...callbackArgs);
      },
      ms,
      ...args,
    );
    if (long) pending.add(id);
    return id;
  }) as typeof window.setTimeout;
  window.clearTimeout = ((id?: number) => {
    if (id !== undefined) pending.delete(id);
    originalClear(id);
  }) as typeof window.clearTimeout;
  return {
    pendingLong: () => pending.size,
    restore: () => {
      window.setTimeout = originalSet;
      window.clearTimeout = originalClear;
    },
  };
}
