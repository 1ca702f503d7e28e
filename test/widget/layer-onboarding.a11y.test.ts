// Visitors who use the element differently from the default: the keyboard alone, Windows High
// Contrast (forced colours), screen readers on a page in a language the element does not speak, and
// right-to-left pages. Link is the hand-driven double (support/fake-plaid.ts); the backend is the real one.
import { expect } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';

import '../../widget/index.js';
import type { LayerOnboarding } from '../../widget/index.js';
import { catchConsole } from './support/console.js';
import {
  attach,
  detachAll,
  element,
  field,
  part,
  submitButton,
  text,
  typeAndSubmit,
} from './support/element.js';
import { FakePlaid } from './support/fake-plaid.js';
import { useWorker } from './support/msw.js';
import { until } from './support/wait.js';

useWorker();

/** Windows High Contrast, in Chromium (see web-test-runner.config.mjs for why not `emulateMedia`). */
const forcedColors = (active: boolean) => executeServerCommand('emulate-forced-colors', { active });

afterEach(async () => {
  await detachAll();
  await forcedColors(false);
});

/** The element in a page with these attributes, ready for a phone number; `plaid` is its Link. */
async function mountReady(
  pageAttributes: Record<string, string> = {},
  extra: (el: LayerOnboarding) => void = () => {},
  plaid = new FakePlaid(),
): Promise<LayerOnboarding> {
  const el = document.createElement('layer-onboarding');
  el.setAttribute('link-script-src', plaid.scriptUrl());
  extra(el);
  await attach(element('div', { style: 'width: 600px', ...pageAttributes }, el));
  await until(() => el.state === 'ready');
  await el.updateComplete;
  return el;
}

/**
 * What has the keyboard's focus, as `tag#id.class` inside the element, or the page's element that
 * has it when that is not this one (`body`: focus was dropped, and the next Tab starts from the top).
 */
function focused(el: LayerOnboarding): string {
  const active = document.activeElement;
  if (active !== el) return `${active?.localName ?? 'nothing'} (outside the element)`;
  const inside = el.shadowRoot!.activeElement;
  if (!inside) return 'the element, nothing inside it';
  return (
    inside.localName +
    (inside.id ? `#${inside.id}` : '') +
    [...inside.classList].map((name) => `.${name}`).join('')
  );
}

describe('<layer-onboarding> for every visitor', () => {
  describe('with the keyboard alone (and a screen reader)', () => {
    // Link is the hand-driven double: the element stays in `checking` until the test answers for
    // Link, however slow the machine, so the checking state is looked at for certain.
    let plaid: FakePlaid;
    let el: LayerOnboarding;

    beforeEach(async () => {
      plaid = new FakePlaid();
      el = await mountReady({}, () => {}, plaid);
    });

    /** Types a sandbox number into the focused field with the keyboard. */
    async function typeNumber(): Promise<void> {
      field(el).focus();
      expect(focused(el)).to.equal('input#phone');
      await sendKeys({ type: '4155550011' });
      await until(() => field(el).value === '4155550011', 'the typed number never reached the field');
    }

    /** Waits for `checking` and its render, and checks that the visitor is told it is busy. */
    async function checking(): Promise<void> {
      await until(() => el.state === 'checking', 'the number was not submitted');
      await el.updateComplete;
      expect(part(el, 'form').getAttribute('aria-busy')).to.equal('true');
      expect(text(part(el, 'status'))).to.equal('Checking your number…');
      expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
    }

    /** Plaid answers LAYER_NOT_AVAILABLE: the date-of-birth field replaces the phone field, and takes focus. */
    async function dateOfBirthStep(): Promise<void> {
      plaid.last.event('LAYER_NOT_AVAILABLE');
      await until(() => el.state === 'dob');
      await el.updateComplete;
      expect(focused(el)).to.equal('input#dob');
    }

    it('keeps focus on the pressed button while checking, unavailable, and takes no second submit', async () => {
      await typeNumber();
      await sendKeys({ press: 'Tab' });
      expect(focused(el)).to.equal('button');
      await sendKeys({ press: 'Enter' });
      await checking();
      const button = submitButton(el);
      expect(focused(el), 'focus stays on the button pressed').to.equal('button');
      expect(button.getAttribute('aria-disabled'), 'announced as unavailable').to.equal('true');
      expect(field(el).readOnly).to.equal(true);

      // Pressed again, by Enter, Space or a click: still one submit, still checking.
      await sendKeys({ press: 'Enter' });
      await sendKeys({ press: 'Space' });
      button.click();
      await el.updateComplete;
      expect(plaid.last.submitted).to.have.length(1);
      expect(el.state).to.equal('checking');
      expect(text(part(el, 'error'))).to.equal('');
      expect(focused(el)).to.equal('button');

      await dateOfBirthStep(); // not eligible
    });

    it('keeps focus on the read-only field when Enter is pressed there, and takes no second submit', async () => {
      await typeNumber();
      await sendKeys({ press: 'Enter' });
      await checking();
      expect(focused(el)).to.equal('input#phone');
      await sendKeys({ press: 'Enter' });
      await el.updateComplete;
      expect(plaid.last.submitted).to.have.length(1);
      expect(focused(el)).to.equal('input#phone');
    });

    it('after a fallback, focus is on its message and the next Tab reaches its button', async () => {
      el.noAutofill = true;
      await typeNumber();
      await sendKeys({ press: 'Tab' });
      await sendKeys({ press: 'Enter' });
      await checking();
      expect(focused(el)).to.equal('button');
      plaid.last.event('LAYER_NOT_AVAILABLE');
      await until(() => el.state === 'fallback');
      await el.updateComplete;
      expect(focused(el)).to.equal('div.fallback');
      await sendKeys({ press: 'Tab' });
      expect(focused(el), 'the Tab after the message').to.equal('button.link.change-number');
    });

    it('in the date-of-birth step too, keeps focus on the pressed button while checking', async () => {
      await typeNumber();
      await sendKeys({ press: 'Enter' });
      await checking();
      await dateOfBirthStep();
      await sendKeys({ type: '01/18/1975' });
      await sendKeys({ press: 'Tab' });
      expect(focused(el)).to.equal('button');
      await sendKeys({ press: 'Enter' });
      await until(() => el.state === 'checking');
      await el.updateComplete;
      expect(focused(el)).to.equal('button');
      expect(submitButton(el).getAttribute('aria-disabled')).to.equal('true');
      await sendKeys({ press: 'Enter' });
      expect(plaid.last.submitted).to.deep.equal([
        { phone_number: '+14155550011' },
        { date_of_birth: '1975-01-18' },
      ]);
    });

    /**
     * Every text the error live region shows from now on, with when, until `stop()`: the region's
     * changes are what screen readers announce, so an unchanged text is announced once only.
     */
    function watchAlert(): { seen: { text: string; at: number }[]; stop: () => void } {
      const alert = part(el, 'error');
      const seen: { text: string; at: number }[] = [];
      const observer = new MutationObserver(() => {
        const now = text(alert);
        if (seen.at(-1)?.text !== now) seen.push({ text: now, at: performance.now() });
      });
      observer.observe(alert, { childList: true, characterData: true, subtree: true });
      return { seen, stop: () => observer.disconnect() };
    }

    for (const step of ['phone', 'dob'] as const)
      it(`announces the same invalid ${step === 'phone' ? 'number' : 'date of birth'} submitted again`, async () => {
        const message =
          step === 'phone'
            ? 'Enter a valid phone number, like (415) 555-0123.'
            : 'Enter your date of birth as MM/DD/YYYY.';
        if (step === 'dob') {
          await typeNumber();
          await sendKeys({ press: 'Enter' });
          await checking();
          await dateOfBirthStep();
        } else field(el).focus();
        await sendKeys({ type: step === 'phone' ? '555-0011' : '13/45/1990' });
        await sendKeys({ press: 'Enter' });
        await el.updateComplete;
        expect(text(part(el, 'error'))).to.equal(message);

        // Enter again, nothing corrected: focus stays in the field, so only the live region can
        // say it; it is emptied, and filled again once the browser has passed the empty region on
        // to the accessibility tree (which it batches), so the message is new to screen readers.
        const alert = watchAlert();
        await sendKeys({ press: 'Enter' });
        try {
          await until(() => alert.seen.length >= 2, 'the message never changed: nothing is announced');
          expect(alert.seen.map((change) => change.text)).to.deep.equal(['', message]);
          expect(alert.seen[1]!.at - alert.seen[0]!.at, 'how long the region stays empty').to.be.at.least(
            100,
          );
        } finally {
          alert.stop();
        }
        await el.updateComplete;
        expect(field(el).getAttribute('aria-invalid')).to.equal('true');
        expect(focused(el)).to.equal(`input#${step}`);
        expect(plaid.last.submitted).to.have.length(step === 'phone' ? 0 : 1);
      });
  });

  describe('in forced colours (Windows High Contrast)', () => {
    it('is in forced colours for these tests', async () => {
      await forcedColors(true);
      expect(matchMedia('(forced-colors: active)').matches).to.equal(true);
    });

    it('keeps an edge on its buttons, where their background colour is replaced', async () => {
      await forcedColors(true);
      const el = await mountReady();
      const style = getComputedStyle(submitButton(el));
      expect(style.borderTopStyle).to.equal('solid');
      expect(parseFloat(style.borderTopWidth)).to.be.at.least(1);
      expect(style.borderTopColor).not.to.equal(style.backgroundColor);
    });

    // The quiet buttons have no background, so outside forced colours their text is their edge;
    // in forced colours their transparent border is drawn, and must not touch their text.
    for (const state of ['dob', 'error', 'fallback'] as const)
      it(`draws every button in ${state} with room between its text and its edge, and a focus ring`, async () => {
        await forcedColors(true);
        const plaid = new FakePlaid();
        const el = await mountReady({}, (node) => (node.noAutofill = state === 'fallback'), plaid);
        await typeAndSubmit(el, state === 'error' ? '415-555-0011' : '415-555-0000');
        if (state === 'error') {
          plaid.last.event('LAYER_READY');
          plaid.last.exitWith({
            error_type: 'API_ERROR',
            error_code: 'INTERNAL_SERVER_ERROR',
            error_message: 'x',
          });
        } else plaid.last.event('LAYER_NOT_AVAILABLE');
        await until(() => el.state === state, `never reached ${state}`);
        await el.updateComplete;
        const buttons = [...el.shadowRoot!.querySelectorAll('button')];
        expect(buttons.length, 'a quiet button in this state').to.be.at.least(1);
        expect(buttons.some((node) => node.matches('.link'))).to.equal(true);
        for (const button of buttons) {
          const name = text(button);
          const style = getComputedStyle(button);
          expect(style.borderLeftStyle, name).to.equal('solid');
          expect(style.borderLeftColor, name).not.to.equal('rgba(0, 0, 0, 0)');
          for (const side of ['Left', 'Right', 'Top', 'Bottom'] as const)
            expect(
              parseFloat(style[`padding${side}`]),
              `${name}: padding-${side.toLowerCase()}`,
            ).to.be.at.least(3);
          // Reached with the keyboard: the ring shows, in a colour forced colours keep visible.
          button.blur();
          button.focus({ focusVisible: true } as FocusOptions);
          const ring = getComputedStyle(button);
          expect(button.matches(':focus-visible'), name).to.equal(true);
          expect(ring.outlineStyle, name).to.equal('solid');
          expect(parseFloat(ring.outlineWidth), name).to.be.at.least(2);
          expect(ring.outlineColor, name).not.to.equal(ring.backgroundColor);
        }
      });

    it('keeps the gap that makes the spinner turn, where its transparent side would be coloured in', async () => {
      await forcedColors(true);
      const el = await mountReady();
      await typeAndSubmit(el, '415-555-0011');
      const style = getComputedStyle(part(el, 'spinner'));
      const gap = style.borderRightStyle === 'none' || style.borderRightColor === 'rgba(0, 0, 0, 0)';
      expect(gap, `right side ${style.borderRightStyle} ${style.borderRightColor}`).to.equal(true);
      expect(style.borderTopColor).not.to.equal('rgba(0, 0, 0, 0)');
    });
  });

  describe('the submit button while checking', () => {
    for (const forced of [false, true])
      it(`looks as a disabled button does${forced ? ', in forced colours too' : ''}`, async () => {
        await forcedColors(forced);
        const el = await mountReady();
        await typeAndSubmit(el, '415-555-0011');
        const button = submitButton(el);
        // A natively disabled twin beside it, in the same busy form.
        const twin = button.cloneNode(true) as HTMLButtonElement;
        twin.removeAttribute('aria-disabled');
        twin.disabled = true;
        button.after(twin);
        const look = (node: Element) => {
          const style = getComputedStyle(node);
          return {
            color: style.color,
            background: style.backgroundColor,
            border: style.borderTopColor,
            opacity: style.opacity,
            cursor: style.cursor,
          };
        };
        try {
          expect(look(button)).to.deep.equal(look(twin));
          expect(look(button).cursor).to.equal('progress');
        } finally {
          twin.remove();
        }
      });
  });

  describe('on a page in a language it does not speak', () => {
    // The development warning that the page's language has no translation (once per language).
    const warnings = catchConsole('warn');

    it('marks its English words as English, so a screen reader does not read them in French', async () => {
      const el = await mountReady({ lang: 'fr' });
      warnings.take();
      const label = part(el, 'label');
      expect(label.textContent).to.equal('Phone number');
      expect(label.matches(':lang(en)'), 'English text marked as English').to.equal(true);
    });

    it("keeps the page's language for the partner's own words", async () => {
      const el = await mountReady({ lang: 'fr' }, (node) => {
        node.strings = { phoneLabel: 'Numéro de téléphone' };
        warnings.take();
      });
      expect(part(el, 'label').matches(':lang(fr)')).to.equal(true);
    });

    it('keeps a language it speaks as the page gives it (es-MX)', async () => {
      const el = await mountReady({ lang: 'es-MX' });
      expect(part(el, 'label').matches(':lang(es-MX)')).to.equal(true);
    });
  });

  describe('on a right-to-left page', () => {
    const warnings = catchConsole('warn');

    it('lays its English words out left to right, so their punctuation stays at the end', async () => {
      const el = await mountReady({ dir: 'rtl', lang: 'ar' });
      warnings.take();
      expect(getComputedStyle(el.shadowRoot!.querySelector('.hint')!).direction).to.equal('ltr');
      await typeAndSubmit(el, '415-555-0011');
      expect(getComputedStyle(part(el, 'status')).direction).to.equal('ltr');
    });

    it("leaves the partner's slotted words in the page's direction", async () => {
      const el = await mountReady({ dir: 'rtl', lang: 'ar' }, (node) => {
        node.append(element('p', { slot: 'legal' }, document.createTextNode('محمي بواسطة Plaid.')));
        warnings.take();
      });
      const legal = el.querySelector('[slot=legal]')!;
      expect(getComputedStyle(el.shadowRoot!.querySelector('.hint')!).direction).to.equal('ltr');
      expect(getComputedStyle(legal).direction).to.equal('rtl');
    });

    it("follows the partner's right-to-left words", async () => {
      const el = await mountReady({ dir: 'rtl', lang: 'ar' }, (node) => {
        node.strings = { phoneLabel: 'رقم الهاتف', phoneHint: 'سنرسل لك رمزًا.' };
        warnings.take();
      });
      expect(getComputedStyle(el.shadowRoot!.querySelector('.hint')!).direction).to.equal('rtl');
    });
  });
});
