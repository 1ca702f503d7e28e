// What visitors really put in the phone and date-of-birth fields: an IME's full-width digits, text
// pasted from an address book, a browser's or a password manager's autofill (which may fire
// `change` and no `input`, or no event at all). Keys and text go in through Chromium's own input
// pipeline (`sendKeys`: key presses, and `Input.insertText` for what no key types); Link is the
// hand-driven double (support/fake-plaid.ts), the backend the real one.
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';

import '../../widget/index.js';
import type { LayerOnboarding } from '../../widget/index.js';
import { attach, element, field, part, submitButton, text, typeAndSubmit } from './support/element.js';
import { detachAllAfterEach, FakePlaid } from './support/fake-plaid.js';
import { useWorker } from './support/msw.js';
import { until } from './support/wait.js';

useWorker();

detachAllAfterEach();

/** The element with a fresh fake Link; ready for a number unless Link is told not to load. */
async function mount(autoLoad = true): Promise<{ el: LayerOnboarding; plaid: FakePlaid }> {
  const plaid = new FakePlaid();
  plaid.autoLoad = autoLoad;
  const el = document.createElement('layer-onboarding');
  el.setAttribute('link-script-src', plaid.scriptUrl());
  await attach(element('div', {}, el));
  await until(() => (autoLoad ? el.state === 'ready' : plaid.handlers.length > 0), 'Link never started');
  await el.updateComplete;
  return { el, plaid };
}

/** Into the date-of-birth step: a number Layer does not know, and Link's `LAYER_NOT_AVAILABLE`. */
async function toDateOfBirth(el: LayerOnboarding, plaid: FakePlaid): Promise<void> {
  await typeAndSubmit(el, '415-555-0000');
  plaid.last.event('LAYER_NOT_AVAILABLE');
  await until(() => el.state === 'dob');
  await el.updateComplete;
}

/** Focuses the field and types `value` with the keyboard (and `insertText` where no key types it). */
async function type(el: LayerOnboarding, value: string): Promise<void> {
  const input = field(el);
  input.focus();
  await sendKeys({ type: value });
  await until(() => input.value === value, `the field never showed ${JSON.stringify(value)}`);
}

/** What an autofill that fires no `input` event does: sets the value, then maybe `change`. */
function autofill(el: LayerOnboarding, value: string, events: 'change' | 'none'): void {
  const input = field(el);
  input.value = value;
  if (events === 'change') input.dispatchEvent(new Event('change', { bubbles: true }));
}

describe('<layer-onboarding> takes what visitors type, paste and autofill', () => {
  it('a number typed in full width with a Japanese or Chinese IME', async () => {
    const { el, plaid } = await mount();
    await type(el, '\uff0b\uff11 \uff14\uff11\uff15 \uff15\uff15\uff15 \uff10\uff10\uff11\uff11');
    await sendKeys({ press: 'Enter' });
    await until(() => el.state === 'checking', 'not submitted');
    expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
  });

  it('a number pasted from iOS Contacts, wrapped in bidi controls with non-breaking hyphens', async () => {
    const { el, plaid } = await mount();
    await type(el, '\u202d+1 (415) 555\u20110011\u202c');
    submitButton(el).click();
    await until(() => el.state === 'checking', 'not submitted');
    expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
  });

  it('a tel: link pasted', async () => {
    const { el, plaid } = await mount();
    await type(el, 'tel:+14155550011');
    submitButton(el).click();
    await until(() => el.state === 'checking', 'not submitted');
    expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
  });

  it('a number with an extension is kept, marked invalid and tied to its message, to correct', async () => {
    const { el, plaid } = await mount();
    await type(el, '+1 (415) 555-0011 ext. 12');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    const input = field(el);
    expect(plaid.last.submitted).to.deep.equal([]);
    expect(input.value, 'what the visitor typed stays').to.equal('+1 (415) 555-0011 ext. 12');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(input.getAttribute('aria-describedby')!.split(' ')).to.include(part(el, 'error').id);
    expect(part(el, 'error').getAttribute('role')).to.equal('alert');
    expect(text(part(el, 'error'))).to.equal('Enter a valid phone number, like (415) 555-0123.');
    expect(el.shadowRoot!.activeElement).to.equal(input);
  });

  it('an autofilled number with `change` and no `input` event survives a render and is the one submitted', async () => {
    const { el, plaid } = await mount(false);
    autofill(el, '(415) 555-0011', 'change');
    plaid.last.load(); // Link loads after the fill: `ready` renders the field again
    await until(() => el.state === 'ready');
    await el.updateComplete;
    expect(field(el).value, 'the autofilled number was wiped').to.equal('(415) 555-0011');
    submitButton(el).click();
    await until(() => el.state === 'checking', 'not submitted');
    expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
  });

  it('a number filled with no event at all is the one submitted, and stays in the field', async () => {
    const { el, plaid } = await mount();
    await type(el, '415-555-0000');
    autofill(el, '415-555-0011', 'none'); // a password manager replaces what was typed
    submitButton(el).click();
    await el.updateComplete;
    expect(field(el).value).to.equal('415-555-0011');
    expect(plaid.last.submitted).to.deep.equal([{ phone_number: '+14155550011' }]);
  });

  it('a date of birth autofilled (`bday`) with only `change` is the one submitted', async () => {
    const { el, plaid } = await mount();
    await toDateOfBirth(el, plaid);
    autofill(el, '01/18/1975', 'change');
    submitButton(el).click();
    await el.updateComplete;
    expect(field(el).value).to.equal('01/18/1975');
    expect(plaid.last.submitted.at(-1)).to.deep.equal({ date_of_birth: '1975-01-18' });
  });

  it('a date of birth typed in full width, and one with a two-digit year kept to correct', async () => {
    const { el, plaid } = await mount();
    await toDateOfBirth(el, plaid);
    await type(el, '01/18/75');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(plaid.last.submitted).to.have.length(1);
    expect(field(el).value).to.equal('01/18/75');
    expect(field(el).getAttribute('aria-invalid')).to.equal('true');
    expect(text(part(el, 'error'))).to.equal('Enter your date of birth as MM/DD/YYYY.');

    await type(el, '\uff10\uff11\uff0f\uff11\uff18\uff0f\uff11\uff19\uff17\uff15'); // replaces the selection
    await sendKeys({ press: 'Enter' });
    await until(() => el.state === 'checking', 'not submitted');
    expect(plaid.last.submitted.at(-1)).to.deep.equal({ date_of_birth: '1975-01-18' });
  });

  it('in Spanish, the date of birth is asked and read month first, as Layer’s US audience writes it', async () => {
    const { el, plaid } = await mount();
    el.lang = 'es';
    await toDateOfBirth(el, plaid);
    expect(field(el).placeholder).to.equal('MM/DD/AAAA');
    await typeAndSubmit(el, '05/06/1980');
    expect(plaid.last.submitted.at(-1)).to.deep.equal({ date_of_birth: '1980-05-06' });
  });
});
