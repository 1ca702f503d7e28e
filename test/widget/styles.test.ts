import { expect } from '@open-wc/testing';

import { styles } from '../../widget/styles.js';

// After Material Web: a custom property the element uses but nobody documented is a bug.
describe('styles', () => {
  it('documents in the README every --layer-onboarding-* custom property it uses', async () => {
    const used = new Set(styles.match(/--layer-onboarding-[\w-]+/g));
    const readme = await (await fetch('/README.md')).text();
    const documented = new Set(readme.match(/--layer-onboarding-[\w-]+/g));
    expect(used.size).to.be.greaterThan(10);
    expect([...used].filter((name) => !documented.has(name))).to.deep.equal([]);
  });

  it('gives every custom property a fallback', () => {
    const uses = styles.match(/var\(--layer-onboarding-[\w-]+[^)]*\)/g) ?? [];
    expect(uses.filter((use) => !use.includes(','))).to.deep.equal([]);
  });
});
