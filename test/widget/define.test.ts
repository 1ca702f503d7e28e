// Two copies of the element on one page (two bundles, or a bundle and the script tag): the first
// keeps the tag, and a different version says so. This file runs in a page of its own, so it can
// take the tag before the widget is loaded.
import { expect } from '@open-wc/testing';

describe('defineLayerOnboarding', () => {
  it('keeps the tag of another version that came first, and warns once per attempt', async () => {
    class OtherCopy extends HTMLElement {
      static version = '0.0.1';
    }
    customElements.define('layer-onboarding', OtherCopy);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(' '));
    try {
      const widget = await import('../../widget/index.js');
      expect(customElements.get('layer-onboarding')).to.equal(OtherCopy);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain('already defined by version 0.0.1');
      expect(warnings[0]).to.contain(`this copy (version ${widget.LayerOnboarding.version})`);
      widget.defineLayerOnboarding();
      expect(warnings).to.have.length(2);
    } finally {
      console.warn = warn;
    }
  });

  it('exposes the version on the class', async () => {
    const { LayerOnboarding } = await import('../../widget/index.js');
    expect(LayerOnboarding.version).to.be.a('string').and.not.equal('');
  });
});
