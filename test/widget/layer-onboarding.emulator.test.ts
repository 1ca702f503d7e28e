// <layer-onboarding> as a partner page runs it: the emulator's real Link script and UI (served by
// web-test-runner at /plaid) and the real backend (createLayerApi at /api/layer, calling the
// emulator). Every Layer outcome is reached by using Link's dialog as a user would. MSW only
// watches /link-token, or expires the token it answers through the emulator's control route.
import { expect, oneEvent } from '@open-wc/testing';

import { SESSION_HANDLE_HEADER, type LinkTokenResponse } from '../../contract/index.js';
import { AUTOFILL_DATE_OF_BIRTH, AUTOFILL_IDENTITY, findSandboxUser } from '../../emulator/sandbox-users.js';
import { EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID } from '../../emulator/templates.js';
import '../../widget/index.js';
import type { LayerOnboarding } from '../../widget/index.js';
import {
  API,
  apiFor,
  browserProfileOf,
  expireToken,
  LINK_SCRIPT_SRC,
  SANDBOX_PHONE,
} from './support/backend.js';
import {
  attach,
  detachAll,
  element,
  field,
  part,
  recordEvents,
  scriptTags,
  text,
  typeAndSubmit,
  type Recorded,
} from './support/element.js';
import { linkHosts, openDialog, press, shareInLink, typeInLink } from './support/link-dialog.js';
import { http, passThrough, useWorker, watchLinkToken, type LinkTokenCall } from './support/msw.js';
import { until } from './support/wait.js';

const worker = useWorker();

afterEach(async () => {
  await detachAll();
  const plaid = (window as { Plaid?: { emulator: { eventTiming?: string } } }).Plaid;
  if (plaid) delete plaid.emulator.eventTiming;
  expect(linkHosts(), 'a Link handler was left behind').to.have.length(0);
});

/** The Link tokens the real backend hands out during the test. */
function watchTokens(): LinkTokenCall[] {
  const calls: LinkTokenCall[] = [];
  worker.use(watchLinkToken(calls));
  return calls;
}

/** The next `count` Link tokens of the real backend expire before the page gets them. */
function expireNextTokens(count: number): LinkTokenCall[] {
  const calls: LinkTokenCall[] = [];
  let left = count;
  worker.use(
    http.post(`${API}/link-token`, async ({ request }) => {
      const response = await passThrough(request);
      const answer = (await response.clone().json()) as LinkTokenResponse;
      calls.push({ sessionHeader: request.headers.get(SESSION_HANDLE_HEADER), answer });
      if (left > 0) {
        left -= 1;
        await expireToken(answer.link_token);
      }
      return response;
    }),
  );
  return calls;
}

async function mount(attributes = ''): Promise<{ el: LayerOnboarding; events: Recorded[] }> {
  const el = document.createElement('layer-onboarding');
  el.setAttribute('link-script-src', LINK_SCRIPT_SRC);
  for (const [, name, value] of attributes.matchAll(/([\w-]+)(?:="([^"]*)")?/g))
    el.setAttribute(name!, value ?? '');
  const events = recordEvents(el);
  await attach(element('div', {}, el));
  return { el, events };
}

async function mountReady(attributes = ''): Promise<{ el: LayerOnboarding; events: Recorded[] }> {
  const mounted = await mount(attributes);
  await until(() => mounted.el.state === 'ready', 'the element never became ready');
  return mounted;
}

const ofType = (events: Recorded[], type: string) => events.filter((event) => event.type === type);
const linkEventNames = (events: Recorded[]) =>
  ofType(events, 'layer-event').map((event) => (event.detail as { eventName: string }).eventName);

function assertNoSecrets(events: Recorded[], ssn: string): void {
  const all = JSON.stringify(events);
  expect(all).not.to.match(/access_token|access-sandbox-/);
  expect(all).not.to.contain(ssn);
}

describe('<layer-onboarding> with the emulated Link', () => {
  it('loads Link from the emulator once and creates a handler with a real token', async () => {
    const tokens = watchTokens();
    const { el } = await mountReady();
    expect(scriptTags(LINK_SCRIPT_SRC)).to.have.length(1);
    expect(linkHosts()).to.have.length(1);
    expect(tokens.map((call) => call.answer.link_token)).to.have.length(1);
    expect(tokens[0]!.answer.link_token).to.match(/^link-sandbox-/);
    expect(el.getAttribute('state')).to.equal('ready');
  });

  it('a number submitted before Link loaded waits for onLoad (Link drops earlier submits)', async () => {
    const { el, events } = await mount();
    expect(el.state).to.equal('loading');
    expect(el.submitPhone('(415) 555-0011')).to.equal(true);
    const eligible = await oneEvent(el, 'layer-eligible');
    expect(eligible.detail).to.deep.equal({ via: 'phone' });
    expect(
      ofType(events, 'layer-state-change').map((event) => (event.detail as { state: string }).state),
    ).to.deep.equal(['loading', 'checking', 'open']);
    await until(() => openDialog(), 'Link did not open');
  });

  it('415-555-0011 → code 123456 → Share: layer-success with that user’s profile and no secrets', async () => {
    const { el, events } = await mountReady();
    const user = findSandboxUser(SANDBOX_PHONE)!;
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    expect(el.state).to.equal('open');
    await shareInLink();
    const success = await oneEvent(el, 'layer-success');

    expect(success.detail.profile).to.deep.equal(browserProfileOf(SANDBOX_PHONE));
    // The review step shares the accounts the user leaves selected: at least one Item.
    expect(success.detail.items.length).to.be.greaterThan(0);
    expect(success.detail.linkSessionId).to.be.a('string');
    expect(el.state).to.equal('complete');
    expect(el.value).to.equal(success.detail.token);
    // SUBMIT_OTP, VERIFY_PHONE and HANDOFF come after onSuccess (Plaid's event timing): wait.
    await until(
      () =>
        ['LAYER_READY', 'OPEN', 'SUBMIT_OTP', 'VERIFY_PHONE', 'HANDOFF'].every((name) =>
          linkEventNames(events).includes(name),
        ),
      'Link’s events never all arrived',
    );
    assertNoSecrets(events, user.identity!.ssn!);
    await until(() => linkHosts().length === 0, 'Link was not destroyed after success');
  });

  it('LAYER_NOT_AVAILABLE → date of birth 1975-01-18 → LAYER_READY → success (Extended Autofill)', async () => {
    const { el, events } = await mountReady(`api="${apiFor(EMULATOR_ACCOUNTS_OPTIONAL_TEMPLATE_ID)}"`);
    await typeAndSubmit(el, '415-555-0000');
    await until(() => el.state === 'dob', 'no date-of-birth step');
    await el.updateComplete;
    expect(text(part(el, 'label'))).to.equal('Date of birth');
    const [year, month, day] = AUTOFILL_DATE_OF_BIRTH.split('-');
    await typeAndSubmit(el, `${month}/${day}/${year}`);
    const eligible = await oneEvent(el, 'layer-eligible');
    expect(eligible.detail).to.deep.equal({ via: 'date_of_birth' });
    await shareInLink();
    const success = await oneEvent(el, 'layer-success');
    expect(success.detail.profile.name).to.deep.equal(AUTOFILL_IDENTITY.name);
    expect(success.detail.profile.phone_number).to.equal('+14155550000');
    expect(linkEventNames(events).slice(0, 2)).to.deep.equal(['LAYER_NOT_AVAILABLE', 'LAYER_READY']);
  });

  it('LAYER_AUTOFILL_NOT_AVAILABLE after another date of birth → fallback autofill_not_available', async () => {
    const { el, events } = await mountReady();
    await typeAndSubmit(el, '415-555-0000');
    await until(() => el.state === 'dob');
    await el.updateComplete;
    await typeAndSubmit(el, '1980-02-02');
    const fallback = await oneEvent(el, 'layer-fallback');
    expect(fallback.detail).to.deep.equal({ reason: 'autofill_not_available', phone: '+14155550000' });
    expect(linkEventNames(events)).to.deep.equal(['LAYER_NOT_AVAILABLE', 'LAYER_AUTOFILL_NOT_AVAILABLE']);
    await until(() => linkHosts().length === 0, 'Link was not destroyed after the fallback');
  });

  it('no-autofill: LAYER_NOT_AVAILABLE → fallback not_eligible', async () => {
    const { el } = await mountReady('no-autofill');
    await typeAndSubmit(el, '415-555-0000');
    const fallback = await oneEvent(el, 'layer-fallback');
    expect(fallback.detail).to.deep.equal({ reason: 'not_eligible', phone: '+14155550000' });
  });

  it('a number of another country falls back at once with not_eligible: Plaid would answer LAYER_NOT_AVAILABLE', async () => {
    const { el, events } = await mountReady();
    await typeAndSubmit(el, '+44 7700 900123');
    await until(() => el.state === 'fallback');
    expect(events.find((event) => event.type === 'layer-fallback')?.detail).to.deep.equal({
      reason: 'not_eligible',
      phone: '+447700900123',
    });
    expect(linkEventNames(events), 'nothing was submitted to Link').to.deep.equal([]);
  });

  it('three wrong codes → Link exits with PROFILE_AUTHENTICATION_FAILED → fallback authentication_failed', async () => {
    const { el, events } = await mountReady();
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    await press('Continue');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await typeInLink('Verification code', '000000');
      await press('Verify');
    }
    const fallback = oneEvent(el, 'layer-fallback');
    await press('Exit');
    expect((await fallback).detail).to.deep.equal({ reason: 'authentication_failed', phone: '+14155550011' });
    const exit = ofType(events, 'layer-exit')[0]!.detail as { error: { error_code: string } };
    expect(exit.error.error_code).to.equal('PROFILE_AUTHENTICATION_FAILED');
    // Link delivers SUBMIT_OTP (not a real-time event) after onExit, as Plaid may: wait for them.
    await until(
      () => linkEventNames(events).filter((name) => name === 'SUBMIT_OTP').length === 3,
      'the three SUBMIT_OTP events never arrived after onExit',
    );
  });

  it('Close → layer-exit, back to the phone step with a fresh handler, and a retry that succeeds', async () => {
    const { el, events } = await mountReady();
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    const tokens = watchTokens();
    const exit = oneEvent(el, 'layer-exit');
    await press('Close');
    expect((await exit).detail.error).to.equal(null);
    await until(() => el.state === 'ready');
    expect(tokens, 'a fresh token after the exit').to.have.length(1);
    await until(() => linkHosts().length === 1, 'the closed handler was not destroyed');
    await el.updateComplete;
    expect(field(el).value).to.equal('415-555-0011');

    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    await shareInLink();
    await oneEvent(el, 'layer-success');
    expect(ofType(events, 'layer-success')).to.have.length(1);
  });

  it('recovers from INVALID_LINK_TOKEN with a new token and handler, silently', async () => {
    const tokens = expireNextTokens(1);
    const { el, events } = await mountReady();
    expect(tokens).to.have.length(2);
    expect(tokens[1]!.sessionHeader, 'the visitor keeps its handle').to.equal(
      tokens[0]!.answer.session_handle,
    );
    expect(linkEventNames(events)).to.deep.equal(['EXIT']);
    await until(() => linkHosts().length === 1, 'the dead handler was not destroyed');
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    expect(ofType(events, 'layer-error')).to.deep.equal([]);
    expect(ofType(events, 'layer-exit')).to.deep.equal([]);
  });

  it('Link invalidating its token mid-flow (Plaid: 30+ minutes in Link) brings Link back for the same number', async () => {
    // The emulator invalidates a token after 30 minutes in an opened flow; here the control route
    // does it at once, which Link reports the same way: onExit with INVALID_LINK_TOKEN at the code.
    const tokens = watchTokens();
    const { el, events } = await mountReady();
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    await press('Continue');
    await expireToken(tokens[0]!.answer.link_token);
    await typeInLink('Verification code', '123456');
    await press('Verify');
    const again = await oneEvent(el, 'layer-eligible');
    expect(again.detail).to.deep.equal({ via: 'phone' });
    expect(tokens).to.have.length(2);
    await shareInLink();
    await oneEvent(el, 'layer-success');
    expect(ofType(events, 'layer-error')).to.deep.equal([]);
    expect(ofType(events, 'layer-fallback')).to.deep.equal([]);
  });

  it('a tab left open past its token’s lifetime (timers asleep): the number submitted gets Link anyway', async () => {
    // The token expires under a ready element that never refreshed it (a laptop asleep runs no
    // timers): Link refuses it at the submit, and the widget asks for a new one and submits again.
    const tokens = watchTokens();
    const { el, events } = await mountReady();
    await expireToken(tokens[0]!.answer.link_token);
    await typeAndSubmit(el, '415-555-0011');
    const eligible = await oneEvent(el, 'layer-eligible');
    expect(eligible.detail).to.deep.equal({ via: 'phone' });
    expect(tokens).to.have.length(2);
    await shareInLink();
    await oneEvent(el, 'layer-success');
    expect(ofType(events, 'layer-error')).to.deep.equal([]);
    expect(ofType(events, 'layer-exit')).to.deep.equal([]);
    expect(ofType(events, 'layer-fallback')).to.deep.equal([]);
  });

  it('gives up with layer-error when the new token is invalid too', async () => {
    expireNextTokens(2);
    const { el, events } = await mount();
    const error = await oneEvent(el, 'layer-error');
    expect(error.detail.code).to.equal('INVALID_LINK_TOKEN');
    expect(error.detail.linkSessionId).to.be.a('string');
    expect(el.state).to.equal('error');
    expect(ofType(events, 'layer-fallback').map((event) => event.detail)).to.deep.equal([
      { reason: 'error' },
    ]);
  });

  it('stays correct when Link delivers its late events after onSuccess (Plaid’s timing, the default)', async () => {
    const { el, events } = await mountReady();
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    const before = events.length;
    await shareInLink();
    await oneEvent(el, 'layer-success');
    const names = () =>
      events
        .slice(before)
        .map((event) =>
          event.type === 'layer-event' ? (event.detail as { eventName: string }).eventName : event.type,
        );
    await until(
      () => ['SUBMIT_OTP', 'VERIFY_PHONE', 'HANDOFF'].every((name) => names().includes(name)),
      'the late events never arrived as layer-event',
    );
    const after = names();
    // onSuccess came first (finishing), the batch of late events after it.
    expect(after.indexOf('layer-state-change')).to.be.lessThan(after.indexOf('TRANSITION_VIEW'));
    expect(ofType(events, 'layer-success')).to.have.length(1);
    expect(el.state).to.equal('complete');
  });

  it('two elements share one script tag and run independent sessions', async () => {
    const tokens = watchTokens();
    const wrapper = await attach(
      element(
        'div',
        {},
        element('layer-onboarding', { 'link-script-src': LINK_SCRIPT_SRC }),
        element('layer-onboarding', { 'link-script-src': LINK_SCRIPT_SRC, lang: 'es' }),
      ),
    );
    const [a, b] = Array.from(wrapper.querySelectorAll('layer-onboarding'));
    await until(() => a!.state === 'ready' && b!.state === 'ready', 'not both ready');
    expect(scriptTags(LINK_SCRIPT_SRC)).to.have.length(1);
    expect(linkHosts()).to.have.length(2);
    expect(new Set(tokens.map((call) => call.answer.link_token)).size).to.equal(2);

    await typeAndSubmit(b!, '415-555-0000');
    await until(() => b!.state === 'dob');
    await typeAndSubmit(a!, '415-555-0011');
    await oneEvent(a!, 'layer-eligible');
    await shareInLink();
    await oneEvent(a!, 'layer-success');
    expect(b!.state).to.equal('dob');
    expect(text(part(b!, 'label'))).to.equal('Fecha de nacimiento');
  });

  it('moved on the page while Link is open (out and back in at once), it keeps Link and the flow', async () => {
    const { el, events } = await mountReady();
    const elsewhere = await attach(element('section'));
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    await until(() => openDialog(), 'Link did not open');

    elsewhere.append(el);
    await el.updateComplete;
    expect(el.state).to.equal('open');
    expect(openDialog(), 'Link closed under the visitor').not.to.equal(null);
    await shareInLink();
    await oneEvent(el, 'layer-success');
    expect(ofType(events, 'layer-exit')).to.deep.equal([]);
  });

  it('removal destroys Link and leaves no node behind; re-inserting reuses the script tag', async () => {
    const { el } = await mountReady();
    const parent = el.parentElement!;
    await typeAndSubmit(el, '415-555-0011');
    await oneEvent(el, 'layer-eligible');
    await until(() => openDialog(), 'Link did not open');

    el.remove();
    await Promise.resolve(); // a microtask later: not a move
    expect(linkHosts()).to.have.length(0);
    expect(openDialog()).to.equal(null);
    expect(el.state).to.equal('idle');

    parent.append(el);
    await until(() => el.state === 'ready', 'not ready after re-insertion');
    expect(scriptTags(LINK_SCRIPT_SRC)).to.have.length(1);
    expect(linkHosts()).to.have.length(1);
    el.remove();
    await Promise.resolve();
    expect(linkHosts()).to.have.length(0);
  });
});
