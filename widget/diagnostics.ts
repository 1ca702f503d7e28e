// Console messages for whoever builds the page: what is wrong and how to fix it, each at most once
// per page, so a page with several elements (or a retry loop) does not flood the console.

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
