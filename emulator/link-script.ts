/**
 * The emulated `link-initialize.js`, built from the TypeScript in link/ with esbuild the first
 * time it is asked for.
 *
 * Why at first request rather than at build time: `npm start` runs the server from the sources with
 * tsx and has no build step for the emulator, and a generated file checked in beside its sources
 * would drift from them. esbuild is what tsx and Vite already run on, and bundling these few files
 * takes tens of milliseconds. The result does not depend on the emulator's options (the script
 * finds its API from its own URL), so one build serves every emulator in the process.
 */
let bundle: Promise<string> | undefined;

export function linkInitializeScript(): Promise<string> {
  bundle ??= build().catch((error: unknown) => {
    // Let the next request try again rather than remembering a failure.
    bundle = undefined;
    throw error;
  });
  return bundle;
}

async function build(): Promise<string> {
  // Imported here, not at the top: the emulator's API needs neither, so importing the emulator
  // stays runtime-neutral and only serving the Link script needs Node and esbuild.
  const [{ build }, { fileURLToPath }] = await Promise.all([import('esbuild'), import('node:url')]);
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./link/link-initialize.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  return `/* Plaid Link emulator (layer-onboarding). Not Plaid's code; talks only to the server that served it. */\n${result.outputFiles[0]!.text}`;
}
