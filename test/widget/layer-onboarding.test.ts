import { expect, fixture, html } from '@open-wc/testing';

import '../../widget/index.js';
import { LayerOnboarding } from '../../widget/index.js';

describe('<layer-onboarding>', () => {
  it('registers the tag', () => {
    expect(customElements.get('layer-onboarding')).to.equal(LayerOnboarding);
  });

  it('renders a labelled phone input', async () => {
    const el = await fixture<LayerOnboarding>(html`<layer-onboarding></layer-onboarding>`);
    const input = el.shadowRoot!.querySelector('input')!;
    expect(input.labels?.[0]?.textContent?.trim()).to.equal('Phone number');
    expect(input.type).to.equal('tel');
    expect(input.autocomplete).to.equal('tel');
    expect(input.inputMode).to.equal('tel');
  });

  it('is accessible', async () => {
    const el = await fixture<LayerOnboarding>(html`<layer-onboarding></layer-onboarding>`);
    await expect(el).to.be.accessible();
  });
});
