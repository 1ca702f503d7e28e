// The package version, written in by the builds (scripts/build.mjs defines
// `__LAYER_ONBOARDING_VERSION__` from package.json). The sources, run as they are by the tests or
// compiled by someone's bundler from a checkout, say so instead of guessing.
declare const __LAYER_ONBOARDING_VERSION__: string | undefined;

export const VERSION: string =
  typeof __LAYER_ONBOARDING_VERSION__ === 'undefined' ? '0.0.0-source' : __LAYER_ONBOARDING_VERSION__;
