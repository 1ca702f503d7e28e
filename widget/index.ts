import { defineLayerOnboarding } from './define.js';

export { LayerOnboarding } from './layer-onboarding.js';
export { PRELOAD_MODES, type PreloadMode } from './layer-flow.js';
export { defineLayerOnboarding, TAG_NAME } from './define.js';
export { LAYER_STATES, type LayerState } from './states.js';
export {
  FALLBACK_REASONS,
  type EligibleVia,
  type FallbackReason,
  type LayerEligibleDetail,
  type LayerErrorDetail,
  type LayerEventDetails,
  type LayerExitDetail,
  type LayerFallbackDetail,
  type LayerLinkEventDetail,
  type LayerStateChangeDetail,
  type LayerSuccessDetail,
} from './events.js';
export type { BrowserProfile } from '../contract/index.js';

// The one side effect of the package: registering the tag.
defineLayerOnboarding();
