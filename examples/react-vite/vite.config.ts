import react from '@vitejs/plugin-react';
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

export default defineConfig({ plugins: [react(), layerBackend()] });
