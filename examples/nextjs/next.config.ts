import type { NextConfig } from 'next';

const config: NextConfig = {
  // `npm run typecheck` (next typegen && tsc) checks the types; `next build` need not do it again.
  typescript: { ignoreBuildErrors: true },
};

export default config;
