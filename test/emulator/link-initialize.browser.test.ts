/// <reference types="mocha" />
/**
 * The emulated link-initialize.js as a page loads and uses it: `window.Plaid`, its API base,
 * double embedding, bad link tokens, `destroy()`, and when events arrive relative to callbacks.
 */
import { expect } from '@open-wc/testing';

import type { EventTiming } from '../../emulator/link-protocol/messages.js';
import { SANDBOX_OTP } from '../../emulator/sandbox-users.js';
import { deepElements } from './support/dom-queries.js';
import {
  addScript,
  createLinkToken,
  createRecordedLink,
  LINK_SCRIPT_SRC,
  loadLinkScript,
  plaid,
  type RecordedLink,
} from './support/link-harness.js';
import {
  completeSession,
  continueToCode,
  dialogClosed,
  enterCode,
  findButton,
  findDialog,
  openToConsent,
  readyLink,
} from './support/link-ui-driver.js';

const opened: RecordedLink[] = [];
function track(link: RecordedLink): RecordedLink {
  opened.push(link);
  return link;
}

/** Silences and records console[method] while `run` runs. */
async function capture(method: 'warn' | 'error', run: () => unknown): Promise<string[]> {
  const original = console[method];
  const messages: string[] = [];
  console[method] = (...args: unknown[]) => messages.push(args.map(String).join(' '));
  try {
    await run();
  } finally {
    console[method] = original;
  }
  return messages;
}

async function expireToken(token: string): Promise<void> {
  const response = await fetch('/plaid/emulator/tokens/expire', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  expect(response.status).to.equal(200);
}

before(async () => {
  await loadLinkScript();
});

afterEach(() => {
  opened.splice(0).forEach((link) => link.handler.destroy());
  delete plaid().emulator.eventTiming;
});

describe('the emulated link-initialize.js', () => {
  it('defines window.Plaid with create and createEmbedded', () => {
    expect(typeof plaid().create).to.equal('function');
    expect(typeof plaid().createEmbedded).to.equal('function');
  });

  it('talks only to the emulator that served it', async () => {
    const urls: string[] = [];
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return realFetch(input, init);
    };
    try {
      await completeSession(track(await readyLink('+14155550011')));
    } finally {
      window.fetch = realFetch;
    }
    // createLinkToken's own call is the test's; every other request is Link's.
    const linkUrls = urls.filter((url) => !url.endsWith('/plaid/session/token/create'));
    expect(linkUrls.length).to.be.greaterThan(4);
    for (const url of linkUrls) expect(url).to.match(new RegExp(`^${location.origin}/plaid/emulator/link/`));
  });

  it('warns when embedded a second time and keeps the first window.Plaid', async () => {
    const first = plaid();
    let script: HTMLScriptElement | undefined;
    const warnings = await capture('warn', async () => {
      script = await addScript(LINK_SCRIPT_SRC);
    });
    script?.remove();
    expect(warnings).to.deep.equal([
      'The Plaid link-initialize.js script was embedded more than once. This is an unsupported configuration and may lead to unexpected behavior. Please ensure the script is only embedded once.',
    ]);
    expect(plaid()).to.equal(first);
  });

  it('leaves no nodes behind after destroy(), even while open', async () => {
    const before = deepElements(document).length;
    const link = await readyLink('+14155550011');
    await openToConsent(link);
    expect(deepElements(document).length).to.be.greaterThan(before);
    link.handler.destroy();
    expect(deepElements(document).length).to.equal(before);
    expect(document.querySelector('plaid-link-emulator')).to.equal(null);
    // A destroyed handler stays silent.
    const calls = link.calls.length;
    link.handler.open();
    link.handler.submit({ phone_number: '+14155550011' });
    expect(link.calls.length).to.equal(calls);
  });

  it('reports an unknown link token through onExit with INVALID_LINK_TOKEN', async () => {
    const link = track(createRecordedLink('link-sandbox-00000000-0000-4000-8000-000000000000'));
    const exit = await link.next('exit');
    expect(link.calls[0]?.kind).to.equal('load');
    expect(exit.error?.error_code).to.equal('INVALID_LINK_TOKEN');
    expect(exit.error?.error_type).to.equal('INVALID_INPUT');
    expect(exit.metadata.link_session_id).to.match(/^[0-9a-f-]{36}$/);
    expect(exit.metadata.request_id).to.match(/^[A-Za-z0-9]{15}$/);
    expect(link.eventNames()).to.deep.equal(['EXIT']);
  });

  it('reports an expired link token through onExit with INVALID_LINK_TOKEN', async () => {
    const token = await createLinkToken();
    await expireToken(token);
    const exit = await track(createRecordedLink(token)).next('exit');
    expect(exit.error?.error_code).to.equal('INVALID_LINK_TOKEN');
  });

  it('ends an open session with INVALID_LINK_TOKEN when the token expires under it', async () => {
    const token = await createLinkToken();
    const link = track(createRecordedLink(token));
    await link.next('load');
    link.handler.submit({ phone_number: '+14155550011' });
    await link.event('LAYER_READY');
    await openToConsent(link);
    await continueToCode();
    await expireToken(token);
    await enterCode(SANDBOX_OTP);
    const exit = await link.next('exit');
    await dialogClosed();
    expect(exit.error?.error_code).to.equal('INVALID_LINK_TOKEN');
    expect(link.calls.some((call) => call.kind === 'success')).to.equal(false);
  });

  it('refuses a link token after three wrong codes revoked it', async () => {
    const token = await createLinkToken();
    const first = track(createRecordedLink(token));
    await first.next('load');
    first.handler.submit({ phone_number: '+14155550011' });
    await first.event('LAYER_READY');
    await openToConsent(first);
    await continueToCode();
    for (const [index, code] of ['000000', '111111', '222222'].entries()) {
      await enterCode(code);
      await first.event('ERROR', index + 1);
    }
    const again = await track(createRecordedLink(token)).next('exit');
    expect(again.error?.error_code).to.equal('INVALID_LINK_TOKEN');
  });

  it('warns when exit() is called while Link is not open', async () => {
    const link = track(await readyLink('+14155550011'));
    const warnings = await capture('warn', () => link.handler.exit());
    expect(warnings).to.deep.equal(['Plaid Link: attempted to exit Link when it was not open.']);
    expect(link.calls.some((call) => call.kind === 'exit')).to.equal(false);
  });

  it('queues open() made before onLoad', async () => {
    const link = track(createRecordedLink(await createLinkToken()));
    await capture('warn', async () => {
      link.handler.open();
      await link.next('load');
      await findDialog();
    });
    // Nothing was submitted yet, so what opens is Plaid's "submit first" notice.
    expect((await findDialog()).textContent).to.contain('Please submit Phone Number before opening Link.');
  });

  describe('event timing', () => {
    const NON_REALTIME = ['TRANSITION_VIEW', 'SUBMIT_OTP', 'VERIFY_PHONE', 'HANDOFF'];

    /** The order of callbacks after LAYER_READY, with `success` marking onSuccess. */
    async function orderFor(timing: EventTiming | undefined, viaPage = false): Promise<string[]> {
      if (viaPage && timing) plaid().emulator.eventTiming = timing;
      const options = timing && !viaPage ? { emulator: { eventTiming: timing } } : {};
      const link = track(await readyLink('+14155550011', options));
      await completeSession(link);
      await dialogClosed();
      return link.calls.flatMap((call) =>
        call.kind === 'event' ? [call.name] : call.kind === 'success' ? ['onSuccess'] : [],
      );
    }

    it('delivers events as they happen by default', async () => {
      expect(await orderFor(undefined)).to.deep.equal([
        'LAYER_READY',
        'OPEN',
        'TRANSITION_VIEW',
        'TRANSITION_VIEW',
        'SUBMIT_OTP',
        'TRANSITION_VIEW',
        'VERIFY_PHONE',
        'HANDOFF',
        'onSuccess',
      ]);
    });

    it('can deliver the non-real-time events after onSuccess', async () => {
      const order = await orderFor('batched-after-callback');
      expect(order.slice(0, 3)).to.deep.equal(['LAYER_READY', 'OPEN', 'onSuccess']);
      expect(order.slice(3).every((name) => NON_REALTIME.includes(name))).to.equal(true);
      expect(order.at(-1)).to.equal('HANDOFF');
    });

    it('can hold them back and deliver them together just before onSuccess', async () => {
      const link = track(
        await readyLink('+14155550011', { emulator: { eventTiming: 'batched-before-callback' } }),
      );
      await openToConsent(link);
      await continueToCode();
      await enterCode(SANDBOX_OTP);
      const share = await findButton('Share');
      expect(link.eventNames()).to.deep.equal(['LAYER_READY', 'OPEN']);
      share.click();
      await link.next('success');
      expect(link.calls.at(-1)?.kind).to.equal('success');
      expect(link.eventNames().slice(2)).to.deep.equal([
        'TRANSITION_VIEW',
        'TRANSITION_VIEW',
        'SUBMIT_OTP',
        'TRANSITION_VIEW',
        'VERIFY_PHONE',
        'HANDOFF',
      ]);
    });

    it('takes the timing from Plaid.emulator for the whole page', async () => {
      const order = await orderFor('batched-after-callback', true);
      expect(order.indexOf('onSuccess')).to.equal(2);
    });
  });
});
