// Importing the widget where there is no browser (server-side rendering, a Node test runner) must
// neither throw nor touch `window`/`document`; registering the tag twice must be harmless.
import assert from 'node:assert/strict';
import { test } from 'node:test';

// A computed specifier keeps the browser code out of this Node project's typecheck.
const WIDGET_ENTRY = new URL('../../widget/index.ts', import.meta.url).href;

interface WidgetModule {
  LayerOnboarding: new () => { state: string; value: string; api: string };
  defineLayerOnboarding: () => void;
  TAG_NAME: string;
}

test('the widget imports, registers and constructs without a DOM', async () => {
  assert.equal(typeof globalThis.window, 'undefined');
  const widget = (await import(WIDGET_ENTRY)) as WidgetModule;
  assert.equal(typeof globalThis.window, 'undefined');
  assert.equal(typeof globalThis.document, 'undefined');

  widget.defineLayerOnboarding();
  widget.defineLayerOnboarding();
  const element = new widget.LayerOnboarding();
  assert.deepEqual([element.state, element.value, element.api], ['idle', '', '/api/layer']);
});

test('the built ES module (dist/, Lit left as an import) imports, registers and constructs without a DOM', async () => {
  // This tier builds dist/ first; this is the file `import 'layer-onboarding'` loads on a server.
  const built = new URL('../../dist/layer-onboarding.mjs', import.meta.url).href;
  assert.equal(typeof globalThis.window, 'undefined');
  const widget = (await import(built)) as WidgetModule & { LayerOnboarding: { version: string } };
  assert.equal(typeof globalThis.window, 'undefined');
  assert.equal(typeof globalThis.document, 'undefined');
  assert.match(widget.LayerOnboarding.version, /^\d+\.\d+\.\d+/);
  widget.defineLayerOnboarding();
  const element = new widget.LayerOnboarding();
  assert.deepEqual([element.state, element.value, element.api], ['idle', '', '/api/layer']);
});
