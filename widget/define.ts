import { LayerOnboarding } from './layer-onboarding.js';

export const TAG_NAME = 'layer-onboarding';

/**
 * Registers `<layer-onboarding>`. Safe to call more than once, and a no-op where there is no
 * `customElements` (server-side rendering).
 */
export function defineLayerOnboarding(): void {
  if (typeof customElements === 'undefined' || customElements.get(TAG_NAME)) return;
  customElements.define(TAG_NAME, LayerOnboarding);
}

declare global {
  interface HTMLElementTagNameMap {
    'layer-onboarding': LayerOnboarding;
  }
}
