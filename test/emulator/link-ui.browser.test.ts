/// <reference types="mocha" />
/**
 * The emulated Link UI, driven as a user would drive it — by role, name and label — from
 * `open()` to `onSuccess` or `onExit`. It is drawn in the Link iframe; web-test-runner serves the
 * emulator on the page's origin, so the queries reach into it.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';

import { LINK_STYLES } from '../../emulator/link/link-styles.js';
import { OAUTH_SANDBOX_PHONE, SANDBOX_OTP } from '../../emulator/sandbox-users.js';
import {
  accessibleName,
  deepActiveElement,
  getByLabelText,
  getByRole,
  queryAllByRole,
  queryByRole,
  type,
} from './support/dom-queries.js';
import {
  createLinkToken,
  createRecordedLink,
  linkFrames,
  loadLinkScript,
  plaidApi,
  type RecordedLink,
} from './support/link-harness.js';
import {
  continueToCode,
  dialogClosed,
  enterCode,
  findButton,
  findDialog,
  findField,
  openToConsent,
  readyLink,
} from './support/link-ui-driver.js';

const opened: RecordedLink[] = [];
async function ready(...args: Parameters<typeof readyLink>): Promise<RecordedLink> {
  const link = await readyLink(...args);
  opened.push(link);
  return link;
}

function viewNames(link: RecordedLink): Array<string | null> {
  return link.calls.flatMap((call) =>
    call.kind === 'event' && call.name === 'TRANSITION_VIEW' ? [call.metadata.view_name] : [],
  );
}

before(async () => {
  await loadLinkScript();
});

afterEach(() => {
  opened.splice(0).forEach((link) => link.handler.destroy());
});

describe('the emulated Link UI', () => {
  it('takes a user from consent to Share and hands over a public token that works once', async () => {
    const link = await ready('+14155550011');
    link.handler.open();

    const dialog = await findDialog();
    expect(dialog.getAttribute('aria-modal')).to.equal('true');
    expect(accessibleName(dialog)).to.match(/^Plaid /);
    (await findButton('Continue')).click();

    type(await findField('Verification code'), SANDBOX_OTP);
    getByRole('button', 'Verify').click();

    await findButton('Share');
    expect(getByLabelText('First name').value).to.equal('Leslie');
    expect(getByLabelText('Last name').value).to.equal('Knope');
    expect(getByLabelText('Date of birth').value).to.equal('1975-01-18');
    expect(dialog.textContent).to.contain('•••-••-4321');
    expect(dialog.textContent).not.to.contain('987654321');
    // Plaid does not return email yet, so the review step does not offer it.
    expect(queryByRole('textbox', 'Email')).to.equal(null);
    expect(dialog.textContent).not.to.contain('leslie@knope.com');
    // The profile is editable, and the edit is what the partner receives.
    type(getByLabelText('Street address'), '1 City Hall Plaza');
    getByRole('button', 'Share').click();

    const success = await link.next('success');
    await dialogClosed();
    // The non-real-time events come after onSuccess (the default timing).
    await link.event('HANDOFF');
    expect(success.publicToken).to.match(/^public-sandbox-[0-9a-f-]{36}$/);
    expect(success.metadata.institution).to.deep.equal({
      name: 'First Platypus Bank',
      institution_id: 'ins_109508',
    });
    expect(success.metadata.accounts.map((account) => account.mask)).to.deep.equal(['0000']);

    expect(link.eventNames()).to.deep.equal([
      'LAYER_READY',
      'OPEN',
      'TRANSITION_VIEW',
      'TRANSITION_VIEW',
      'SUBMIT_OTP',
      'TRANSITION_VIEW',
      'VERIFY_PHONE',
      'HANDOFF',
    ]);
    expect(viewNames(link)).to.deep.equal(['CONSENT', 'VERIFY_PHONE', 'PROFILE_DATA_REVIEW']);
    const sessionIds = new Set(
      link.calls.flatMap((call) => (call.kind === 'event' ? [call.metadata.link_session_id] : [])),
    );
    expect([...sessionIds]).to.deep.equal([success.metadata.link_session_id]);

    const first = await plaidApi('/user_account/session/get', { public_token: success.publicToken });
    expect(first.status).to.equal(200);
    const identity = first.body.identity as {
      email: unknown;
      address: { street: string };
      ssn_last_4: string;
    };
    expect(identity.email).to.equal(null);
    expect(identity.address.street).to.equal('1 City Hall Plaza');
    expect(identity.ssn_last_4).to.equal('4321');
    expect(first.body.items).to.have.length(1);

    const second = await plaidApi('/user_account/session/get', { public_token: success.publicToken });
    expect(second.status).to.equal(400);
    expect(second.body.error_code).to.equal('INVALID_PUBLIC_TOKEN');
  });

  it('ends with PROFILE_AUTHENTICATION_FAILED after three wrong codes', async () => {
    const link = await ready('+14155550011');
    await openToConsent(link);
    await continueToCode();

    const attemptsLeft = (text: string) => () =>
      queryByRole('alert', /incorrect/)?.textContent?.includes(text) === true;
    await enterCode('000000');
    await waitUntil(attemptsLeft('2 attempts left'), 'no "2 attempts left"', { timeout: 5000 });
    await enterCode('111111');
    await waitUntil(attemptsLeft('1 attempt left'), 'no "1 attempt left"', { timeout: 5000 });
    await enterCode('222222');

    await findBy(() => queryByRole('heading', /couldn't verify/));
    expect(getByRole('alert', /not able to authenticate/).textContent).to.contain('Plaid account');
    getByRole('button', 'Exit').click();
    const exit = await link.next('exit');
    await dialogClosed();
    await link.event('EXIT');

    expect(exit.error).to.deep.equal({
      error_type: 'INVALID_INPUT',
      error_code: 'PROFILE_AUTHENTICATION_FAILED',
      error_message: 'the user could not be authenticated',
      display_message: 'We were not able to authenticate your access to this Plaid account.',
    });
    expect(link.eventNames()).to.deep.equal([
      'LAYER_READY',
      'OPEN',
      'TRANSITION_VIEW',
      'TRANSITION_VIEW',
      'SUBMIT_OTP',
      'ERROR',
      'SUBMIT_OTP',
      'ERROR',
      'SUBMIT_OTP',
      'TRANSITION_VIEW',
      'ERROR',
      'EXIT',
    ]);
    const errorCodes = link.calls.flatMap((call) =>
      call.kind === 'event' && call.name === 'ERROR' ? [call.metadata.error_code] : [],
    );
    expect(errorCodes).to.deep.equal(['INVALID_OTP', 'INVALID_OTP', 'PROFILE_AUTHENTICATION_FAILED']);
    expect(viewNames(link).at(-1)).to.equal('ERROR');
  });

  it('hands onExit the last error the user met: one wrong code, then Close', async () => {
    const link = await ready('+14155550011');
    await openToConsent(link);
    await continueToCode();
    await enterCode('000000');
    await waitUntil(() => queryByRole('alert', /incorrect/) !== null, 'no "incorrect" alert', {
      timeout: 5000,
    });
    getByRole('button', 'Close').click();
    const exit = await link.next('exit');
    await dialogClosed();
    expect(exit.error).to.deep.equal({
      error_type: 'ITEM_ERROR',
      error_code: 'INVALID_OTP',
      error_message: 'the provided one-time code is invalid',
      display_message: 'That code is incorrect.',
    });
    expect(exit.metadata.status).to.equal('requires_code');
    // The EXIT event carries it too.
    expect((await link.event('EXIT')).metadata.error_code).to.equal('INVALID_OTP');
  });

  it('keeps the last error even after the right code: wrong, right, then Close on the review', async () => {
    const link = await ready('+14155550011');
    await openToConsent(link);
    await continueToCode();
    await enterCode('000000');
    await waitUntil(() => queryByRole('alert', /incorrect/) !== null, 'no "incorrect" alert', {
      timeout: 5000,
    });
    await enterCode(SANDBOX_OTP);
    await findButton('Share');
    getByRole('button', 'Close').click();
    const exit = await link.next('exit');
    expect(exit.error?.error_code).to.equal('INVALID_OTP');
    expect(exit.metadata.status).to.equal('requires_account_selection');
  });

  it("ends the OAuth user's session with INVALID_FIELD when the token has no redirect_uri", async () => {
    const link = await ready(OAUTH_SANDBOX_PHONE);
    await openToConsent(link);
    await continueToCode();
    await enterCode(SANDBOX_OTP);
    (await findButton('Share')).click();
    const exit = await link.next('exit');
    await dialogClosed();
    expect(exit.error?.error_type).to.equal('INVALID_REQUEST');
    expect(exit.error?.error_code).to.equal('INVALID_FIELD');
    expect(exit.error?.error_message).to.match(/redirect_uri/);
    expect(link.calls.some((call) => call.kind === 'success')).to.equal(false);
  });

  it('resumes a session back from an OAuth bank: a handler with receivedRedirectUri finishes it', async () => {
    // The first half as the Link iframe drives it, up to the bank redirect (a test page must not navigate).
    const linkToken = await createLinkToken(undefined, { redirect_uri: 'http://localhost/oauth-return' });
    const step = async (path: string, body: object) =>
      (await fetch(`/plaid/emulator/link/sessions${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then((response) => response.json())) as Record<string, unknown>;
    const { link_session_id: id } = await step('', { link_token: linkToken });
    await step(`/${id}/submit`, { phone_number: OAUTH_SANDBOX_PHONE });
    await step(`/${id}/open`, {});
    const verified = (await step(`/${id}/verify`, { code: SANDBOX_OTP })) as {
      profile: object;
      accounts: Array<{ id: string }>;
    };
    const redirect = await step(`/${id}/share`, {
      profile: verified.profile,
      account_ids: verified.accounts.map((account) => account.id),
    });
    expect(redirect.result).to.equal('oauth');
    const returnUrl = String(redirect.redirect_url);
    expect(returnUrl).to.match(/^http:\/\/localhost\/oauth-return\?oauth_state_id=[0-9a-f-]{36}$/);

    const back = createRecordedLink(linkToken, { receivedRedirectUri: returnUrl });
    opened.push(back);
    await back.next('load');
    back.handler.open();
    const success = await back.next('success');
    expect(success.metadata.link_session_id).to.equal(id);
    expect(success.metadata.institution?.name).to.equal('Platypus OAuth Bank');
    const session = await plaidApi('/user_account/session/get', { public_token: success.publicToken });
    expect(session.status).to.equal(200);

    // The same return URL again (a reload): Plaid's OAuth error, through onExit.
    const again = createRecordedLink(linkToken, { receivedRedirectUri: returnUrl });
    opened.push(again);
    const exit = await again.next('exit');
    expect([exit.error?.error_type, exit.error?.error_code]).to.deep.equal([
      'OAUTH_ERROR',
      'OAUTH_STATE_ID_ALREADY_PROCESSED',
    ]);
  });

  it('has a Close button on every step, and closing reports where the user left', async () => {
    const statuses: Array<string | null> = [];
    for (const step of ['consent', 'code', 'review'] as const) {
      const link = await ready('+14155550011');
      await openToConsent(link);
      if (step !== 'consent') await continueToCode();
      if (step === 'review') {
        await enterCode(SANDBOX_OTP);
        await findButton('Share');
      }
      getByRole('button', 'Close').click();
      const exit = await link.next('exit');
      await dialogClosed();
      // No error met on the way: onExit's error is null.
      expect(exit.error).to.equal(null);
      await link.event('EXIT');
      statuses.push(exit.metadata.status);
    }
    expect(statuses).to.deep.equal([null, 'requires_code', 'requires_account_selection']);
  });

  it('asks before exit() closes it, and exit({ force: true }) does not ask', async () => {
    const link = await ready('+14155550011');
    await openToConsent(link);
    const code = await continueToCode();
    type(code, '12');

    link.handler.exit();
    (await findButton('Go back')).click();
    expect((await findField('Verification code')).value).to.equal('12');
    expect(link.calls.some((call) => call.kind === 'exit')).to.equal(false);

    link.handler.exit();
    (await findButton('Exit')).click();
    const exit = await link.next('exit');
    expect(exit.metadata.status).to.equal('requires_code');
    await link.event('EXIT');
    expect(viewNames(link)).to.include('EXIT');

    const forced = await ready('+14155550011');
    await openToConsent(forced);
    forced.handler.exit({ force: true });
    await forced.next('exit');
    await dialogClosed();
  });

  it('is usable with the keyboard alone', async () => {
    const opener = document.createElement('button');
    opener.textContent = 'Verify with Plaid';
    document.body.append(opener);
    try {
      const link = await ready('+14155550011');
      opener.focus();
      link.handler.open();
      const dialog = await findDialog();
      await findButton('Continue');
      // Focus moved into the dialog…
      expect(dialog.contains(deepActiveElement())).to.equal(true);
      // …and Tab keeps it there.
      for (let i = 0; i < 6; i += 1) {
        await sendKeys({ press: 'Tab' });
        expect(dialog.contains(deepActiveElement()), `after ${i + 1} Tab presses`).to.equal(true);
      }
      getByRole('button', 'Continue').focus();
      await sendKeys({ press: 'Enter' });
      const code = await findField('Verification code');
      expect(deepActiveElement()).to.equal(code);
      await sendKeys({ type: SANDBOX_OTP });
      await sendKeys({ press: 'Enter' });
      await findButton('Share');

      await sendKeys({ press: 'Escape' });
      const exit = await link.next('exit');
      await dialogClosed();
      expect(exit.metadata.status).to.equal('requires_account_selection');
      expect(deepActiveElement()).to.equal(opener);
    } finally {
      opener.remove();
    }
  });

  it('passes axe on each step', async () => {
    const link = await ready('+14155550011');
    await openToConsent(link);
    const frameDocument = (await findDialog()).ownerDocument;
    await expectAccessible(frameDocument);
    await continueToCode();
    await expectAccessible(frameDocument);
    await enterCode(SANDBOX_OTP);
    await findButton('Share');
    await expectAccessible(frameDocument);
  });

  it('is not restyled, nor hidden, by the host page', async () => {
    const style = document.createElement('style');
    style.textContent = `
      body { color: rgb(255, 0, 0); font-family: serif; font-size: 40px; }
      button { background: rgb(0, 255, 0) !important; }
      h2 { display: none !important; }
      div { padding: 50px !important; }
      iframe { display: none !important; width: 10px !important; }`;
    document.head.append(style);
    try {
      const link = await ready('+14155550011');
      await openToConsent(link);
      const heading = getByRole('heading', /uses Plaid/);
      const button = getByRole('button', 'Continue');
      expect(getComputedStyle(heading).display).to.equal('block');
      expect(getComputedStyle(heading).color).not.to.equal('rgb(255, 0, 0)');
      expect(getComputedStyle(button).backgroundColor).to.equal('rgb(17, 17, 17)');
      expect(getComputedStyle(button).fontFamily).not.to.equal('serif');
      // The iframe itself covers the viewport whatever the page says about iframes.
      const frame = linkFrames().find((candidate) => candidate.contentDocument === heading.ownerDocument)!;
      expect(getComputedStyle(frame).display).to.equal('block');
      expect(frame.getBoundingClientRect().width).to.equal(document.documentElement.clientWidth);
    } finally {
      style.remove();
    }
  });

  it('shows Plaid\'s "submit first" message when opened before LAYER_READY, and recovers', async () => {
    const link = createRecordedLink(await createLinkToken());
    opened.push(link);
    await link.next('load');
    link.handler.submit({ phone_number: '+14155550000' });
    await link.event('LAYER_NOT_AVAILABLE');
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: unknown) => warnings.push(String(message));
    try {
      link.handler.open();
      // The iframe's warning reaches the page's console before the dialog shows.
      await findDialog();
    } finally {
      console.warn = warn;
    }
    expect(warnings).to.deep.equal([
      '[Plaid emulator] open() before LAYER_READY: "Please submit Phone Number before opening Link."',
    ]);
    expect(getByRole('alert').textContent).to.equal('Please submit Phone Number before opening Link.');
    expect(link.eventNames()).not.to.include('OPEN');
    getByRole('button', 'Exit').click();
    const exit = await link.next('exit');
    expect(exit.error).to.equal(null);

    link.handler.submit({ phone_number: '+14155550011' });
    await link.event('LAYER_READY');
    await openToConsent(link);
    expect(queryAllByRole('button', 'Close')).to.have.length(1);
  });
});

/**
 * The Link iframe's current DOM and its style sheet, copied into a shadow root on this page: axe
 * checks elements of its own window only, and the iframe's CSP (no eval) keeps axe from running
 * inside it. Same markup, same CSS, so the same findings.
 */
async function expectAccessible(frameDocument: Document): Promise<void> {
  const host = document.createElement('div');
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = LINK_STYLES;
  root.append(style, document.importNode(frameDocument.body, true));
  document.body.append(host);
  try {
    await expect(host).to.be.accessible();
  } finally {
    host.remove();
  }
}

async function findBy<T>(query: () => T | null): Promise<T> {
  let found: T | null = null;
  await waitUntil(() => (found = query()) !== null, 'not found', { timeout: 5000 });
  return found!;
}
