// CORS and CSRF in real Chromium: a page on another site (http://localhost:<other port>, while the
// API is on http://127.0.0.1:<port>) tries everything a web page can against `npm start` — fetch
// with credentials (CORS, so preflighted), "simple" no-cors fetches, and form posts in each encoding
// a form has (text/plain, urlencoded, multipart) — at /api/layer/link-token, /api/layer/session and
// the emulator's fault route. Each is refused, and the server does no work: a latency-0 fault on
// every Plaid route of the emulator counts Plaid calls (its `remaining` drops by one per call), and
// the fault list shows none was installed. The allowed origin still works afterwards.
//
// What the API's request guards already prove in-process (test/server/request-guards.test.ts) and
// the refused-origin widget (test/e2e/embed-anywhere.test.ts) is not repeated: this is the browser's
// side of it, with cookies, forms and navigation as Chromium really does them.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import type { Page, Response } from 'playwright-core';

import { SESSION_HANDLE_HEADER } from '../../contract/index.js';
import { openPage } from '../support/browser.js';
import { useSite } from '../support/site.js';

const site = useSite();
let foreign: Server;
let foreignOrigin: string;

before(async () => {
  foreign = createServer((request, response) => {
    if (request.url === '/favicon.ico') return response.writeHead(204).end();
    response
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Elsewhere</title></head><body><h1>A page elsewhere</h1></body></html>',
      );
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  // localhost, not 127.0.0.1: another site than the API's, not only another origin.
  foreignOrigin = `http://localhost:${(foreign.address() as AddressInfo).port}`;
});

after(async () => {
  foreign.closeAllConnections();
  await new Promise((resolve) => foreign.close(resolve));
});

interface Fault {
  route: string;
  remaining: number | null;
}

/** From Node (no Origin, JSON), as the emulator's control routes allow. */
async function faults(method: 'GET' | 'POST' | 'DELETE', body?: object): Promise<Fault[]> {
  const response = await fetch(`${site.server.url}/plaid/emulator/faults`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { faults: Fault[] }).faults;
}

const PLAID_CALL_COUNTER = { route: '*', latencyMs: 0, times: 1_000_000 };

/** How many Plaid API calls the emulator answered since the counter was installed. */
async function plaidCalls(): Promise<number> {
  const list = await faults('GET');
  assert.equal(list.length, 1, `only the counter is installed: ${JSON.stringify(list)}`);
  return PLAID_CALL_COUNTER.times - list[0]!.remaining!;
}

/** Every response the page's frames got from the server, as `METHOD path status`. */
function recordAnswers(page: Page): string[] {
  const answers: string[] = [];
  page.on('response', (response: Response) => {
    const url = new URL(response.url());
    if (url.port !== new URL(site.server.url).port) return;
    answers.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
  });
  return answers;
}

test('a page on another site is refused at /link-token, /session and the emulator’s faults, and Plaid is never called', async () => {
  await faults('DELETE');
  await faults('POST', PLAID_CALL_COUNTER);
  const api = `${site.server.url}/api/layer`;
  const logBefore = site.server.output().length;

  const { page } = await openPage(site.browser);
  const answers = recordAnswers(page);
  await page.goto(`${foreignOrigin}/`);

  // CORS fetches with credentials, as the widget would send them: preflighted, then refused with a
  // readable 403 (the API lets any page read that refusal, and nothing else).
  const fetched = await page.evaluate(
    async ({ api: base, header }) => {
      const results: Array<{
        path: string;
        status: number;
        code: string | null;
        allowOrigin: string | null;
      }> = [];
      for (const [path, body, handle] of [
        ['/link-token', '{}', 'new'],
        ['/session', '{"public_token":"public-sandbox-00000000-0000-0000-0000-000000000000"}', 'v1.x.y'],
      ] as const) {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'Content-Type': 'application/json', [header]: handle },
          body,
        });
        const json = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
        results.push({
          path,
          status: response.status,
          code: json?.error?.code ?? null,
          allowOrigin: response.headers.get('Access-Control-Allow-Origin'),
        });
      }
      return results;
    },
    { api, header: SESSION_HANDLE_HEADER },
  );
  for (const result of fetched) {
    assert.equal(result.status, 403, JSON.stringify(result));
    assert.equal(result.code, 'ORIGIN_NOT_ALLOWED', JSON.stringify(result));
  }

  // "Simple" requests need no preflight: a no-cors fetch gets an opaque answer the page cannot read.
  const opaque = await page.evaluate(
    async ({ base, emulator }) => {
      const types: string[] = [];
      for (const url of [`${base}/link-token`, `${base}/session`, emulator]) {
        const response = await fetch(url, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'Content-Type': 'text/plain' },
          body: '{"route":"*","status":500}',
        });
        types.push(`${response.type} ${response.status}`);
      }
      return types;
    },
    { base: api, emulator: `${site.server.url}/plaid/emulator/faults` },
  );
  assert.deepEqual(opaque, ['opaque 0', 'opaque 0', 'opaque 0']);

  // Form posts, each encoding a form has, into a frame the page owns.
  const targets = [`${api}/link-token`, `${api}/session`, `${site.server.url}/plaid/emulator/faults`];
  const encodings = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'];
  for (const action of targets)
    for (const enctype of encodings) {
      const answered = page.waitForResponse(
        (response) => response.url() === action && response.request().method() === 'POST',
      );
      await page.evaluate(
        ({ action: to, enctype: type }) => {
          document.querySelector('iframe')?.remove();
          const frame = document.createElement('iframe');
          frame.name = 'sink';
          document.body.append(frame);
          const form = document.createElement('form');
          form.method = 'POST';
          form.action = to;
          form.enctype = type;
          form.target = 'sink';
          // text/plain sends `{"route":"*","status":500,"x":"=1"}`: JSON smuggled in a form.
          const field = document.createElement('input');
          field.name = '{"route":"*","status":500,"public_token":"public-sandbox-x","x":"';
          field.value = '1"}';
          form.append(field);
          document.body.append(form);
          form.submit();
          form.remove();
        },
        { action, enctype },
      );
      const response = await answered;
      assert.ok(
        response.status() >= 400 && response.status() < 500,
        `${enctype} to ${action}: ${response.status()}`,
      );
    }

  // Every request the page made reached the server and was refused there (no 2xx but preflights).
  const posts = answers.filter((answer) => answer.startsWith('POST '));
  assert.equal(posts.length, 2 + 3 + 9, answers.join('\n'));
  for (const answer of posts) assert.match(answer, / 4\d\d$/, answer);
  for (const answer of answers.filter((each) => each.startsWith('OPTIONS '))) assert.match(answer, / 204$/);

  // The server did no work: no Plaid call, no fault installed (the list holds only the counter).
  assert.equal(await plaidCalls(), 0);
  // The API's log names each refusal with its reason.
  const log = site.server.output().slice(logBefore);
  const refusals = log.match(/POST \/api\/layer\/(link-token|session) 403 .*code=ORIGIN_NOT_ALLOWED/g) ?? [];
  assert.equal(refusals.length, 2 + 2 + 6, log);

  // The allowed origin still works, in the same browser.
  await page.goto(`${site.server.url}/`);
  const allowed = await page.evaluate(
    async ({ api: base, header }) => {
      const response = await fetch(`${base}/link-token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [header]: 'new' },
        body: '{}',
      });
      return response.status;
    },
    { api, header: SESSION_HANDLE_HEADER },
  );
  assert.equal(allowed, 200);
  // The demo's own widget asked for a token too: calls counted now are the allowed page's.
  assert.ok((await plaidCalls()) >= 1);
  await faults('DELETE');
  await page.close();
});
