import { defineLayerOnboarding } from './define.js';

export { LayerOnboarding } from './layer-onboarding.js';
export { defineLayerOnboarding, TAG_NAME } from './define.js';

// The one side effect of the package: registering the tag.
defineLayerOnboarding();
