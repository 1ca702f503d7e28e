import { defineConfig } from 'vite';

// One entry, two files: an IIFE for a plain <script> tag and an ES module for bundlers and
// <script type="module">. Lit is bundled into both so a partner page needs nothing else.
export default defineConfig({
  publicDir: false,
  // widget/dev.ts: development-only warnings are dropped from both builds.
  define: { __LAYER_ONBOARDING_DEV__: 'false' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2021',
    sourcemap: true,
    minify: true,
    lib: {
      entry: 'widget/index.ts',
      name: 'LayerOnboarding',
      formats: ['iife', 'es'],
      fileName: (format) => (format === 'es' ? 'layer-onboarding.mjs' : 'layer-onboarding.js'),
    },
  },
});
