// Types for chromium.mjs, which the test harness (TypeScript) shares with scripts/test-examples.mjs.

/** Debian's Chromium, or CHROMIUM_PATH. */
export const CHROMIUM_PATH: string;
/** The flags of every Chromium the tests and scripts launch. */
export const CHROMIUM_ARGS: string[];
