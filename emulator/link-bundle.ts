/**
 * The emulated Link scripts (`link-initialize.js` for the partner's page, and the Link iframe's
 * script), bundled from the TypeScript in link/.
 *
 * Two builds of this module exist. In the published package, scripts/build.mjs replaces its
 * compiled form (dist/emulator/link-bundle.js) with the two scripts as string constants, bundled at
 * build time: an installed package needs no esbuild and its first Link request is not slow. From
 * the sources (`npm start`, the tests, under tsx) this file bundles them with esbuild (a
 * devDependency) the first time they are asked for, so they never drift from link/. The result
 * does not depend on the emulator's options (each script finds the emulator from its own URL), so
 * one build serves every emulator in the process.
 */
export interface LinkScripts {
  /** `link-initialize.js`, for the partner's page. */
  page: string;
  /** The Link iframe's script. */
  frame: string;
}

/** Prepended to both scripts. */
export const LINK_SCRIPT_BANNER =
  "/* Plaid Link emulator (layer-onboarding). Not Plaid's code; talks only to the server that served it. */\n";

export async function buildLinkScripts(): Promise<LinkScripts> {
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
  return { page: LINK_SCRIPT_BANNER + text('page'), frame: LINK_SCRIPT_BANNER + text('frame') };
}
