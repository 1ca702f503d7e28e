/**
 * What the browser loads from the emulator for Link, as from Plaid's CDN: the emulated
 * `link-initialize.js` for the partner's page, and the Link iframe's document, script and styles.
 * The two scripts are built from the TypeScript in link/ with esbuild the first time one is asked
 * for.
 *
 * Why at first request rather than at build time: `npm start` runs the server from the sources with
 * tsx and has no build step for the emulator, and generated files checked in beside their sources
 * would drift from them. esbuild is what tsx and Vite already run on, and bundling these few files
 * takes tens of milliseconds. The result does not depend on the emulator's options (each script
 * finds the emulator from its own URL), so one build serves every emulator in the process.
 */
import { LINK_FRAME_SCRIPT_PATH, LINK_FRAME_STYLES_PATH } from './link/frame-messages.js';
import { LINK_STYLES } from './link/link-styles.js';

export interface LinkScripts {
  /** `link-initialize.js`, for the partner's page. */
  page: string;
  /** The Link iframe's script. */
  frame: string;
}

let bundle: Promise<LinkScripts> | undefined;

export function linkScripts(): Promise<LinkScripts> {
  bundle ??= build().catch((error: unknown) => {
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
 * may embed Plaid's.
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
].join('; ');

async function build(): Promise<LinkScripts> {
  // Imported here, not at the top: the emulator's API needs neither, so importing the emulator
  // stays runtime-neutral and only serving the Link scripts needs Node and esbuild.
  const [{ build }, { fileURLToPath }] = await Promise.all([import('esbuild'), import('node:url')]);
  const entry = (name: string) => fileURLToPath(new URL(`./link/${name}.ts`, import.meta.url));
  const result = await build({
    entryPoints: { page: entry('link-initialize'), frame: entry('link-frame') },
    outdir: 'out',
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const text = (name: string) => result.outputFiles.find((file) => file.path.endsWith(`${name}.js`))!.text;
  const banner =
    "/* Plaid Link emulator (layer-onboarding). Not Plaid's code; talks only to the server that served it. */\n";
  return { page: banner + text('page'), frame: banner + text('frame') };
}
