// Filling the partner's own form from the profile (`fill-form`): each control names the profile
// field it wants in `data-layer-field`, and gets it as if the visitor had typed it, so forms bound
// by React, Vue, Svelte or Angular see the values too.
import type { BrowserProfile } from '../contract/index.js';
import { DEV } from './dev.js';
import { warnOnce } from './diagnostics.js';
import { hasOwn } from './has-own.js';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** Short names for the profile's nested fields; any other name is a dotted path (`name.first_name`). */
const ALIASES: Readonly<Record<string, string>> = {
  first_name: 'name.first_name',
  last_name: 'name.last_name',
};

/** Inputs whose value is not text the visitor types: a profile field cannot go there. */
const NOT_TEXT = ['checkbox', 'radio', 'file', 'button', 'submit', 'reset', 'image'];

/**
 * Fills every control of `form` (`form.elements`: also those outside it with `form="…"`) that has
 * a `data-layer-field`, from `profile`, and returns those fields' names, one per control filled.
 *
 * Left alone: fields the profile lacks (null or empty); disabled (also by a fieldset) and read-only
 * controls; checkboxes, radios, file and button inputs; a `<select>` with no option of that value
 * (or text), matched without regard to case; a value the input refuses (a date in a `type=number`).
 * `type=date` takes the profile's `YYYY-MM-DD` as it is; hidden inputs are filled.
 */
export function fillForm(form: HTMLFormElement, profile: BrowserProfile): string[] {
  const filled: string[] = [];
  let named = 0;
  for (const control of controls(form)) {
    const field = control.dataset['layerField'];
    if (field === undefined) continue;
    if (DEV) named += 1;
    const path = ALIASES[field] ?? field;
    if (DEV && !hasOwn(profile, path.split('.')[0]!))
      warnOnce(
        `fill-form:${field}`,
        `data-layer-field="${field}" is no field of the profile (${Object.keys(profile).join(', ')}): it is left empty.`,
      );
    if (setValue(control, resolve(profile, path))) filled.push(field);
  }
  if (DEV && named === 0)
    warnOnce(
      'fill-form:none',
      `the form given to fill-form has no control with data-layer-field (e.g. <input data-layer-field="first_name">): nothing to fill.`,
    );
  return filled;
}

/**
 * After a fallback: puts the number the visitor typed (E.164, e.g. `+14155550011`, as
 * `layer-fallback` carries it) into the form's `data-layer-field="phone_number"` controls that are
 * still empty, so they need not type it twice. Returns whether one was filled.
 */
export function prefillPhone(form: HTMLFormElement, e164: string): boolean {
  let done = false;
  for (const control of controls(form))
    if (control.dataset['layerField'] === 'phone_number' && control.value === '')
      done = setValue(control, e164) || done;
  return done;
}

function controls(form: HTMLFormElement): Control[] {
  return Array.from(form.elements).filter((node): node is Control =>
    ['input', 'select', 'textarea'].includes(node.localName),
  );
}

/** The profile's value at a dotted path, as text; `''` when it has none (or not a text value). */
function resolve(profile: BrowserProfile, path: string): string {
  let value: unknown = profile;
  for (const key of path.split('.'))
    value =
      value !== null && typeof value === 'object' && hasOwn(value, key)
        ? (value as Record<string, unknown>)[key]
        : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/**
 * Sets a control's value as the browser does when the visitor types: through the value setter of
 * the element's own prototype, not the instance (where React's value tracker sits, and would then
 * think nothing changed), then `input` and `change`, bubbling, so every framework's binding hears
 * it. Returns whether the value was taken.
 */
function setValue(control: Control, value: string): boolean {
  if (value === '' || control.matches(':disabled') || ('readOnly' in control && control.readOnly))
    return false;
  // A select's type is `select-one` or `select-multiple`, a textarea's `textarea`: only inputs are listed.
  if (NOT_TEXT.includes(control.type)) return false;
  if (control.localName === 'select') {
    const wanted = value.toLowerCase();
    const option = Array.from((control as HTMLSelectElement).options).find(
      (candidate) =>
        candidate.value.toLowerCase() === wanted || candidate.text.trim().toLowerCase() === wanted,
    );
    if (!option) return false;
    value = option.value;
  }
  const before = control.value;
  let setter: ((this: Control, value: string) => void) | undefined;
  for (let proto = Object.getPrototypeOf(control); proto && !setter; proto = Object.getPrototypeOf(proto))
    setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (!setter) return false;
  setter.call(control, value);
  if (control.value !== value) {
    setter.call(control, before); // sanitised away: the input cannot hold it
    return false;
  }
  for (const type of ['input', 'change']) control.dispatchEvent(new Event(type, { bubbles: true }));
  return true;
}
