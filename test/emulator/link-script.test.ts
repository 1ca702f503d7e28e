/** GET /link/v2/stable/link-initialize.js: the emulated Link script as the server hands it out. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Script } from 'node:vm';

import { createPlaidEmulator, LINK_SCRIPT_PATH } from '../../emulator/index.js';
import { startEmulator, type RunningEmulator } from './support/emulator-server.js';

describe('the Link script route', () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({}, '/plaid');
  });
  after(() => emulator.close());

  it('serves JavaScript that parses, under the mount prefix', async () => {
    const response = await fetch(emulator.base + LINK_SCRIPT_PATH);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const source = await response.text();
    assert.doesNotThrow(() => new Script(source, { filename: 'link-initialize.js' }));
    assert.match(source, /link-initialize\.js/);
  });

  it('names no Plaid host to talk to: it finds its API from its own URL', async () => {
    const source = await (await fetch(emulator.base + LINK_SCRIPT_PATH)).text();
    assert.doesNotMatch(source, /https?:\/\/(sandbox|production|cdn|development)\.plaid\.com/);
  });

  it('is the same script from any emulator', async () => {
    const a = await createPlaidEmulator().request(LINK_SCRIPT_PATH);
    const b = await createPlaidEmulator().request(LINK_SCRIPT_PATH);
    assert.equal(await a.text(), await b.text());
  });
});
