// The package in a partner's component tests: Vitest or Jest with jsdom or happy-dom, which lack
// much of the browser (matchMedia, constructable stylesheets, parts of ElementInternals, loading
// scripts). Each case runs fixtures/render-in-test-dom.mjs with plain node, in a process of its own (a fresh window
// and a fresh import, as each test file gets), importing the package by name through its exports.
// Rendering the element must not throw: it shows its phone field and, with no backend, ends in
// `layer-error` and `layer-fallback`; nothing escapes as an uncaught error or unhandled rejection.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FIXTURE = new URL('fixtures/render-in-test-dom.mjs', import.meta.url).pathname;

interface Rendered {
  errors: string[];
  imported: Array<[string, string[]]>;
  defined?: boolean;
  phoneField?: { type: string; label: string } | null;
  events: Array<{ type: string; detail: Record<string, unknown> }>;
  state?: string;
  shown?: string;
}

async function renderInTestDom(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Rendered> {
  const { stdout } = await run(process.execPath, [...nodeArgs, FIXTURE], {
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Rendered;
}

/** Rendered without an error, with the phone field, and ended in the partner's form, saying so. */
function assertEndsInFallback(result: Rendered, reason: 'error' | 'timeout'): void {
  assert.deepEqual(result.errors, [], 'errors escaped');
  assert.equal(result.defined, true);
  assert.deepEqual(result.phoneField, { type: 'tel', label: 'Phone number' });
  assert.equal(result.state, reason === 'error' ? 'error' : 'fallback');
  assert.equal(result.events.at(-1)?.type, 'layer-fallback');
  assert.equal(result.events.at(-1)?.detail.reason, reason);
  assert.match(result.shown ?? '', /Please fill in the form/);
}

test('the ES module renders in jsdom and, with no backend, ends in layer-error then layer-fallback', async () => {
  const result = await renderInTestDom();
  assertEndsInFallback(result, 'error');
  const error = result.events.find((event) => event.type === 'layer-error');
  assert.equal(error?.detail.code, 'NETWORK_ERROR');
  assert.match(String(error?.detail.message), /link-token/);
});

test('the development build (Vitest resolves the "development" condition) does the same', async () => {
  assertEndsInFallback(await renderInTestDom({}, ['--conditions=development']), 'error');
});

test('the React and Vue entries import alongside the element in jsdom', async () => {
  const result = await renderInTestDom({
    ENTRIES: 'layer-onboarding/react,layer-onboarding/vue,layer-onboarding',
  });
  assertEndsInFallback(result, 'error');
  assert.deepEqual(
    result.imported.map(([entry]) => entry),
    ['layer-onboarding/react', 'layer-onboarding/vue', 'layer-onboarding'],
  );
});

test('older jsdom without attachInternals (Jest 29) and a matchMedia mock that returns nothing', async () => {
  assertEndsInFallback(await renderInTestDom({ OLD_JSDOM: '1', MATCH_MEDIA_MOCK: '1' }), 'error');
});

test('a legacy matchMedia mock (only addListener and removeListener) is not a crash either', async () => {
  assertEndsInFallback(await renderInTestDom({ MATCH_MEDIA_MOCK: 'legacy' }), 'error');
});

test('with a mocked backend, a submitted number ends in the fallback when Link cannot load in jsdom', async () => {
  const result = await renderInTestDom({ SCENARIO: 'mocked-backend' });
  assertEndsInFallback(result, 'timeout');
  assert.equal(result.events.at(-1)?.detail.phone, '+14155550123');
});

test("happy-dom (Vitest's other DOM, its fetch too): the entries render and end in the fallback", async () => {
  const result = await renderInTestDom({
    DOM: 'happy-dom',
    ENTRIES: 'layer-onboarding/react,layer-onboarding/vue,layer-onboarding',
  });
  assertEndsInFallback(result, 'error');
  const error = result.events.find((event) => event.type === 'layer-error');
  assert.equal(error?.detail.code, 'NETWORK_ERROR');
  assert.match(String(error?.detail.message), /link-token/);
});

test('happy-dom with a legacy matchMedia mock, in the development build', async () => {
  assertEndsInFallback(
    await renderInTestDom({ DOM: 'happy-dom', MATCH_MEDIA_MOCK: 'legacy' }, ['--conditions=development']),
    'error',
  );
});

test('happy-dom with a mocked backend: a submitted number ends in the fallback, Link never loading', async () => {
  const result = await renderInTestDom({ DOM: 'happy-dom', SCENARIO: 'mocked-backend' });
  assertEndsInFallback(result, 'timeout');
  assert.equal(result.events.at(-1)?.detail.phone, '+14155550123');
});
