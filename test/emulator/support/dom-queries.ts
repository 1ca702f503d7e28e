/**
 * Finding elements the way a user (or a screen reader) does — by role and accessible name, or by
 * label — across open shadow roots and into same-origin iframes (the Link UI's: web-test-runner
 * serves the emulator on the page's origin). A small stand-in for Testing Library's queries, which
 * wtr does not ship; it covers the roles the Link UI uses.
 *
 * An element inside an iframe belongs to the iframe's window: `instanceof HTMLElement` (this
 * window's) is false for it, so the checks here go by node type and tag instead.
 */

type Root = Document | ShadowRoot | Element;

/** The same-origin document of an iframe, or null (cross-origin, or not loaded). */
export function frameDocument(element: Element): Document | null {
  if (element.localName !== 'iframe') return null;
  try {
    return (element as HTMLIFrameElement).contentDocument;
  } catch {
    return null;
  }
}

/** Every element under `root`, descending into open shadow roots and same-origin iframes. */
export function deepElements(root: Root = document): Element[] {
  const found: Element[] = [];
  const visit = (node: Root) => {
    for (const element of node.querySelectorAll('*')) {
      found.push(element);
      if (element.shadowRoot) visit(element.shadowRoot);
      const inner = frameDocument(element);
      if (inner) visit(inner);
    }
  };
  visit(root);
  return found;
}

/** An HTML element of any window. */
export function isHtmlElement(node: unknown): node is HTMLElement {
  const view = (node as Node | null)?.ownerDocument?.defaultView;
  return !!view && node instanceof view.HTMLElement;
}

function isInput(node: Element): node is HTMLInputElement {
  return isHtmlElement(node) && node.localName === 'input';
}

const INPUT_ROLES: Record<string, string> = {
  text: 'textbox',
  email: 'textbox',
  tel: 'textbox',
  url: 'textbox',
  search: 'searchbox',
  checkbox: 'checkbox',
  radio: 'radio',
};

export function roleOf(element: Element): string | null {
  const explicit = element.getAttribute('role');
  if (explicit) return explicit;
  const tag = element.localName;
  if (tag === 'button') return 'button';
  if (tag === 'input') return INPUT_ROLES[(element as HTMLInputElement).type] ?? null;
  if (tag === 'iframe') return null;
  if (/^h[1-6]$/.test(tag)) return 'heading';
  if (tag === 'dialog') return 'dialog';
  if (tag === 'a' && element.hasAttribute('href')) return 'link';
  return null;
}

const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();

export function accessibleName(element: Element): string {
  const labelledBy = element.getAttribute('aria-labelledby');
  if (labelledBy) {
    const root = element.getRootNode() as Document | ShadowRoot;
    return squash(
      labelledBy
        .split(/\s+/)
        .map((id) => root.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  }
  const label = element.getAttribute('aria-label');
  if (label) return squash(label);
  const labels = (element as HTMLInputElement).labels;
  if (labels && labels.length > 0) {
    // A label wrapping its input also contains the input's value: take the label's own text.
    return squash([...labels].map((l) => textWithout(l, element)).join(' '));
  }
  return squash(element.textContent);
}

function textWithout(label: HTMLLabelElement, control: Element): string {
  const copy = label.cloneNode(true) as HTMLElement;
  copy.querySelectorAll('input, select, textarea').forEach((node) => node.remove());
  return control.localName === 'input' ? (copy.textContent ?? '') : (label.textContent ?? '');
}

/** Rendered and not hidden from assistive technology — nor is any iframe it is in. */
export function isAccessible(element: Element): boolean {
  if (!element.checkVisibility({ visibilityProperty: true })) return false;
  for (let node: Node | null = element; node;) {
    if (node.nodeType === Node.ELEMENT_NODE && (node as Element).getAttribute('aria-hidden') === 'true')
      return false;
    const next: Node | null = node.parentNode ?? (node as ShadowRoot).host ?? null;
    if (next) {
      node = next;
      continue;
    }
    // The top of a document: go on from the iframe element that holds it.
    const frame: Element | null = (node as Document).defaultView?.frameElement ?? null;
    if (frame && !frame.checkVisibility({ visibilityProperty: true })) return false;
    node = frame;
  }
  return true;
}

function matches(text: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? text === expected : expected.test(text);
}

export function queryAllByRole(role: string, name?: string | RegExp, root: Root = document): HTMLElement[] {
  return deepElements(root).filter(
    (element): element is HTMLElement =>
      isHtmlElement(element) &&
      roleOf(element) === role &&
      isAccessible(element) &&
      (name === undefined || matches(accessibleName(element), name)),
  );
}

export function queryByRole(role: string, name?: string | RegExp, root: Root = document): HTMLElement | null {
  const found = queryAllByRole(role, name, root);
  if (found.length > 1) throw new Error(`${found.length} elements with role ${role} named ${String(name)}`);
  return found[0] ?? null;
}

export function getByRole(role: string, name?: string | RegExp, root: Root = document): HTMLElement {
  const element = queryByRole(role, name, root);
  if (!element) {
    const seen = deepElements(root)
      .filter((candidate) => roleOf(candidate) === role && isAccessible(candidate))
      .map((candidate) => `"${accessibleName(candidate)}"`);
    throw new Error(`no ${role} named ${String(name)}; visible ${role}s: ${seen.join(', ') || 'none'}`);
  }
  return element;
}

/** The form control whose label reads `label`. */
export function getByLabelText(label: string | RegExp, root: Root = document): HTMLInputElement {
  const controls = deepElements(root).filter(
    (element): element is HTMLInputElement =>
      isInput(element) && isAccessible(element) && matches(accessibleName(element), label),
  );
  if (controls.length !== 1) throw new Error(`${controls.length} controls labelled ${String(label)}`);
  return controls[0]!;
}

/** The focused element, looking inside shadow roots and same-origin iframes. */
export function deepActiveElement(): Element | null {
  let active = document.activeElement;
  for (;;) {
    if (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    else if (active && frameDocument(active)?.activeElement) active = frameDocument(active)!.activeElement;
    else return active;
  }
}

/** Types into a text box as a user would: focus, value, `input` event. */
export function type(input: HTMLInputElement, text: string): void {
  input.focus();
  input.value = text;
  const View = (input.ownerDocument.defaultView ?? window) as typeof window;
  input.dispatchEvent(new View.Event('input', { bubbles: true, composed: true }));
}

/** Presses a key on the focused element. */
export function press(key: string, options: { shiftKey?: boolean } = {}): boolean {
  const target = deepActiveElement() ?? document.body;
  // An event of the target's own window, as the browser would make it.
  const View = (target.ownerDocument.defaultView ?? window) as typeof window;
  return target.dispatchEvent(
    new View.KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...options }),
  );
}
