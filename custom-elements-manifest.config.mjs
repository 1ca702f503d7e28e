// `cem analyze` (run by scripts/build.mjs): dist/custom-elements.json from the element's class and
// its JSDoc (@tag, @fires with detail types, @slot, @csspart, @cssprop).
export default {
  globs: ['widget/layer-onboarding.ts'],
  outdir: 'dist',
  litelement: true,
  dependencies: false,
  packagejson: false,
};
