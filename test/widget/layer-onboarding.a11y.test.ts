// Visitors who use the element differently from the default: Windows High Contrast (forced
// colours), screen readers on a page in a language the element does not speak, and right-to-left
// pages. Link is the hand-driven double (support/fake-plaid.ts); the backend is the real one.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';

import '../../widget/index.js';
import type { LayerOnboarding } from '../../widget/index.js';
import { catchConsole } from './support/console.js';
import { attach, detachAll, element, part, submitButton, typeAndSubmit } from './support/element.js';
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

/** The element in a page with these attributes, ready for a phone number. */
async function mountReady(
  pageAttributes: Record<string, string> = {},
  extra: (el: LayerOnboarding) => void = () => {},
): Promise<LayerOnboarding> {
  const plaid = new FakePlaid();
  const el = document.createElement('layer-onboarding');
  el.setAttribute('link-script-src', plaid.scriptUrl());
  extra(el);
  await attach(element('div', { style: 'width: 600px', ...pageAttributes }, el));
  await until(() => el.state === 'ready');
  await el.updateComplete;
  return el;
}

describe('<layer-onboarding> for every visitor', () => {
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
