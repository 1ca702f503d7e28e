// What the element reads from the page around it: its language and whether it sits on a dark
// background. Written by hand: a few lines each, where a library would cost more than the element.

/** The language of the element or its nearest ancestor with `lang`, across shadow roots; `''` if none. */
export function pageLang(element: Element): string {
  for (let node: Element | null = element; node;) {
    const lang = node.getAttribute('lang');
    if (lang !== null) return lang;
    node = node.parentElement ?? ((node.getRootNode() as ShadowRoot).host || null);
  }
  return '';
}

/**
 * `dark` when the text the element inherits is light, which is how a page says its background is
 * dark (whether it follows `prefers-color-scheme` or is dark by design); `light` otherwise.
 */
export function pageScheme(element: Element): 'light' | 'dark' {
  const [r = 0, g = 0, b = 0] = (getComputedStyle(element).color.match(/[\d.]+/g) ?? []).map(Number);
  // Relative luminance (WCAG 2), compared with the midpoint between black and white in contrast terms.
  const channel = (value: number) => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b) > 0.18 ? 'dark' : 'light';
}

type Listener = () => void;

const listeners = new Set<Listener>();
/** Disconnects the observers, set while any element listens. */
let unwatch: Listener | null = null;

const notify = (): void => listeners.forEach((listener) => listener());

/**
 * Calls `listener` when a `lang` attribute on the page changes, when `<html>` or `<body>` change
 * class, style or theme attribute (how pages switch to dark), or when the visitor's colour scheme
 * does. One set of observers for every element on the page. Returns the function that stops it.
 */
export function watchPage(listener: Listener): () => void {
  if (listeners.size === 0) {
    const { documentElement: html, body } = document;
    const language = new MutationObserver(notify);
    language.observe(html, { attributeFilter: ['lang'], subtree: true });
    const theme = new MutationObserver(notify);
    const themeAttributes = { attributeFilter: ['class', 'style', 'data-theme', 'data-color-scheme'] };
    theme.observe(html, themeAttributes);
    if (body) theme.observe(body, themeAttributes);
    // Test DOMs (jsdom, Jest's and Vitest's default) have no matchMedia, or a mock returning nothing
    // or only the old addListener.
    const darkQuery = window.matchMedia?.('(prefers-color-scheme: dark)');
    darkQuery?.addEventListener?.('change', notify);
    unwatch = () => {
      language.disconnect();
      theme.disconnect();
      darkQuery?.removeEventListener?.('change', notify);
    };
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    unwatch?.();
    unwatch = null;
  };
}
