// What visitors type, through Chromium's own input pipeline and on to the emulator's Link: a number
// composed with a Japanese IME (whose Enter commits the composition and must not submit), a number
// pasted from the clipboard as iOS Contacts copies it, and a date of birth in full width. Through
// `npm start` in emulator mode, on a page holding only the element.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Demo } from '../support/demo.js';
import { openHostPage } from '../support/host-page.js';
import { useSite } from '../support/site.js';

const site = useSite();

const phoneField = (demo: Demo) => demo.widget.getByLabel('Phone number', { exact: true });

const state = (demo: Demo) => demo.widget.getAttribute('state');

async function stateIs(demo: Demo, wanted: string): Promise<void> {
  await demo.page.waitForFunction(
    (name) => document.querySelector('layer-onboarding')?.getAttribute('state') === name,
    wanted,
  );
}

/**
 * Composes `text` in an IME and commits it with Enter, as a Japanese or Chinese IME does: while
 * composing, Enter reaches the page as a `keydown` with `isComposing` and keyCode 229, and the IME
 * inserts its text.
 */
async function composeAndCommitWithEnter(demo: Demo, text: string): Promise<void> {
  const cdp = await demo.page.context().newCDPSession(demo.page);
  await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
  await cdp.send('Input.dispatchKeyEvent', {
    type: 'rawKeyDown',
    windowsVirtualKeyCode: 229,
    key: 'Process',
    code: 'Enter',
  });
  await cdp.send('Input.insertText', { text });
  await cdp.send('Input.dispatchKeyEvent', {
    type: 'keyUp',
    windowsVirtualKeyCode: 13,
    key: 'Enter',
    code: 'Enter',
  });
  await cdp.detach();
}

test('a number composed with a Japanese IME: the Enter that commits it does not submit; the next one does, and Link finds the visitor', async () => {
  const demo = await openHostPage(site.browser, site.server.url);
  await stateIs(demo, 'ready');
  const input = phoneField(demo);
  await input.click();
  const fullWidth = '\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff10\uff11\uff11'; // ４１５５５５００１１
  await composeAndCommitWithEnter(demo, fullWidth);
  assert.equal(await input.inputValue(), fullWidth);
  // Form submission on Enter is synchronous with the key event: had it submitted, it would be so now.
  assert.equal(await state(demo), 'ready', 'the Enter that committed the composition submitted');
  assert.deepEqual(
    (await demo.events()).filter((event) => event.type === 'layer-error'),
    [],
    'no error',
  );

  await input.press('Enter');
  assert.deepEqual(await demo.waitFor('layer-eligible'), { via: 'phone' });
  demo.assertClean();
  await demo.close();
});

test('a number pasted from the clipboard as iOS Contacts copies it, bidi controls, non-breaking hyphen and a line break', async () => {
  const demo = await openHostPage(site.browser, site.server.url);
  await demo.page
    .context()
    .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.server.url });
  await stateIs(demo, 'ready');
  const input = phoneField(demo);
  await input.click();
  await demo.page.evaluate(
    (text) => navigator.clipboard.writeText(text),
    '\u202d+1 (415) 555\u20110011\u202c\n',
  );
  await input.press('ControlOrMeta+V');
  assert.match(await input.inputValue(), /555\u20110011/);
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
  assert.deepEqual(await demo.waitFor('layer-eligible'), { via: 'phone' });
  demo.assertClean();
  await demo.close();
});

test('a date of birth typed in full width after LAYER_NOT_AVAILABLE reaches Link as YYYY-MM-DD', async () => {
  const demo = await openHostPage(site.browser, site.server.url);
  await stateIs(demo, 'ready');
  await phoneField(demo).click();
  await phoneField(demo).pressSequentially('515-555-0015'); // Plaid's profile lacks a date of birth
  await demo.widget.getByRole('button', { name: 'Continue' }).click();
  const dob = demo.widget.getByLabel('Date of birth');
  await dob.waitFor();
  await dob.click();
  await demo.page.keyboard.insertText('\uff10\uff11\uff0f\uff11\uff18\uff0f\uff11\uff19\uff17\uff15'); // ０１／１８／１９７５
  await dob.press('Enter');
  assert.deepEqual(await demo.waitFor('layer-eligible'), { via: 'date_of_birth' });
  demo.assertClean();
  await demo.close();
});
