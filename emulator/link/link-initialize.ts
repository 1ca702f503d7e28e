/**
 * The emulated `link-initialize.js`: defines `window.Plaid` for a page. Each handler adds a Link
 * iframe served by the emulator that served this script and speaks to it by `postMessage`
 * (framed-handler.ts); the page itself never calls the emulator. With link-frame.ts, one of the two
 * entries in link/ with a side effect.
 */
import { LINK_SCRIPT_PATH, type EmulatorLinkSettings, type PlaidLinkOptions } from '../../contract/index.js';
import { createFramedHandler } from './framed-handler.js';
import type { EmulatorPlaidGlobal } from './types.js';

/** Real Link's words, so integrations that watch the console see the same thing. */
const EMBEDDED_TWICE =
  'The Plaid link-initialize.js script was embedded more than once. This is an unsupported configuration and may lead to unexpected behavior. Please ensure the script is only embedded once.';

/** Real Link throws this from `create()` without a token (plaid/quickstart#134); it adds no iframe. */
const MISSING_TOKEN = 'Missing Link parameter. Link requires a key or token to be provided.';

function createChecked(config: PlaidLinkOptions, emulatorUrl: string, settings: EmulatorLinkSettings) {
  if (typeof config.token !== 'string' || config.token === '') throw new Error(MISSING_TOKEN);
  return createFramedHandler(config, emulatorUrl, settings);
}

/**
 * Where the emulator is: this script's URL minus its path, so it works under any mount prefix
 * (`/plaid/link/v2/stable/link-initialize.js` → `<origin>/plaid`).
 */
function findEmulatorUrl(): string | null {
  const current = document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : '';
  const candidates = current
    ? [current]
    : [...document.querySelectorAll<HTMLScriptElement>('script[src]')].map((script) => script.src).reverse();
  for (const src of candidates) {
    const url = new URL(src, document.baseURI);
    if (url.pathname.endsWith(LINK_SCRIPT_PATH))
      return url.origin + url.pathname.slice(0, -LINK_SCRIPT_PATH.length);
  }
  return null;
}

function install(): void {
  const scope = window as unknown as { Plaid?: EmulatorPlaidGlobal };
  if (scope.Plaid) {
    console.warn(EMBEDDED_TWICE);
    return;
  }
  const emulatorUrl = findEmulatorUrl();
  if (emulatorUrl === null) {
    console.error(
      `[Plaid emulator] cannot tell where the emulator is: load this script from a URL ending in ${LINK_SCRIPT_PATH}.`,
    );
    return;
  }
  const settings: EmulatorLinkSettings = {};
  scope.Plaid = {
    version: 'emulator',
    emulator: settings,
    create: (config: PlaidLinkOptions) => createChecked(config, emulatorUrl, settings),
    createEmbedded: (config: PlaidLinkOptions, _target: unknown) => {
      console.error(
        '[Plaid emulator] createEmbedded (Embedded Institution Search) is not emulated; using create().',
      );
      return createChecked(config, emulatorUrl, settings);
    },
  };
}

install();
