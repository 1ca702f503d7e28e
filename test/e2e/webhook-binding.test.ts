// `npm start` with WEBHOOK_BINDING_WAIT_MS (createLayerApi's requireWebhookBinding) against the
// emulator's default webhook delivery — 100–500 ms late, sometimes twice: `/session` waits for the
// lagging SESSION_FINISHED and then exchanges for the visitor whose Link session made the public
// token, and refuses anyone else's handle, however fast they ask.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SESSION_HANDLE_HEADER } from '../../contract/index.js';
import { openDemo, submitPhone } from '../support/demo.js';
import { shareInLink } from '../support/link.js';
import { useSite } from '../support/site.js';

const site = useSite({ WEBHOOK_BINDING_WAIT_MS: '15000' });

function post(path: string, body: object, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${site.server.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: site.server.url, ...headers },
    body: JSON.stringify(body),
  });
}

/** A visitor's `/link-token`: its Link token and session handle. */
async function linkToken(): Promise<{ link_token: string; session_handle: string }> {
  const response = await post('/api/layer/link-token', {}, { [SESSION_HANDLE_HEADER]: 'new' });
  assert.equal(response.status, 200);
  return (await response.json()) as { link_token: string; session_handle: string };
}

test('the banner says exchanges wait for the webhook', () => {
  assert.match(
    site.server.output(),
    /Exchanges wait up to 15000 ms for Plaid's SESSION_FINISHED webhook \(WEBHOOK_BINDING_WAIT_MS\)/,
  );
});

test('an exchange asked for at once waits for the late SESSION_FINISHED; another visitor’s handle is refused', async () => {
  const owner = await linkToken();
  const thief = await linkToken();
  const completed = await post('/plaid/emulator/sessions/complete', {
    link_token: owner.link_token,
    phone_number: '+14155550011',
  });
  assert.equal(completed.status, 200);
  const { public_token } = (await completed.json()) as { public_token: string };

  // Both ask at once, before the webhook (100–500 ms late) can have arrived.
  const [stolen, exchanged] = await Promise.all([
    post('/api/layer/session', { public_token }, { [SESSION_HANDLE_HEADER]: thief.session_handle }),
    post('/api/layer/session', { public_token }, { [SESSION_HANDLE_HEADER]: owner.session_handle }),
  ]);
  // The thief waited for Plaid's word on whose session it was, and was refused: without the
  // binding, whoever came first before the webhook would have had the profile.
  assert.equal(stolen.status, 403);
  assert.equal(((await stolen.json()) as { error: { code: string } }).error.code, 'WRONG_SESSION');
  assert.equal(exchanged.status, 200);
  const { profile } = (await exchanged.json()) as { profile: { phone_number: string } };
  assert.equal(profile.phone_number, '+14155550011');
  const log = site.server.output();
  assert.match(log, /^POST \/api\/layer\/session 403 .*code=WRONG_SESSION/m);
  assert.match(log, /^POST \/api\/layer\/webhook 200 /m, 'the webhook reached the API');
});

test('the demo’s flow completes with the binding on, under the strict CSP', async () => {
  const demo = await openDemo(site.browser, `${site.server.url}/`);
  await submitPhone(demo, '415-555-0011');
  await demo.waitFor('layer-eligible');
  await shareInLink(demo.page);
  const success = await demo.waitFor('layer-success');
  assert.equal((success.profile as { phone_number: string }).phone_number, '+14155550011');
  assert.deepEqual(
    (await demo.events()).filter((event) => event.type === 'layer-error'),
    [],
  );
  demo.assertClean();
  await demo.close();
});
