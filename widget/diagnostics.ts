// Console messages for whoever builds the page: what is wrong and how to fix it, each at most once
// per page, so a page with several elements (or a retry loop) does not flood the console.
//
// Every call is in an `if (DEV)` block: the messages are in the development builds
// (dist/layer-onboarding.dev.js, and the ES module's `development` export condition, which Vite,
// webpack and Next.js pick in development) and not in what visitors download. A setup error the
// visitor meets is still said in the production builds too (`console.error`, layer-flow.ts).

const said = new Set<string>();

export function warnOnce(key: string, message: string): void {
  if (said.has(key)) return;
  said.add(key);
  console.warn(`<layer-onboarding>: ${message}`);
}

/** For tests: every message may be said again. */
export function forgetWarnings(): void {
  said.clear();
}
