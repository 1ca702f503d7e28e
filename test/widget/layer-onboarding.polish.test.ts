// What a visitor and a partner see beyond the flow itself (issue 12): correcting a typo, light and
// dark pages, progress and completion, the partner's own words, live language, a disabled
// fieldset, and a layout that holds from 320 px to 200 % zoom. Link is the hand-driven double
// (support/fake-plaid.ts); the backend is the real one.
import { expect } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';

import '../../widget/index.js';
import type { LayerOnboarding } from '../../widget/index.js';
import { publicTokenFor } from './support/backend.js';
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

afterEach(async () => {
  await detachAll();
  await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
});

const LIGHT_PAGE = 'background: #fff; color: #111; padding: 1rem; width: 600px';
const DARK_PAGE = 'background: #111; color: #eee; padding: 1rem; width: 600px';

interface Mounted {
  el: LayerOnboarding;
  plaid: FakePlaid;
  page: HTMLElement;
}

/** The element on a page of the given style, ready for a phone number. */
async function mountReady(
  style = LIGHT_PAGE,
  extra: (el: LayerOnboarding, page: HTMLElement) => void = () => {},
): Promise<Mounted> {
  const plaid = new FakePlaid();
  const el = document.createElement('layer-onboarding');
  el.setAttribute('link-script-src', plaid.scriptUrl());
  const page = element('div', { style }, el);
  extra(el, page);
  await attach(page);
  await until(() => el.state === 'ready');
  await el.updateComplete;
  return { el, plaid, page };
}

function focused(el: LayerOnboarding): string | null {
  const active = el.shadowRoot!.activeElement;
  return active ? active.localName + (active.className ? `.${active.className}` : '') : null;
}

const button = (el: LayerOnboarding, name: string) =>
  Array.from(el.shadowRoot!.querySelectorAll('button')).find((node) => text(node) === name) ?? null;

const scheme = (el: LayerOnboarding) => el.shadowRoot!.querySelector('.root')!.getAttribute('data-scheme');

/** Drives the element to `state` through the fake Link, the way a visitor gets there. */
async function reach(m: Mounted, state: string): Promise<void> {
  const { el, plaid } = m;
  if (state === 'ready') return;
  await typeAndSubmit(el, state === 'dob' || state === 'fallback' ? '415-555-0000' : '415-555-0011');
  if (state === 'dob' || state === 'fallback') {
    plaid.last.event('LAYER_NOT_AVAILABLE');
    await el.updateComplete;
    if (state === 'fallback') el.shadowRoot!.querySelector<HTMLButtonElement>('button.skip')!.click();
  } else if (state === 'error') {
    plaid.last.event('LAYER_READY');
    plaid.last.exitWith({ error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR', error_message: 'x' });
  } else if (state === 'complete') {
    plaid.last.event('LAYER_READY');
    plaid.last.succeed(await publicTokenFor(plaid.last.token));
  }
  await until(() => el.state === state, `never reached ${state}`);
  await el.updateComplete;
}

describe('<layer-onboarding> polish', () => {
  describe('a typo', () => {
    it('is corrected from the date-of-birth step: the phone step again, the number kept, focused and selected', async () => {
      const m = await mountReady();
      const { el, plaid } = m;
      await reach(m, 'dob');
      const first = plaid.last;
      const change = button(el, 'Use a different number')!;
      expect(change.getAttribute('part')).to.equal('link-button');
      change.click();
      await until(() => el.state === 'ready');
      await el.updateComplete;
      const input = field(el);
      expect(input.id).to.equal('phone');
      expect(input.value).to.equal('415-555-0000');
      expect(focused(el)).to.equal('input');
      expect([input.selectionStart, input.selectionEnd]).to.deep.equal([0, input.value.length]);
      await until(() => first.destroyed, 'the old handler was not destroyed');

      await typeAndSubmit(el, '415-555-0011');
      expect(plaid.last).not.to.equal(first);
      expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
    });

    it('is corrected from fallback, and the fallback slot replaces the button with the message', async () => {
      const m = await mountReady();
      const { el } = m;
      await reach(m, 'fallback');
      expect(focused(el), 'focus on the fallback message').to.equal('div.fallback');
      button(el, 'Use a different number')!.click();
      await until(() => el.state === 'ready');
      await el.updateComplete;
      expect(field(el).value).to.equal('415-555-0000');

      const own = element('p', { slot: 'fallback' });
      own.textContent = 'Our form is below.';
      el.append(own);
      await reach(m, 'fallback');
      const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name=fallback]')!;
      expect(slot.assignedElements()).to.deep.equal([own]);
      expect(own.checkVisibility()).to.equal(true);
      expect(button(el, 'Use a different number')!.checkVisibility(), 'replaced by the slot').to.equal(false);
    });
  });

  describe('light and dark', () => {
    it('reads a dark page from its text colour, and a light one', async () => {
      const light = await mountReady(LIGHT_PAGE);
      const dark = await mountReady(DARK_PAGE);
      expect(scheme(light.el)).to.equal('light');
      expect(scheme(dark.el)).to.equal('dark');
      // The typed text keeps its own colour: never the page's light text on a light input.
      const input = getComputedStyle(field(dark.el));
      expect(input.color).to.equal('rgb(243, 244, 246)');
      expect(input.backgroundColor).to.equal('rgb(29, 33, 41)');
      const lightButton = getComputedStyle(submitButton(light.el));
      const darkButton = getComputedStyle(submitButton(dark.el));
      expect(darkButton.backgroundColor).not.to.equal(lightButton.backgroundColor);
    });

    it('follows prefers-color-scheme on a page that follows it', async () => {
      const style = element('style');
      style.textContent =
        '.follows { color: #111; background: #fff } @media (prefers-color-scheme: dark) { .follows { color: #eee; background: #111 } }';
      await attach(style);
      const { el } = await mountReady('', (_el, page) => page.classList.add('follows'));
      expect(scheme(el)).to.equal('light');
      await emulateMedia({ colorScheme: 'dark' });
      await until(() => scheme(el) === 'dark', 'did not follow the dark scheme');
      await emulateMedia({ colorScheme: 'light' });
      await until(() => scheme(el) === 'light', 'did not follow back to light');
    });

    it('takes theme="light" or theme="dark" over what it reads', async () => {
      const { el } = await mountReady(DARK_PAGE, (node) => node.setAttribute('theme', 'light'));
      expect(scheme(el)).to.equal('light');
      el.theme = 'dark';
      await el.updateComplete;
      expect(scheme(el)).to.equal('dark');
      el.theme = 'auto';
      await el.updateComplete;
      expect(scheme(el)).to.equal('dark');
    });

    it('follows a page that switches to dark with a class on <body>', async () => {
      const style = element('style');
      style.textContent = 'body.night .switches { color: #eee; background: #111 }';
      await attach(style);
      const { el } = await mountReady('', (_el, page) => page.classList.add('switches'));
      expect(scheme(el)).to.equal('light');
      document.body.classList.add('night');
      try {
        await until(() => scheme(el) === 'dark', 'did not follow the class');
      } finally {
        document.body.classList.remove('night');
      }
    });

    for (const [theme, style] of [
      ['light', LIGHT_PAGE],
      ['dark', DARK_PAGE],
    ] as const)
      for (const state of ['ready', 'checking', 'dob', 'error', 'fallback', 'complete'])
        it(`is accessible (axe, contrast included) in ${state} on a ${theme} page`, async () => {
          const m = await mountReady(style);
          await reach(m, state);
          expect(scheme(m.el)).to.equal(theme);
          await expect(m.page).to.be.accessible();
        });
  });

  describe('progress and completion', () => {
    it('shows a spinner in the live status while busy, none once done', async () => {
      const m = await mountReady();
      await reach(m, 'checking');
      const spinner = part(m.el, 'spinner');
      expect(spinner.getAttribute('aria-hidden')).to.equal('true');
      expect(getComputedStyle(spinner).animationName).to.equal('spin');
      expect(part(m.el, 'status').getAttribute('role')).to.equal('status');
      m.plaid.last.event('LAYER_READY');
      m.plaid.last.succeed(await publicTokenFor(m.plaid.last.token));
      await until(() => m.el.state === 'complete');
      await m.el.updateComplete;
      expect(m.el.shadowRoot!.querySelector('[part=spinner]')).to.equal(null);
    });

    // Each message in one live region, once: a second region (or the message in both) would be
    // read twice. The status line is polite (role status); only errors interrupt (role alert).
    for (const state of ['ready', 'checking', 'dob', 'error', 'fallback', 'complete'])
      it(`says what ${state} has to say in one live region`, async () => {
        const m = await mountReady();
        await reach(m, state);
        if (state === 'ready') {
          await typeAndSubmit(m.el, '555-0011');
          await m.el.updateComplete;
        }
        const regions = [...m.el.shadowRoot!.querySelectorAll('[role=status], [role=alert], [aria-live]')];
        expect(regions.map((node) => node.getAttribute('role'))).to.deep.equal(['status', 'alert']);
        const spoken = regions.filter((node) => text(node) && (node as HTMLElement).checkVisibility());
        const expected = {
          ready: ['alert'],
          checking: ['status'],
          dob: [],
          error: ['alert'],
          fallback: [], // the message takes focus instead
          complete: ['status'],
        }[state];
        expect(spoken.map((node) => node.getAttribute('role'))).to.deep.equal(expected);
        for (const region of regions)
          expect(region.getAttribute('aria-live'), 'no politeness of its own').to.equal(null);
      });

    it('keeps the spinner still under prefers-reduced-motion', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const m = await mountReady();
      await reach(m, 'checking');
      expect(getComputedStyle(part(m.el, 'spinner')).animationName).to.equal('none');
    });

    it('finishes with a mark, the first name and a summary, focused, with the form and legal line gone', async () => {
      const m = await mountReady();
      await reach(m, 'complete');
      const done = part(m.el, 'done');
      expect(text(done)).to.equal('Thanks, Leslie! Your details are filled in. Please check them.');
      expect(done.querySelector('svg')!.getAttribute('aria-hidden')).to.equal('true');
      expect(focused(m.el)).to.equal('div.done');
      expect(m.el.shadowRoot!.querySelector('form')).to.equal(null);
      expect(m.el.shadowRoot!.querySelector<HTMLElement>('.legal')!.checkVisibility()).to.equal(false);
    });

    it('does not take focus back from a page that moved it on layer-success', async () => {
      const own = element('input', { 'aria-label': 'First name' });
      await attach(own);
      const m = await mountReady(LIGHT_PAGE, (el) =>
        el.addEventListener('layer-success', () => (own as HTMLInputElement).focus()),
      );
      await reach(m, 'complete');
      expect(document.activeElement).to.equal(own);
    });
  });

  describe("the partner's words", () => {
    it('replaces any string through the strings property, nested ones key by key', async () => {
      const m = await mountReady(LIGHT_PAGE, (el) => {
        el.strings = { phoneLabel: 'Mobile number', status: { checking: 'One moment…' } };
      });
      expect(text(part(m.el, 'label'))).to.equal('Mobile number');
      expect(text(submitButton(m.el))).to.equal('Continue');
      await reach(m, 'checking');
      expect(text(part(m.el, 'status'))).to.equal('One moment…');
    });

    it('follows a lang change on an ancestor after the first render', async () => {
      const m = await mountReady(LIGHT_PAGE, (_el, page) => page.setAttribute('lang', 'en'));
      expect(text(part(m.el, 'label'))).to.equal('Phone number');
      m.page.setAttribute('lang', 'es');
      await until(() => text(part(m.el, 'label')) === 'Número de teléfono', 'lang change not followed');
      m.el.setAttribute('lang', 'en');
      await until(() => text(part(m.el, 'label')) === 'Phone number', 'own lang not followed');
    });

    it('speaks Spanish in every new message', async () => {
      const m = await mountReady(LIGHT_PAGE, (_el, page) => page.setAttribute('lang', 'es-MX'));
      await reach(m, 'dob');
      expect(button(m.el, 'Usar otro número')).not.to.equal(null);
      await typeAndSubmit(m.el, '01/18/1975');
      m.plaid.last.event('LAYER_READY');
      m.plaid.last.succeed(await publicTokenFor(m.plaid.last.token));
      await until(() => m.el.state === 'complete');
      await m.el.updateComplete;
      expect(text(part(m.el, 'done'))).to.equal(
        '¡Gracias, Leslie! Sus datos están completos. Revíselos, por favor.',
      );
    });
  });

  describe('a disabled fieldset', () => {
    it('reaches every button: Continue, Try again, Use a different number, Fill in the form myself', async () => {
      const fieldset = element('fieldset');
      const m = await mountReady(LIGHT_PAGE, (el, page) => {
        page.append(fieldset);
        fieldset.append(el);
      });
      await reach(m, 'dob');
      fieldset.disabled = true;
      await m.el.updateComplete;
      for (const name of ['Continue', 'Fill in the form myself', 'Use a different number'])
        expect(button(m.el, name)!.disabled, name).to.equal(true);
      fieldset.disabled = false;
      await m.el.updateComplete;
      m.plaid.last.event('LAYER_READY');
      m.plaid.last.exitWith({
        error_type: 'API_ERROR',
        error_code: 'INTERNAL_SERVER_ERROR',
        error_message: 'x',
      });
      await until(() => m.el.state === 'error');
      fieldset.disabled = true;
      await m.el.updateComplete;
      for (const name of ['Try again', 'Use a different number'])
        expect(button(m.el, name)!.disabled, name).to.equal(true);
    });
  });

  describe('layout', () => {
    it('puts the button under the field at full width in a narrow container, beside it in a wide one', async () => {
      const narrow = await mountReady('width: 288px');
      const wide = await mountReady('width: 600px');
      const box = (_el: LayerOnboarding, node: Element) => node.getBoundingClientRect();
      const n = { input: box(narrow.el, field(narrow.el)), button: box(narrow.el, submitButton(narrow.el)) };
      expect(n.button.top).to.be.greaterThan(n.input.bottom - 1);
      expect(Math.round(n.button.width)).to.equal(Math.round(n.input.width));
      const w = { input: box(wide.el, field(wide.el)), button: box(wide.el, submitButton(wide.el)) };
      expect(Math.round(w.button.top)).to.equal(Math.round(w.input.top));
      expect(w.button.left).to.be.greaterThan(w.input.right);
    });

    // 320 px at 200 % zoom is 160 CSS px of room. The page's text spacing is WCAG 1.4.12's, and its
    // `white-space: nowrap` (a toolbar's, a table cell's) is inherited unless the element resets it.
    const pageStyle = (width: number) =>
      `width: ${width}px; letter-spacing: 0.12em; word-spacing: 0.16em; white-space: nowrap`;
    for (const width of [288, 160])
      for (const lang of ['en', 'es'])
        it(`nothing overflows ${width} px in any state (${lang}), whatever text spacing and white-space the page has`, async () => {
          for (const state of ['ready', 'dob', 'error', 'fallback', 'complete']) {
            const m = await mountReady(pageStyle(width), (_el, page) => page.setAttribute('lang', lang));
            await reach(m, state);
            const root = m.el.shadowRoot!.querySelector('.root')!;
            for (const node of root.querySelectorAll('*')) {
              const rect = node.getBoundingClientRect();
              const page = m.page.getBoundingClientRect();
              if (rect.width === 0) continue;
              expect(rect.right, `${state}: ${node.localName}.${node.className} overflows`).to.be.at.most(
                page.right + 0.5,
              );
            }
            await detachAll();
          }
        });

    // WCAG 1.4.10 (reflow): 320 CSS px is 1280 px at 400 % zoom, and a sidebar or a column takes
    // less. `text-indent` is inherited: a page that indents its paragraphs (or hangs them with a
    // negative indent) passes it to every line the element writes, the buttons' included.
    for (const indent of ['3em', '-2em'])
      it(`keeps every line of text inside 160, 200 and 320 px in every state, on a page with text-indent: ${indent} and text spacing`, async () => {
        for (const width of [160, 200, 320])
          for (const state of ['ready', 'checking', 'dob', 'error', 'fallback', 'complete']) {
            const m = await mountReady(`${pageStyle(width)}; text-indent: ${indent}`);
            await reach(m, state);
            const page = m.page.getBoundingClientRect();
            expect(m.page.scrollWidth, `${width} px, ${state}: scrolls sideways`).to.be.at.most(
              m.page.clientWidth,
            );
            const walker = document.createTreeWalker(m.el.shadowRoot!, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              if (!node.textContent!.trim()) continue;
              const range = document.createRange();
              range.selectNodeContents(node);
              for (const rect of range.getClientRects()) {
                const where = `${width} px, ${state}: "${node.textContent!.trim()}"`;
                expect(rect.left, `${where} starts outside`).to.be.at.least(page.left - 0.5);
                expect(rect.right, `${where} ends outside`).to.be.at.most(page.right + 0.5);
              }
            }
            await detachAll();
          }
      });

    // The inline-block gap trick: a partner's row with `font-size: 0`, each child setting its own.
    it('stays readable in a container with font-size: 0, which it would inherit', async () => {
      const m = await mountReady(`${LIGHT_PAGE}; font-size: 0`);
      for (const node of [part(m.el, 'label'), field(m.el), submitButton(m.el)]) {
        expect(parseFloat(getComputedStyle(node).fontSize), node.localName).to.be.at.least(12);
        expect(node.getBoundingClientRect().height, node.localName).to.be.greaterThan(12);
      }
    });
  });
});
