/**
 * The widget builds' size budget (gzip level 9 bytes), checked by `npm test`
 * (test/pack/size.test.ts) and printed by `npm run bench` beside the goal. The budget holds what
 * the builds weigh now, so no change makes them heavier unnoticed; lower it whenever they shrink.
 * The goal is issue 15's: the drop-in script under 10 KB gzip (not met yet: BENCHMARKS.md says
 * where the bytes go and what bounds them).
 */
import { gzipSync } from 'node:zlib';

/** gzip level 9, what a CDN serves: how the budget, the goal and `npm run bench` all measure. */
export const gzipSize = (body: Uint8Array): number => gzipSync(body, { level: 9 }).length;

export const SIZE_GOAL_GZIP = 10 * 1024;

export const SIZE_BUDGET_GZIP = {
  /** dist/layer-onboarding.js: the IIFE for a <script> tag, Lit's templates bundled. */
  iife: 15_057,
  /** dist/layer-onboarding.mjs: the ES module, `lit` left as an import. At most the IIFE's. */
  esm: 12_306,
} as const;
