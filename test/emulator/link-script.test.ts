/** GET /link/v2/stable/link-initialize.js: the emulated Link script as the server hands it out. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Script } from 'node:vm';

import { createPlaidEmulator, LINK_SCRIPT_PATH, SANDBOX_USERS } from '../../emulator/index.js';
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

  it("bundles only the browser's side: the Link UI, the protocol's client and messages, the contract", async () => {
    const source = await (await fetch(emulator.base + LINK_SCRIPT_PATH)).text();
    // esbuild names each module it bundles in a `// path` comment.
    const modules = [...source.matchAll(/^\s*\/\/ (\S+\.ts)$/gm)].map((match) => match[1]!);
    assert.ok(modules.includes('emulator/link/link-initialize.ts'), modules.join(', '));
    const allowed =
      /^(contract\/index|emulator\/link\/[\w-]+|emulator\/link-protocol\/(messages|client))\.ts$/;
    assert.deepEqual(
      modules.filter((path) => !allowed.test(path)),
      [],
    );
    // The server keeps the Sandbox profiles: not one full SSN is in what the page loads.
    for (const { identity } of SANDBOX_USERS)
      if (identity?.ssn) assert.ok(!source.includes(identity.ssn), 'a Sandbox SSN is in the Link script');
  });

  it('is the same script from any emulator', async () => {
    const a = await createPlaidEmulator().request(LINK_SCRIPT_PATH);
    const b = await createPlaidEmulator().request(LINK_SCRIPT_PATH);
    assert.equal(await a.text(), await b.text());
  });
});
