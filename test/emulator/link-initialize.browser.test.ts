/// <reference types="mocha" />
/**
 * The emulated link-initialize.js as a page loads and uses it: `window.Plaid`, the Link iframe it
 * adds per handler and the `postMessage` protocol with it, double embedding, bad link tokens,
 * `destroy()`, and when events arrive relative to callbacks.
 */
import { expect } from '@open-wc/testing';

import type { EventTiming } from '../../emulator/link-protocol/messages.js';
import { SANDBOX_OTP } from '../../emulator/sandbox-users.js';
import { deepElements, getByRole } from './support/dom-queries.js';
import {
  addScript,
  createLinkToken,
  createRecordedLink,
  LINK_SCRIPT_SRC,
  linkFrames,
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

  it('calls nothing from the page: its iframe talks to the emulator that served the script', async () => {
    const pageUrls: string[] = [];
    const realFetch = window.fetch;
    window.fetch = (input, init) => {
      pageUrls.push(input instanceof Request ? input.url : String(input));
      return realFetch(input, init);
    };
    const link = track(await readyLink('+14155550011'));
    let frameUrls: string[] = [];
    try {
      const [frame] = linkFrames();
      expect(frame!.src).to.match(new RegExp(`^${location.origin}/plaid/link/v2/stable/link\\.html\\?`));
      await completeSession(link);
      frameUrls = frame!
        .contentWindow!.performance.getEntriesByType('resource')
        .map((entry) => entry.name)
        .filter((url) => url.includes('/emulator/'));
    } finally {
      window.fetch = realFetch;
    }
    // createLinkToken's own call is the test's; Link made none from the page.
    expect(pageUrls.filter((url) => !url.endsWith('/plaid/session/token/create'))).to.deep.equal([]);
    expect(frameUrls.length).to.be.greaterThan(4);
    for (const url of frameUrls) expect(url).to.match(new RegExp(`^${location.origin}/plaid/emulator/link/`));
  });

  it('adds one hidden, full-viewport iframe per handler at create(), shown only while open', async () => {
    const before = linkFrames().length;
    const first = track(await readyLink('+14155550011'));
    const second = track(await readyLink('+14155550015'));
    const frames = linkFrames().slice(before);
    expect(frames).to.have.length(2);
    for (const frame of frames) {
      expect(frame.title).to.equal('Plaid Link');
      expect(getComputedStyle(frame).display).to.equal('none');
    }
    // Each handler drives its own iframe, and several on one page keep apart.
    await openToConsent(second);
    const shown = frames.filter((frame) => getComputedStyle(frame).display !== 'none');
    expect(shown).to.deep.equal([frames[1]]);
    expect(getComputedStyle(frames[1]!).position).to.equal('fixed');
    expect(frames[1]!.getBoundingClientRect().height).to.equal(document.documentElement.clientHeight);
    expect(frames[1]!.contentDocument!.body.textContent).to.contain('(415) 555-0015');
    getByRole('button', 'Close').click();
    await second.next('exit');
    await completeSession(first);
    expect(first.calls.some((call) => call.kind === 'exit')).to.equal(false);
    expect(second.calls.some((call) => call.kind === 'success')).to.equal(false);
  });

  it("serves the iframe's document with a strict CSP and no inline script or style", async () => {
    const response = await fetch('/plaid/link/v2/stable/link.html');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).to.contain("script-src 'self'");
    expect(csp).to.contain("style-src 'self'");
    expect(csp).to.contain('frame-ancestors *');
    expect(csp).to.contain("require-trusted-types-for 'script'; trusted-types 'none'");
    expect(csp).not.to.contain('unsafe');
    const html = await response.text();
    expect(html).not.to.match(/<script>|<style|style="/);
    // And the UI renders under it: no CSP violation while a session runs.
    const violations: string[] = [];
    const link = track(await readyLink('+14155550011'));
    const frameDocument = linkFrames().at(-1)!.contentDocument!;
    frameDocument.addEventListener('securitypolicyviolation', (event) =>
      violations.push(event.violatedDirective),
    );
    await completeSession(link);
    expect(violations).to.deep.equal([]);
  });

  it('ignores messages that are not from its own iframe at the emulator origin', async () => {
    const link = track(await readyLink('+14155550011'));
    const frame = linkFrames().at(-1)!;
    const channel = new URL(frame.src).searchParams.get('channel')!;
    const forged = { source: 'plaid-link-emulator', channel };
    // The page (or a script on it) posing as the iframe: wrong source window.
    window.postMessage(
      { ...forged, type: 'success', publicToken: 'public-sandbox-forged', metadata: {} },
      '*',
    );
    window.postMessage({ ...forged, type: 'redirect', url: 'https://evil.example/' }, '*');
    // Another frame posing as the page, to the iframe: wrong parent.
    const other = document.createElement('iframe');
    document.body.append(other);
    try {
      (other.contentWindow as unknown as { eval: (code: string) => unknown }).eval(
        `parent.document.querySelector('#${frame.id}').contentWindow.postMessage(${JSON.stringify({ ...forged, type: 'open' })}, '*')`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      other.remove();
    }
    expect(link.calls.some((call) => call.kind === 'success')).to.equal(false);
    expect(getComputedStyle(frame).display).to.equal('none');
    expect(location.href).not.to.contain('evil');
    // The real conversation still works.
    await completeSession(link);
  });

  it('works as react-plaid-link uses it: a handler per token, the old one force-exited and destroyed', async () => {
    // Two hooks on one page, each creating its handler as soon as it has a token.
    const hooks = [await readyLink('+14155550011'), await readyLink('+14155550015')].map(track);
    // The first hook's token changes: usePlaidLink exits the old handler with force, destroys it, creates anew.
    const warnings = await capture('warn', () => {
      hooks[0]!.handler.exit({ force: true });
      hooks[0]!.handler.destroy();
    });
    expect(warnings).to.deep.equal([]);
    expect(linkFrames()).to.have.length(1);
    const renewed = track(await readyLink('+14155550011'));
    await completeSession(renewed);
    await completeSession(hooks[1]!);
    expect(hooks[0]!.calls.filter((call) => call.kind === 'success' || call.kind === 'exit')).to.deep.equal(
      [],
    );
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

  it('leaves no nodes behind after destroy(), even while open, and gives focus back', async () => {
    const opener = document.createElement('button');
    opener.textContent = 'Open Link';
    document.body.append(opener);
    const before = deepElements(document).length;
    const link = await readyLink('+14155550011');
    opener.focus();
    await openToConsent(link);
    expect(deepElements(document).length).to.be.greaterThan(before);
    link.handler.destroy();
    expect(deepElements(document).length).to.equal(before);
    expect(linkFrames()).to.deep.equal([]);
    expect(document.activeElement).to.equal(opener);
    opener.remove();
    // A destroyed handler stays silent.
    const calls = link.calls.length;
    link.handler.open();
    link.handler.submit({ phone_number: '+14155550011' });
    expect(link.calls.length).to.equal(calls);
  });

  it('throws from create() with no token, as real Link does, and adds no iframe', () => {
    const before = linkFrames().length;
    for (const token of [undefined, '']) {
      const config = { token, onSuccess: () => undefined } as unknown as Parameters<
        ReturnType<typeof plaid>['create']
      >[0];
      // Real Link's words (plaid/quickstart#134): "Uncaught Error: Missing Link parameter. …"
      expect(() => plaid().create(config)).to.throw(
        Error,
        'Missing Link parameter. Link requires a key or token to be provided.',
      );
    }
    expect(linkFrames().length).to.equal(before);
  });

  it('reports an unknown link token through onExit with INVALID_LINK_TOKEN', async () => {
    const link = track(createRecordedLink('link-sandbox-00000000-0000-4000-8000-000000000000'));
    const exit = await link.next('exit');
    expect(link.calls[0]?.kind).to.equal('load');
    expect(exit.error?.error_code).to.equal('INVALID_LINK_TOKEN');
    expect(exit.error?.error_type).to.equal('INVALID_INPUT');
    expect(exit.metadata.link_session_id).to.match(/^[0-9a-f-]{36}$/);
    expect(exit.metadata.request_id).to.match(/^[A-Za-z0-9]{15}$/);
    await link.event('EXIT');
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
    const first = track(createRecordedLink(token, { emulator: { eventTiming: 'realtime' } }));
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
      await link.event('HANDOFF');
      return link.calls.flatMap((call) =>
        call.kind === 'event' ? [call.name] : call.kind === 'success' ? ['onSuccess'] : [],
      );
    }

    it('delivers the non-real-time events after onSuccess by default, as Plaid may', async () => {
      const order = await orderFor(undefined);
      expect(order.slice(0, 3)).to.deep.equal(['LAYER_READY', 'OPEN', 'onSuccess']);
      expect(order.slice(3)).to.deep.equal([
        'TRANSITION_VIEW',
        'TRANSITION_VIEW',
        'SUBMIT_OTP',
        'TRANSITION_VIEW',
        'VERIFY_PHONE',
        'HANDOFF',
      ]);
    });

    it('can deliver events as they happen', async () => {
      expect(await orderFor('realtime')).to.deep.equal([
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
      const order = await orderFor('realtime', true);
      expect(order.at(-1)).to.equal('onSuccess');
    });
  });
});
