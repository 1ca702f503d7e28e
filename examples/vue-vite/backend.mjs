// The Layer backend for this example, in plain JavaScript: the API (`layer-onboarding/server`) at
// /api/layer and, instead of Plaid, the offline Plaid emulator (`layer-onboarding/emulator`) at
// /plaid, both as Node request handlers (`layer-onboarding/server/node`). server.mjs serves it
// beside the built app; vite.config.ts mounts it in `vite dev` too.
import { randomBytes } from 'node:crypto';

import { createLayerApi } from 'layer-onboarding/server';
import { nodeLayerApi } from 'layer-onboarding/server/node';
import {
  createPlaidEmulator,
  EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  LINK_SCRIPT_PATH,
} from 'layer-onboarding/emulator';

export const API_PATH = '/api/layer';
export const EMULATOR_PATH = '/plaid';
/** The `link-script-src` the page uses: Plaid Link's script, from the emulator. */
export const EMULATOR_LINK_SCRIPT = `${EMULATOR_PATH}${LINK_SCRIPT_PATH}`;

/**
 * The backend of a server reached at `origin` (`http://127.0.0.1:5173`): a Node handler that
 * answers /api/layer/* and /plaid/*, and calls `next()` for everything else.
 */
export function createBackend(origin) {
  const emulator = createPlaidEmulator();
  const api = createLayerApi({
    // With real Plaid: { clientId, secret, env: 'sandbox' } and your own Layer template.
    plaid: { clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, basePath: `${origin}${EMULATOR_PATH}` },
    templateId: EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID,
    // Throwaway: the emulator keeps nothing across restarts either. Real apps read it from the environment.
    sessionSecret: randomBytes(32).toString('base64url'),
    allowedOrigins: [origin],
  });
  // Node handlers for what is below each path (`basePath` takes the prefix away).
  const mounts = [
    [API_PATH, nodeLayerApi(api, { basePath: API_PATH })],
    [EMULATOR_PATH, nodeLayerApi(emulator, { basePath: EMULATOR_PATH })],
  ];
  return {
    handle(request, response, next) {
      const path = (request.url ?? '/').split('?')[0];
      const mount = mounts.find(([prefix]) => path === prefix || path.startsWith(`${prefix}/`));
      if (!mount) return next();
      return mount[1](request, response, next);
    },
    close: () => emulator.close(),
  };
}
