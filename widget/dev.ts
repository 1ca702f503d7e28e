// Development-only checks. The production builds define `__LAYER_ONBOARDING_DEV__` as `false`
// (scripts/build.mjs), so the minifier drops every `if (DEV)` block from them; everywhere else (the
// sources under test, a bundler that compiles them) the checks run.
declare const __LAYER_ONBOARDING_DEV__: boolean | undefined;

export const DEV: boolean = typeof __LAYER_ONBOARDING_DEV__ === 'undefined' || __LAYER_ONBOARDING_DEV__;
