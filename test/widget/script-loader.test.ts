import { expect } from '@open-wc/testing';

import { loadScript, ScriptLoadError } from '../../widget/script-loader.js';

/** The name the README tells partners to allow in their `trusted-types` directive. */
const POLICY_NAME = 'layer-onboarding';

interface PolicyRules {
  createScriptURL?: (input: string) => unknown;
}
type CreatePolicy = (name: string, rules: PolicyRules) => unknown;
const trustedTypes = (window as unknown as { trustedTypes: { createPolicy: CreatePolicy } }).trustedTypes;

/**
 * The Trusted Types policies this page creates, by name, with their rules. The loader makes its
 * policy once per page, at its first load: this file's first test is the first to load.
 */
const policies = new Map<string, PolicyRules>();
const createPolicy = trustedTypes.createPolicy.bind(trustedTypes) as CreatePolicy;
trustedTypes.createPolicy = (name, rules) => {
  policies.set(name, rules);
  return createPolicy(name, rules);
};

let counter = 0;

/** A fresh classic script that counts its runs in `window.scriptRuns[name]`. */
function countingScript(): { url: string; runs: () => number } {
  const name = `script-${(counter += 1)}`;
  const source = `(window.scriptRuns ??= {})[${JSON.stringify(name)}] = ((window.scriptRuns ?? {})[${JSON.stringify(name)}] ?? 0) + 1;`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return { url, runs: () => (window as { scriptRuns?: Record<string, number> }).scriptRuns?.[name] ?? 0 };
}

/** A URL that fails to load without reaching any server (a revoked blob: URL). */
function missingScript(): string {
  const url = URL.createObjectURL(new Blob([''], { type: 'text/javascript' }));
  URL.revokeObjectURL(url);
  return url;
}

function tagsFor(url: string): HTMLScriptElement[] {
  return Array.from(document.scripts).filter((script) => script.src === url);
}

describe('loadScript', () => {
  it('makes one Trusted Types policy, which vouches only for the URLs it was asked to load', async () => {
    const script = countingScript();
    await loadScript(script.url);
    const other = countingScript();
    await loadScript(other.url);
    expect([...policies.keys()]).to.deep.equal([POLICY_NAME]);
    const rules = policies.get(POLICY_NAME)!;
    expect(rules.createScriptURL?.(script.url)).to.equal(script.url);
    expect(rules.createScriptURL?.(other.url)).to.equal(other.url);
    // Not a way round a page's Trusted Types for any other script.
    expect(rules.createScriptURL?.('https://attacker.example/x.js')).to.equal(null);
    expect(rules.createScriptURL?.(countingScript().url)).to.equal(null);
    expect(Object.keys(rules)).to.deep.equal(['createScriptURL']);
  });

  it("vouches for no URL on another origin than the page's or Plaid's CDN, even one it was asked to load", async () => {
    // Markup injected into a page can name any link-script-src: another origin is left to the
    // page's own Trusted Types rules. (127.0.0.1 is not this page's localhost origin; port 9
    // refuses at once.)
    const elsewhere = `http://127.0.0.1:9/link-initialize.js?${(counter += 1)}`;
    await loadScript(elsewhere, { retries: 0 }).catch(() => undefined);
    const rules = policies.get(POLICY_NAME)!;
    expect(location.hostname).to.not.equal('127.0.0.1');
    expect(rules.createScriptURL?.(elsewhere)).to.equal(null);
    const plaid = 'https://cdn.plaid.com/link/v2/stable/link-initialize.js';
    expect(rules.createScriptURL?.(plaid), 'not yet asked for').to.equal(null);
    const same = countingScript();
    await loadScript(same.url);
    expect(rules.createScriptURL?.(same.url)).to.equal(same.url);
  });

  it('inserts one tag however many callers ask at once, and runs the script once', async () => {
    const script = countingScript();
    const loads = [loadScript(script.url), loadScript(script.url), loadScript(script.url)];
    expect(loads[1]).to.equal(loads[0]);
    await Promise.all(loads);
    await loadScript(script.url);
    expect(tagsFor(script.url)).to.have.length(1);
    expect(script.runs()).to.equal(1);
  });

  it('gives the tag the nonce', async () => {
    const script = countingScript();
    await loadScript(script.url, { nonce: 'r4nd0m' });
    expect(tagsFor(script.url)[0]!.nonce).to.equal('r4nd0m');
  });

  it('reuses a tag the page already has', async () => {
    const script = countingScript();
    const own = document.createElement('script');
    own.src = script.url;
    document.body.append(own);
    await loadScript(script.url);
    expect(tagsFor(script.url)).to.deep.equal([own]);
    expect(script.runs()).to.equal(1);
  });

  it('does not wait for a tag that has already run', async () => {
    const script = countingScript();
    const own = document.createElement('script');
    own.src = script.url;
    await new Promise((resolve) => {
      own.onload = resolve;
      document.body.append(own);
    });
    await loadScript(script.url, { isLoaded: () => script.runs() > 0 });
    expect(tagsFor(script.url)).to.have.length(1);
  });

  it('retries once, then rejects and leaves no broken tag', async () => {
    const url = missingScript();
    const absolute = url;
    const inserted: string[] = [];
    const observer = new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (node instanceof HTMLScriptElement && node.src === absolute) inserted.push(node.src);
    });
    observer.observe(document.head, { childList: true });
    try {
      const error = await loadScript(url).then(
        () => null,
        (failure: unknown) => failure,
      );
      expect(error).to.be.instanceOf(ScriptLoadError);
    } finally {
      observer.disconnect();
    }
    expect(inserted).to.have.length(2);
    expect(tagsFor(absolute)).to.have.length(0);
  });

  it('tries again on a later call after a final failure', async () => {
    const url = missingScript();
    const first = loadScript(url, { retries: 0 });
    await first.catch(() => undefined);
    const second = loadScript(url, { retries: 0 });
    expect(second).not.to.equal(first);
    await second.catch(() => undefined);
  });
});
