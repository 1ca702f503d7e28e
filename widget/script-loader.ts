// One <script src> per URL per page, however many elements ask for it. Loading Plaid's Link script
// twice makes Link warn "embedded more than once" and has made `onSuccess` fire twice
// (react-plaid-link #103, #107); several loaders racing left `window.Plaid` undefined (#239).

import { DEV } from './dev.js';

export class ScriptLoadError extends Error {
  constructor(src: string) {
    super(`Could not load the script ${src}`);
    // Only for a reader of the console: the widget catches its own errors and reports them as
    // `layer-error` details, which carry no error name.
    if (DEV) this.name = 'ScriptLoadError';
  }
}

export interface LoadScriptOptions {
  /** CSP nonce for the injected tag. */
  nonce?: string;
  /** Whether the script has already run (e.g. a tag the page put there itself has loaded). */
  isLoaded?: () => boolean;
  /** Further attempts after a failed load. */
  retries?: number;
}

/** One promise per absolute URL, shared by every caller, forgotten after a final failure. */
const loads = new Map<string, Promise<void>>();

/**
 * The Trusted Types policy a page that enforces them (`require-trusted-types-for 'script'`) must
 * allow by this name in its `trusted-types` directive (README, "Content Security Policy"). Made on
 * first use, so a page that never loads a script through the widget never sees it.
 */
const TRUSTED_TYPES_POLICY = 'layer-onboarding';

interface TrustedTypesWindow {
  trustedTypes?: {
    createPolicy(
      name: string,
      rules: { createScriptURL: (input: string) => string | null },
    ): { createScriptURL(input: string): unknown };
  };
}

let policy: ReturnType<NonNullable<TrustedTypesWindow['trustedTypes']>['createPolicy']> | undefined;

/** Absolute URLs callers asked for: the only ones the policy vouches for. */
const requested = new Set<string>();

/** Link's own host: the script URLs the policy vouches for are on it or on the page's origin. */
const PLAID_CDN = 'https://cdn.plaid.com';

/**
 * Whether the widget's policy vouches for `url`: one `loadScript` was given (the element's
 * `link-script-src`) on the page's own origin or Plaid's CDN. Markup injected into the page can set
 * `link-script-src` too, so another origin is left to the page's own rules.
 */
const vouched = (url: string) =>
  requested.has(url) && [location.origin, PLAID_CDN].includes(new URL(url).origin);

/**
 * `url` as a script URL the page's Trusted Types accept, where the browser has them. The policy is
 * this module's own and vouches only for `vouched` URLs: it must not become a way for other code
 * to get round the page's rule. Any other URL goes as a string, which a page that enforces Trusted
 * Types refuses (or lets its own default policy decide); `layer-error` says so.
 */
function scriptUrl(url: string): string {
  if (!vouched(url)) return url;
  policy ??= (window as TrustedTypesWindow).trustedTypes?.createPolicy(TRUSTED_TYPES_POLICY, {
    createScriptURL: (input) => (vouched(input) ? input : null),
  });
  // A TrustedScriptURL, which the DOM's typings (without Trusted Types) call a string.
  return (policy?.createScriptURL(url) ?? url) as string;
}

/** Marks tags this loader inserted, and how their load went. */
const STATE_ATTRIBUTE = 'data-layer-onboarding';

/**
 * Loads a classic script once per page and resolves when it has run. Reuses a tag for the same URL
 * that is already on the page; on failure removes the tag and tries again `retries` times (1 by
 * default), then rejects with a `ScriptLoadError`. Touches the document only when called.
 */
export function loadScript(
  src: string,
  { nonce, isLoaded, retries = 1 }: LoadScriptOptions = {},
): Promise<void> {
  const url = new URL(src, document.baseURI).href;
  requested.add(url);
  let load = loads.get(url);
  if (!load) {
    load = attemptLoad(url, nonce, isLoaded, retries);
    loads.set(url, load);
    load.catch(() => loads.delete(url));
  }
  return load;
}

async function attemptLoad(
  url: string,
  nonce: string | undefined,
  isLoaded: (() => boolean) | undefined,
  retries: number,
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const existing = findScript(url);
    if (existing && (isLoaded?.() || existing.getAttribute(STATE_ATTRIBUTE) === 'loaded')) return;
    const script = existing ?? insertScript(url, nonce);
    try {
      await whenLoaded(script);
      script.setAttribute(STATE_ATTRIBUTE, 'loaded');
      return;
    } catch {
      script.remove();
      if (attempt >= retries) throw new ScriptLoadError(url);
    }
  }
}

function findScript(url: string): HTMLScriptElement | undefined {
  return Array.from(document.scripts).find((script) => script.src === url);
}

function insertScript(url: string, nonce: string | undefined): HTMLScriptElement {
  const script = document.createElement('script');
  script.src = scriptUrl(url);
  script.async = true;
  if (nonce) script.nonce = nonce;
  script.setAttribute(STATE_ATTRIBUTE, 'loading');
  document.head.append(script);
  return script;
}

/** A script element runs once and fires `load` or `error` once: the listener left is inert. */
function whenLoaded(script: HTMLScriptElement): Promise<void> {
  return new Promise((resolve, reject) => {
    script.addEventListener('load', () => resolve());
    script.addEventListener('error', () => reject(new ScriptLoadError(script.src)));
  });
}
