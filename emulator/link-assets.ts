/**
 * What the browser loads from the emulator for Link, as from Plaid's CDN: the emulated
 * `link-initialize.js` for the partner's page, and the Link iframe's document, script and styles.
 * The two scripts are bundled from the TypeScript in link/ by ./link-bundle.ts: in the published
 * package at build time (scripts/build.mjs), from the sources on first request (see there).
 */
import { buildLinkScripts, type LinkScripts } from './link-bundle.js';
import { LINK_FRAME_SCRIPT_PATH, LINK_FRAME_STYLES_PATH } from './link/frame-messages.js';
import { LINK_STYLES } from './link/link-styles.js';

export type { LinkScripts } from './link-bundle.js';

let bundle: Promise<LinkScripts> | undefined;

export function linkScripts(): Promise<LinkScripts> {
  bundle ??= buildLinkScripts().catch((error: unknown) => {
    // Let the next request try again rather than remembering a failure.
    bundle = undefined;
    throw error;
  });
  return bundle;
}

/** The iframe's style sheet. */
export const LINK_FRAME_CSS = LINK_STYLES;

/**
 * The iframe's document: nothing inline, so its CSP can forbid inline script and style. The
 * relative URLs resolve under whatever prefix the emulator is mounted at.
 */
export const LINK_FRAME_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Plaid Link (emulator)</title>
    <link rel="stylesheet" href="${LINK_FRAME_STYLES_PATH.split('/').pop()}" />
    <script src="${LINK_FRAME_SCRIPT_PATH.split('/').pop()}" defer></script>
  </head>
  <body></body>
</html>
`;

/**
 * The iframe document's Content-Security-Policy: its own script and style files, calls to its own
 * origin, no inline code, no plugins, no base or form targets; any page may embed it, as any page
 * may embed Plaid's. Trusted Types enforced with no policy at all: the UI builds its DOM, icons
 * included, without an HTML string, so it runs under the strictest policy a partner's page has.
 */
export const LINK_FRAME_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  'frame-ancestors *',
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');
