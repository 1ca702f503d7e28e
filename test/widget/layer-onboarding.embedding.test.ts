// The element in the frames partners' pages end up in: an iframe sandboxed by whoever embeds the
// page (a site builder, an app platform), with the real backend and the emulator's Link.
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';

import { LINK_SCRIPT_PATH } from '../../contract/index.js';
import type { LayerOnboarding } from '../../widget/index.js';
import { field, submitButton } from './support/element.js';
import { until } from './support/wait.js';

let frame: HTMLIFrameElement | null = null;

afterEach(() => {
  frame?.remove();
  frame = null;
});

/**
 * A page in an iframe with this `sandbox`, holding the element; resolves once it is preparing Link
 * (a number given then is submitted once Link has loaded).
 */
async function mountInFrame(sandbox: string): Promise<LayerOnboarding> {
  frame = document.createElement('iframe');
  frame.setAttribute('sandbox', sandbox);
  frame.srcdoc = `<!doctype html><script type="module">import '/widget/index.ts';</script>
    <layer-onboarding link-script-src="/plaid${LINK_SCRIPT_PATH}"></layer-onboarding>`;
  document.body.append(frame);
  let el: LayerOnboarding | null = null;
  await until(() => {
    el = frame!.contentDocument?.querySelector('layer-onboarding') ?? null;
    return el?.state === 'loading' || el?.state === 'ready';
  });
  return el!;
}

describe('<layer-onboarding> in a frame', () => {
  // Without allow-forms a sandboxed page submits no form: Chromium blocks it before the submit
  // event, so "Continue" did nothing at all and the visitor was stuck.
  it('takes the number in a sandboxed frame without allow-forms', async () => {
    const el = await mountInFrame('allow-scripts allow-same-origin');
    field(el).value = '415-555-0011';
    field(el).dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    submitButton(el).click();
    await until(() => !['loading', 'ready'].includes(el.state), 'Continue did nothing');
    expect(['checking', 'open']).to.include(el.state);
  });

  it('takes the number on Enter in a sandboxed frame without allow-forms', async () => {
    const el = await mountInFrame('allow-scripts allow-same-origin');
    field(el).focus();
    await sendKeys({ type: '415-555-0011' });
    await sendKeys({ press: 'Enter' });
    await until(() => !['loading', 'ready'].includes(el.state), 'Enter did nothing');
    expect(['checking', 'open']).to.include(el.state);
  });

  // A script (a partner's, a test library's) submitting the element's form without its button: the
  // number is taken as the button takes it, and the form, which has no action, must not navigate
  // the page to its own URL.
  it('takes the number when its form is submitted from script, and stays on the page', async () => {
    const el = await mountInFrame('allow-scripts allow-same-origin allow-forms');
    let navigates: boolean | null = null;
    // Runs after the element's own listener: records whether the submission would navigate, and
    // keeps this test page from navigating either way.
    el.shadowRoot!.addEventListener('submit', (event) => {
      navigates = !event.defaultPrevented;
      event.preventDefault();
    });
    field(el).value = '415-555-0011';
    el.shadowRoot!.querySelector('form')!.requestSubmit();
    expect(navigates, 'the form navigated the page').to.equal(false);
    await until(() => !['loading', 'ready'].includes(el.state), 'the submit did nothing');
    expect(['checking', 'open']).to.include(el.state);
  });
});
