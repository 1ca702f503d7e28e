import { DEV } from './dev.js';
import { LayerOnboarding } from './layer-onboarding.js';

export const TAG_NAME = 'layer-onboarding';

/**
 * Registers `<layer-onboarding>`. Safe to call more than once, and a no-op where there is no
 * `customElements` (server-side rendering).
 *
 * When the tag is already taken by another copy of the element (two bundles, or a bundle and the
 * script tag, on one page) the first one stays; if its version differs from this one the
 * development builds warn, since the page then runs a version it may not expect.
 */
export function defineLayerOnboarding(): void {
  if (typeof customElements === 'undefined') return;
  const defined = customElements.get(TAG_NAME);
  if (!defined) {
    customElements.define(TAG_NAME, LayerOnboarding);
    return;
  }
  if (!DEV || defined === LayerOnboarding) return;
  const version = (defined as Partial<typeof LayerOnboarding>).version ?? 'unknown';
  if (version !== LayerOnboarding.version)
    console.warn(
      `layer-onboarding: <${TAG_NAME}> is already defined by version ${version}; this copy (version ${LayerOnboarding.version}) is not used. Load the element once per page.`,
    );
}

declare global {
  interface HTMLElementTagNameMap {
    'layer-onboarding': LayerOnboarding;
  }
}
