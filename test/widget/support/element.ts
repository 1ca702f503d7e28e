// Reading and using <layer-onboarding> as a user (and a partner page) does.
import { LAYER_EVENT_NAMES } from '../../../widget/events.js';
import type { LayerOnboarding } from '../../../widget/index.js';

export function part(el: LayerOnboarding, name: string): HTMLElement {
  const found = el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
  if (!found) throw new Error(`no part ${name}`);
  return found;
}

export const field = (el: LayerOnboarding) => part(el, 'input') as HTMLInputElement;

export const submitButton = (el: LayerOnboarding) =>
  el.shadowRoot!.querySelector<HTMLButtonElement>('form button[type=submit]')!;

export const text = (node: Element) => node.textContent!.replace(/\s+/g, ' ').trim();

/** Focus the field, type, and press the button. */
export async function typeAndSubmit(el: LayerOnboarding, value: string): Promise<void> {
  const input = field(el);
  input.focus();
  input.value = value;
  input.dispatchEvent(
    new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: value }),
  );
  await el.updateComplete;
  submitButton(el).click();
  await el.updateComplete;
}

export function scriptTags(url: string): HTMLScriptElement[] {
  const absolute = new URL(url, document.baseURI).href;
  return Array.from(document.scripts).filter((script) => script.src === absolute);
}

export interface Recorded {
  type: string;
  detail: unknown;
}

/** Records every `layer-*` event the element fires, in order. */
export function recordEvents(el: LayerOnboarding): Recorded[] {
  const seen: Recorded[] = [];
  for (const type of LAYER_EVENT_NAMES)
    el.addEventListener(type, (event) => seen.push({ type, detail: (event as CustomEvent).detail }));
  return seen;
}

const attached: Element[] = [];

/**
 * Puts nodes on the page (removed by `detachAll`). Unlike open-wc's `fixture`, it never waits for
 * an animation frame, which a page that runs in a background tab never gets (web-test-runner runs
 * two test files at once).
 */
export async function attach<T extends Element>(node: T): Promise<T> {
  document.body.append(node);
  attached.push(node);
  await Promise.all(
    [node, ...node.querySelectorAll('layer-onboarding')].map(
      (element) => (element as Partial<LayerOnboarding>).updateComplete,
    ),
  );
  return node;
}

/** Removes what `attach` put on the page; resolves once the elements have let go of Link (a microtask later). */
export async function detachAll(): Promise<void> {
  for (const node of attached.splice(0)) node.remove();
  await Promise.resolve();
}

/** A plain element with attributes and children, for wrappers such as a form or a `lang` div. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}
