// fill-form: the partner's own form filled from the profile, as if the visitor had typed it. First
// fillForm() and prefillPhone() on plain forms, then <layer-onboarding fill-form> end to end with
// the emulated Link and the real backend.
import { expect, oneEvent } from '@open-wc/testing';

import type { BrowserProfile } from '../../contract/index.js';
import { forgetWarnings } from '../../widget/diagnostics.js';
import { fillForm, prefillPhone } from '../../widget/fill-form.js';
import '../../widget/index.js';
import type { LayerOnboarding } from '../../widget/index.js';
import { browserProfileOf, LINK_SCRIPT_SRC, SANDBOX_PHONE } from './support/backend.js';
import { catchConsole } from './support/console.js';
import { attach, detachAll, element, typeAndSubmit } from './support/element.js';
import { linkHosts, shareInLink } from './support/link-dialog.js';
import { useWorker } from './support/msw.js';
import { until } from './support/wait.js';

/** Leslie Knope, the default Sandbox user, as the browser gets her (support/backend.ts). */
const PROFILE = browserProfileOf(SANDBOX_PHONE);

/** A form built from HTML, on the page (removed after each test). */
async function form(html: string): Promise<HTMLFormElement> {
  const node = element('form');
  node.innerHTML = html;
  return attach(node);
}

const byField = (root: HTMLFormElement, name: string) =>
  root.querySelector<HTMLInputElement & HTMLSelectElement>(`[data-layer-field="${name}"]`)!;

/** Every `input` and `change` event the form hears, with the value its control had then. */
function recordInputs(root: HTMLFormElement): string[] {
  const seen: string[] = [];
  for (const type of ['input', 'change'])
    root.addEventListener(type, (event) => {
      const target = event.target as HTMLInputElement;
      seen.push(`${type} ${target.dataset['layerField']}=${target.value}`);
    });
  return seen;
}

afterEach(async () => {
  await detachAll();
  forgetWarnings();
});

describe('fillForm', () => {
  const warnings = catchConsole('warn');

  it('fills plain inputs, nested address fields and dotted paths, and returns what it filled', async () => {
    const f = await form(`
      <input data-layer-field="first_name">
      <input data-layer-field="name.last_name">
      <input data-layer-field="address.street">
      <input data-layer-field="address.city">
      <input data-layer-field="address.postal_code">
      <input data-layer-field="address.country">
      <input type="tel" data-layer-field="phone_number">
      <textarea data-layer-field="ssn_last_4"></textarea>
      <input name="untouched" value="mine">`);
    const filled = fillForm(f, PROFILE);
    expect(filled).to.deep.equal([
      'first_name',
      'name.last_name',
      'address.street',
      'address.city',
      'address.postal_code',
      'address.country',
      'phone_number',
      'ssn_last_4',
    ]);
    expect(byField(f, 'first_name').value).to.equal('Leslie');
    expect(byField(f, 'name.last_name').value).to.equal('Knope');
    expect(byField(f, 'address.street').value).to.equal('123 Main St.');
    expect(byField(f, 'address.city').value).to.equal('Pawnee');
    expect(byField(f, 'address.postal_code').value).to.equal('41006');
    expect(byField(f, 'address.country').value).to.equal('US');
    expect(byField(f, 'phone_number').value).to.equal('+14155550011');
    expect(byField(f, 'ssn_last_4').value).to.equal('4321');
    expect(f.querySelector<HTMLInputElement>('[name=untouched]')!.value).to.equal('mine');
  });

  it('fills controls outside the form that belong to it (form="…")', async () => {
    const f = await form('');
    f.id = 'outside-form';
    const input = await attach(element('input', { form: 'outside-form', 'data-layer-field': 'first_name' }));
    expect(fillForm(f, PROFILE)).to.deep.equal(['first_name']);
    expect(input.value).to.equal('Leslie');
  });

  it('selects the option of that value, or of that text, without regard to case', async () => {
    const f = await form(`
      <select data-layer-field="address.region">
        <option value="">Select…</option><option value="il">Illinois</option><option value="in">Indiana</option>
      </select>
      <select data-layer-field="address.country">
        <option value="">Country</option><option value="CA">Canada</option><option value="USA">us</option>
      </select>
      <select data-layer-field="address.city">
        <option value="">City</option><option>Eagleton</option>
      </select>`);
    const seen = recordInputs(f);
    expect(fillForm(f, PROFILE)).to.deep.equal(['address.region', 'address.country']);
    expect(byField(f, 'address.region').value).to.equal('in');
    expect(byField(f, 'address.country').value).to.equal('USA');
    // No option for Pawnee: left as it was, and no event says otherwise.
    expect(byField(f, 'address.city').value).to.equal('');
    expect(seen.filter((line) => line.includes('address.city'))).to.deep.equal([]);
  });

  it('gives a type=date input the ISO date, which it shows as a date', async () => {
    const f = await form('<input type="date" data-layer-field="date_of_birth">');
    expect(fillForm(f, PROFILE)).to.deep.equal(['date_of_birth']);
    const input = byField(f, 'date_of_birth');
    expect(input.value).to.equal('1975-01-18');
    expect(input.valueAsDate?.toISOString()).to.equal('1975-01-18T00:00:00.000Z');
  });

  it('leaves alone the fields the profile lacks, and what the visitor typed there', async () => {
    const f = await form(`
      <input data-layer-field="email" value="typed@example.com">
      <input data-layer-field="address.street2">
      <input data-layer-field="first_name">`);
    const seen = recordInputs(f);
    const lacking: BrowserProfile = { ...PROFILE, name: null };
    expect(fillForm(f, lacking)).to.deep.equal([]);
    expect(byField(f, 'email').value).to.equal('typed@example.com');
    expect(byField(f, 'address.street2').value).to.equal('');
    expect(byField(f, 'first_name').value).to.equal('');
    expect(seen).to.deep.equal([]);
  });

  it('skips disabled (also by a fieldset) and read-only controls, and inputs that take no text', async () => {
    const f = await form(`
      <input data-layer-field="first_name" disabled>
      <fieldset disabled><input data-layer-field="last_name"></fieldset>
      <input data-layer-field="address.city" readonly value="Eagleton">
      <input type="checkbox" data-layer-field="ssn_last_4">
      <input type="radio" data-layer-field="address.region" value="x">
      <input type="number" data-layer-field="address.street">
      <input type="hidden" data-layer-field="address.postal_code">`);
    const seen = recordInputs(f);
    expect(fillForm(f, PROFILE)).to.deep.equal(['address.postal_code']);
    expect(byField(f, 'first_name').value).to.equal('');
    expect(byField(f, 'last_name').value).to.equal('');
    expect(byField(f, 'address.city').value).to.equal('Eagleton');
    expect(byField(f, 'ssn_last_4').checked).to.equal(false);
    expect(byField(f, 'ssn_last_4').value).to.equal('on');
    expect(byField(f, 'address.region').checked).to.equal(false);
    // A number input cannot hold a street: it keeps its value and hears nothing.
    expect(byField(f, 'address.street').value).to.equal('');
    expect(byField(f, 'address.postal_code').value).to.equal('41006');
    expect(seen).to.deep.equal(['input address.postal_code=41006', 'change address.postal_code=41006']);
  });

  it('fires bubbling input then change on each control, with the value already in place', async () => {
    const f = await form(`
      <input data-layer-field="first_name">
      <select data-layer-field="address.region"><option></option><option>IN</option></select>`);
    const seen = recordInputs(f);
    const bubbled: string[] = [];
    document.addEventListener('change', (event) => bubbled.push((event.target as HTMLElement).localName), {
      once: true,
    });
    fillForm(f, PROFILE);
    expect(seen).to.deep.equal([
      'input first_name=Leslie',
      'change first_name=Leslie',
      'input address.region=IN',
      'change address.region=IN',
    ]);
    expect(bubbled).to.deep.equal(['input']);
  });

  it('a React-style value tracker on the input notices the new value', async () => {
    const f = await form('<input data-layer-field="first_name"><input data-layer-field="last_name">');
    // React keeps the value it last saw in an own `value` property of each input: a plain
    // `input.value = …` goes through it, so React's change check (tracked ≠ DOM value) sees nothing.
    const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!;
    const changes: string[] = [];
    for (const input of f.querySelectorAll('input')) {
      let tracked = input.value;
      Object.defineProperty(input, 'value', {
        configurable: true,
        get(this: HTMLInputElement) {
          return native.get!.call(this) as string;
        },
        set(this: HTMLInputElement, value: string) {
          tracked = String(value);
          native.set!.call(this, value);
        },
      });
      input.addEventListener('input', () => {
        if (input.value === tracked) return;
        tracked = input.value;
        changes.push(`${input.dataset['layerField']}=${input.value}`);
      });
    }
    // The way that fails, to show the tracker is a real one: it hears the event but sees no change.
    const last = byField(f, 'last_name');
    last.value = 'Wyatt';
    last.dispatchEvent(new Event('input', { bubbles: true }));
    expect(changes).to.deep.equal([]);

    fillForm(f, PROFILE);
    expect(changes).to.deep.equal(['first_name=Leslie', 'last_name=Knope']);
  });

  it('says once which data-layer-field names no profile field, and when none is there at all', async () => {
    const f = await form('<input data-layer-field="firstname"><input data-layer-field="ssn">');
    expect(fillForm(f, PROFILE)).to.deep.equal([]);
    fillForm(f, PROFILE);
    const lines = warnings.take();
    expect(lines).to.have.length(2);
    expect(lines[0]).to.contain('data-layer-field="firstname" is no field of the profile');
    expect(lines[1]).to.contain('data-layer-field="ssn"');

    expect(fillForm(await form('<input name="first_name">'), PROFILE)).to.deep.equal([]);
    expect(warnings.take()).to.deep.equal([
      '<layer-onboarding>: the form given to fill-form has no control with data-layer-field (e.g. <input data-layer-field="first_name">): nothing to fill.',
    ]);
  });

  it('fills the full SSN only when the profile has it (the server opted in)', async () => {
    const f = await form('<input data-layer-field="ssn" autocomplete="off">');
    expect(fillForm(f, { ...PROFILE, ssn: '123456789' })).to.deep.equal(['ssn']);
    expect(byField(f, 'ssn').value).to.equal('123456789');
  });
});

describe('prefillPhone', () => {
  it('puts the E.164 number into an empty phone_number control, with input and change', async () => {
    const f = await form(
      '<input type="tel" data-layer-field="phone_number"><input data-layer-field="first_name">',
    );
    const seen = recordInputs(f);
    expect(prefillPhone(f, '+14155550000')).to.equal(true);
    expect(byField(f, 'phone_number').value).to.equal('+14155550000');
    expect(byField(f, 'first_name').value).to.equal('');
    expect(seen).to.deep.equal(['input phone_number=+14155550000', 'change phone_number=+14155550000']);
  });

  it('never replaces a number the visitor already typed there', async () => {
    const f = await form('<input type="tel" data-layer-field="phone_number" value="(312) 555-0100">');
    const seen = recordInputs(f);
    expect(prefillPhone(f, '+14155550000')).to.equal(false);
    expect(byField(f, 'phone_number').value).to.equal('(312) 555-0100');
    expect(seen).to.deep.equal([]);
  });
});

describe('<layer-onboarding fill-form> with the emulated Link', () => {
  useWorker();
  const warnings = catchConsole('warn');

  afterEach(() => {
    expect(linkHosts(), 'a Link handler was left behind').to.have.length(0);
  });

  const SIGNUP = `
    <input data-layer-field="first_name"><input data-layer-field="last_name">
    <input type="tel" data-layer-field="phone_number"><input type="email" data-layer-field="email">
    <input type="date" data-layer-field="date_of_birth"><input data-layer-field="ssn_last_4">
    <input data-layer-field="address.street"><input data-layer-field="address.street2">
    <input data-layer-field="address.city">
    <select data-layer-field="address.region"><option value="">State</option><option>IL</option><option>IN</option></select>
    <input data-layer-field="address.postal_code">`;

  /** The widget, ready, and the partner's form it names (by id, elsewhere in the page). */
  async function mount(attributes: Record<string, string> = {}): Promise<{
    el: LayerOnboarding;
    signup: HTMLFormElement;
  }> {
    const signup = await form(SIGNUP);
    signup.id = 'signup';
    const el = element('layer-onboarding', {
      'link-script-src': LINK_SCRIPT_SRC,
      'fill-form': 'signup',
      ...attributes,
    }) as LayerOnboarding;
    await attach(element('div', {}, el));
    await until(() => el.state === 'ready', 'the element never became ready');
    return { el, signup };
  }

  it('415-555-0011 → Share: the form holds the profile when layer-success is heard', async () => {
    const { el, signup } = await mount();
    expect(el.fillForm).to.equal('signup');
    const profile = browserProfileOf(SANDBOX_PHONE);
    const inputs = recordInputs(signup);
    let seenOnSuccess: Record<string, string> = {};
    el.addEventListener('layer-success', () => {
      seenOnSuccess = Object.fromEntries(
        Array.from(signup.querySelectorAll<HTMLInputElement>('[data-layer-field]'), (control) => [
          control.dataset['layerField']!,
          control.value,
        ]),
      );
    });
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    await shareInLink();
    await oneEvent(el, 'layer-success');
    expect(seenOnSuccess).to.deep.equal({
      first_name: profile.name!.first_name,
      last_name: profile.name!.last_name,
      phone_number: SANDBOX_PHONE,
      email: '',
      date_of_birth: profile.date_of_birth,
      ssn_last_4: profile.ssn_last_4,
      'address.street': profile.address!.street,
      'address.street2': profile.address!.street2 ?? '',
      'address.city': profile.address!.city,
      'address.region': profile.address!.region,
      'address.postal_code': profile.address!.postal_code,
    });
    expect(inputs).to.include(`input first_name=${profile.name!.first_name}`);
    expect(inputs).to.include(`change address.region=${profile.address!.region}`);
    await until(() => linkHosts().length === 0, 'Link was not destroyed after success');
  });

  it('no-autofill, 415-555-0000 → not_eligible: the phone field gets the number typed, before the page hears it', async () => {
    const { el, signup } = await mount({ 'no-autofill': '' });
    const phoneOnFallback: string[] = [];
    document.addEventListener(
      'layer-fallback',
      () => phoneOnFallback.push(byField(signup, 'phone_number').value),
      { once: true },
    );
    await typeAndSubmit(el, '415-555-0000');
    const fallback = await oneEvent(el, 'layer-fallback');
    expect(fallback.detail).to.deep.equal({ reason: 'not_eligible', phone: '+14155550000' });
    expect(phoneOnFallback).to.deep.equal(['+14155550000']);
    expect(byField(signup, 'first_name').value).to.equal('');
    await until(() => linkHosts().length === 0, 'Link was not destroyed after the fallback');
  });

  it('finds the form by name, and in the same shadow root as the element', async () => {
    const host = await attach(element('div'));
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = `<form id="inside">${SIGNUP}</form><layer-onboarding fill-form="inside" no-autofill link-script-src="${LINK_SCRIPT_SRC}"></layer-onboarding>`;
    const inner = shadow.querySelector('layer-onboarding')!;
    const named = await form('<input type="tel" data-layer-field="phone_number">');
    named.name = 'by-name';
    const el = await attach(
      element('layer-onboarding', {
        'fill-form': 'by-name',
        'no-autofill': '',
        'link-script-src': LINK_SCRIPT_SRC,
      }),
    );
    for (const widget of [inner, el]) {
      await until(() => widget.state === 'ready', 'the element never became ready');
      await typeAndSubmit(widget, '415-555-0000');
      await oneEvent(widget, 'layer-fallback');
    }
    expect(byField(shadow.querySelector('form')!, 'phone_number').value).to.equal('+14155550000');
    expect(byField(named, 'phone_number').value).to.equal('+14155550000');
    await until(() => linkHosts().length === 0, 'Link was not destroyed after the fallback');
  });

  it('a fill-form that names no form says so once, and the flow goes on', async () => {
    const { el } = await mount({ 'fill-form': 'nowhere', 'no-autofill': '' });
    await typeAndSubmit(el, '415-555-0000');
    await oneEvent(el, 'layer-fallback');
    expect(warnings.take()).to.deep.equal([
      '<layer-onboarding>: fill-form="nowhere" names no <form> id or name here: nothing is filled.',
    ]);
    expect(el.state).to.equal('fallback');
    await until(() => linkHosts().length === 0, 'Link was not destroyed after the fallback');
  });
});
