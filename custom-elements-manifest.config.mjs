// `cem analyze` (run by scripts/build.mjs): dist/custom-elements.json from the element's class and
// its JSDoc (@tag, @fires with detail types, @slot, @csspart, @cssprop).

/**
 * Where each analysed source is published: the module that exports its element (and defines the
 * tag). The analyzer names sources (`widget/layer-onboarding.ts`), which the package does not
 * ship, and tools (IDE plugins, Storybook) resolve a manifest's paths against the package.
 */
const PUBLISHED = { 'widget/layer-onboarding.ts': 'dist/layer-onboarding.mjs' };

/**
 * Every `path` and `module` in the manifest made to name a published file. A reference (a
 * superclass, a type) to a module the package does not publish keeps its name only, as the schema
 * allows; a module whose source has no published file fails the build.
 */
function publishedPaths() {
  const rewrite = (node) => {
    if (Array.isArray(node)) return node.forEach(rewrite);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'path' || key === 'module') && typeof value === 'string') {
        const published = PUBLISHED[value.replace(/^\.?\//, '')];
        if (published) node[key] = published;
        else if (key === 'module') delete node[key];
        else throw new Error(`custom-elements.json: ${value} is not published; add it to PUBLISHED`);
      } else rewrite(value);
    }
  };
  return {
    name: 'layer-onboarding:published-paths',
    packageLinkPhase({ customElementsManifest }) {
      rewrite(customElementsManifest);
    },
  };
}

export default {
  globs: ['widget/layer-onboarding.ts'],
  outdir: 'dist',
  litelement: true,
  dependencies: false,
  packagejson: false,
  plugins: [publishedPaths()],
};
