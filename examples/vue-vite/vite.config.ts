import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';

import { createBackend } from './backend.mjs';

/** `vite dev` serves the Layer backend too, as server.mjs does for the built app. */
function layerBackend(): Plugin {
  return {
    name: 'layer-backend',
    configureServer(server) {
      let backend: ReturnType<typeof createBackend> | undefined;
      server.middlewares.use((request, response, next) => {
        backend ??= createBackend(`http://${request.headers.host}`);
        backend.handle(request, response, next);
      });
    },
  };
}

export default defineConfig({
  plugins: [
    vue({
      // <layer-onboarding> is a custom element, not a Vue component: Vue renders it as is and
      // passes its attributes and `@layer-*` listeners to it.
      template: { compilerOptions: { isCustomElement: (tag) => tag === 'layer-onboarding' } },
    }),
    layerBackend(),
  ],
});
