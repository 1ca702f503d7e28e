/**
 * What the browser loads from the emulator for Link: the page's `link-initialize.js`, and the Link
 * iframe's document (with its CSP), script and style sheet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Script } from 'node:vm';

import {
  createPlaidEmulator,
  LINK_FRAME_PATH,
  LINK_SCRIPT_PATH,
  SANDBOX_USERS,
} from '../../emulator/index.js';
import { startEmulator, type RunningEmulator } from './support/emulator-server.js';

/** The paths of the modules esbuild bundled into `source` (it names each in a `// path` comment). */
const bundledModules = (source: string) =>
  [...source.matchAll(/^\s*\/\/ (\S+\.ts)$/gm)].map((match) => match[1]!);

describe('the Link assets', () => {
  let emulator: RunningEmulator;
  const get = (path: string) => fetch(emulator.base + path);
  before(async () => {
    emulator = await startEmulator({}, '/plaid');
  });
  after(() => emulator.close());

  it('serves link-initialize.js, JavaScript that parses, under the mount prefix', async () => {
    const response = await get(LINK_SCRIPT_PATH);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const source = await response.text();
    assert.doesNotThrow(() => new Script(source, { filename: 'link-initialize.js' }));
    assert.match(source, /link-initialize\.js/);
  });

  it('names no Plaid host to talk to: each script finds the emulator from its own URL', async () => {
    for (const path of [LINK_SCRIPT_PATH, '/link/v2/stable/link-frame.js']) {
      const source = await (await get(path)).text();
      assert.doesNotMatch(source, /https?:\/\/(sandbox|production|cdn|development)\.plaid\.com/, path);
    }
  });

  it("keeps the page's script to the iframe's host: no UI, no calls to the emulator", async () => {
    const modules = bundledModules(await (await get(LINK_SCRIPT_PATH)).text());
    assert.ok(modules.includes('emulator/link/link-initialize.ts'), modules.join(', '));
    assert.deepEqual(
      modules.filter(
        (path) =>
          !/^(contract\/index|emulator\/link\/(link-initialize|framed-handler|frame-messages|callbacks))\.ts$/.test(
            path,
          ),
      ),
      [],
    );
  });

  it("bundles the iframe's side only: the Link UI, the protocol's client and messages, the contract", async () => {
    const source = await (await get('/link/v2/stable/link-frame.js')).text();
    assert.doesNotThrow(() => new Script(source, { filename: 'link-frame.js' }));
    const modules = bundledModules(source);
    assert.ok(modules.includes('emulator/link/link-frame.ts'), modules.join(', '));
    assert.deepEqual(
      modules.filter(
        (path) =>
          !/^(contract\/index|emulator\/link\/[\w-]+|emulator\/link-protocol\/(messages|client))\.ts$/.test(
            path,
          ),
      ),
      [],
    );
    // The server keeps the Sandbox profiles: not one full SSN is in what the browser loads.
    for (const { identity } of SANDBOX_USERS)
      if (identity?.ssn)
        assert.ok(!source.includes(identity.ssn), 'a Sandbox SSN is in the Link iframe script');
  });

  it('serves the iframe document with a CSP that allows no inline script or style, and its files', async () => {
    const response = await get(LINK_FRAME_PATH);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      'frame-ancestors *',
      "require-trusted-types-for 'script'",
      "trusted-types 'none'",
    ])
      assert.ok(csp.includes(directive), `${directive} in ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await response.text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]|<style|style=/);
    const [script] = /src="([^"]+)"/.exec(html)!.slice(1);
    const [styles] = /href="([^"]+)"/.exec(html)!.slice(1);
    const base = new URL(emulator.base + LINK_FRAME_PATH);
    const css = await fetch(new URL(styles!, base));
    assert.deepEqual([css.status, css.headers.get('content-type')], [200, 'text/css; charset=utf-8']);
    assert.match(await css.text(), /\.dialog/);
    const js = await fetch(new URL(script!, base));
    assert.deepEqual([js.status, js.headers.get('content-type')], [200, 'text/javascript; charset=utf-8']);
  });

  it('is the same script from any emulator', async () => {
    const a = await createPlaidEmulator().request(LINK_SCRIPT_PATH);
    const b = await createPlaidEmulator().request(LINK_SCRIPT_PATH);
    assert.equal(await a.text(), await b.text());
  });
});
