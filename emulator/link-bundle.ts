/**
 * The emulated Link scripts (`link-initialize.js` for the partner's page, and the Link iframe's
 * script), bundled from the TypeScript in link/.
 *
 * Two builds of this module exist. In the published package, scripts/build.mjs replaces its
 * compiled form (dist/emulator/link-bundle.js) with the two scripts as string constants, bundled at
 * build time: an installed package needs no esbuild and its first Link request is not slow. From
 * the sources (`npm start`, the tests, under tsx) this file bundles them with esbuild (a
 * devDependency) the first time they are asked for, so they never drift from link/ — unless the
 * build's bundle (dist/emulator/link-bundle.js, which `npm start` makes or refreshes before it
 * starts) is newer than every source it was made from: then that is served, and the first Link
 * request compiles nothing (70-100 ms, more on a busy machine, otherwise). The result
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
  const built = await freshBuild();
  if (built) return built;
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

/** What the Link scripts are bundled from: link/, the protocol it shares, and the contract. */
const SOURCES = ['./link/', './link-protocol/', '../contract/'];

/**
 * The build's bundle, when it exists and is newer than every file it is bundled from; undefined
 * otherwise (then the caller bundles from the sources).
 */
async function freshBuild(): Promise<LinkScripts | undefined> {
  const [{ readdir, stat }, { fileURLToPath, pathToFileURL }, { join }] = await Promise.all([
    import('node:fs/promises'),
    import('node:url'),
    import('node:path'),
  ]);
  const built = fileURLToPath(new URL('../dist/emulator/link-bundle.js', import.meta.url));
  try {
    const builtAt = (await stat(built)).mtimeMs;
    // This file too: its bundling options and banner are part of what was built.
    if ((await stat(fileURLToPath(import.meta.url))).mtimeMs > builtAt) return undefined;
    for (const source of SOURCES) {
      const entries = await readdir(fileURLToPath(new URL(source, import.meta.url)), {
        recursive: true,
        withFileTypes: true,
      });
      for (const entry of entries)
        if (entry.isFile() && (await stat(join(entry.parentPath, entry.name))).mtimeMs > builtAt)
          return undefined;
    }
    const module = (await import(pathToFileURL(built).href)) as { buildLinkScripts(): Promise<LinkScripts> };
    return await module.buildLinkScripts();
  } catch {
    return undefined;
  }
}
