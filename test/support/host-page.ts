/**
 * A minimal partner page that holds `<layer-onboarding>` and nothing else, served at a path of the
 * `npm start` server's own origin through a Playwright route: the widget's API calls and Link's
 * script are same-origin, as on the demo page, but no demo markup (form, fallback slot, event log)
 * surrounds the element. For tests and screenshots that need the element alone.
 */
import type { Browser, Page } from 'playwright-core';

import { EMULATOR_LINK_SCRIPT } from '../../server/site.js';
import { openDemo, type Demo } from './demo.js';

/** Where the page is served; nothing on the server answers this path. */
export const HOST_PAGE_PATH = '/__host/layer-onboarding.html';

/**
 * The page's own colours: `light` is black on white; `dark` is a typical dark site (#eee on
 * #111). A dark page is usually viewed with `prefers-color-scheme: dark`: emulate it as well
 * (a browser context's `colorScheme`).
 */
export const PAGE_THEMES = {
  light: { background: '#fff', color: '#111' },
  dark: { background: '#111', color: '#eee' },
} as const;

export type PageTheme = keyof typeof PAGE_THEMES;

export interface HostPageOptions {
  /** The page's `lang` (`<html lang>`), which the element follows. Default `en`. */
  lang?: string;
  /** The page's colours. Default `light`. */
  theme?: PageTheme;
  /** More attributes for the element (values are HTML-escaped), e.g. `{ 'eligibility-timeout': '600000' }`. */
  attributes?: Record<string, string>;
  /** A `Content-Security-Policy` header for the page, e.g. a partner's Trusted Types policy. */
  contentSecurityPolicy?: string;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page: the element in a padded `<main>`, the IIFE build, Link's script from the emulator. */
export function hostPageHtml({
  lang = 'en',
  theme = 'light',
  attributes = {},
}: HostPageOptions = {}): string {
  const { background, color } = PAGE_THEMES[theme];
  const attrs = Object.entries({ 'link-script-src': EMULATOR_LINK_SCRIPT, ...attributes })
    .map(([name, value]) => ` ${name}="${escapeHtml(value)}"`)
    .join('');
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>layer-onboarding alone</title>
    <style>
      html { background: ${background}; color: ${color}; font-family: system-ui, sans-serif; }
      body { margin: 0; }
      main { padding: 16px; }
    </style>
  </head>
  <body>
    <main><layer-onboarding${attrs}></layer-onboarding></main>
    <script src="/layer-onboarding.js"></script>
  </body>
</html>`;
}

/** Routes {@link HOST_PAGE_PATH} of `serverUrl` to the page in `page`; returns its URL to open. */
export async function routeHostPage(
  page: Page,
  serverUrl: string,
  options: HostPageOptions = {},
): Promise<string> {
  const url = `${serverUrl}${HOST_PAGE_PATH}`;
  const body = hostPageHtml(options);
  const { contentSecurityPolicy } = options;
  const headers: Record<string, string> = contentSecurityPolicy
    ? { 'Content-Security-Policy': contentSecurityPolicy }
    : {};
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', headers, body }));
  return url;
}

/**
 * The page in a new page of `browser`, recorded like the demo (every `layer-*` event, errors, CSP
 * violations): see {@link openDemo}.
 */
export function openHostPage(
  browser: Browser,
  serverUrl: string,
  options: HostPageOptions = {},
): Promise<Demo> {
  const url = `${serverUrl}${HOST_PAGE_PATH}`;
  return openDemo(browser, url, { beforeLoad: (page) => routeHostPage(page, serverUrl, options) });
}
