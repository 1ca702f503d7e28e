// Using the emulator's Link UI as a user does. As real Link's, it is drawn in an iframe
// (`iframe[title="Plaid Link"]`, one per handler from create() to destroy()) that the page shows
// while Link is open; inside it is a dialog named "Plaid …". Under web-test-runner the emulator is
// on the test page's origin, so the iframe's document is reachable through `contentDocument`.
import { until } from './wait.js';

const FRAME = 'iframe[title="Plaid Link"]';

/** Link's iframes in the page (one per handler, from create() to destroy()). */
export function linkHosts(): HTMLIFrameElement[] {
  return Array.from(document.querySelectorAll<HTMLIFrameElement>(FRAME));
}

/** The Link dialog that is showing, if any: in a shown iframe, visible, named "Plaid …". */
export function openDialog(): HTMLElement | null {
  for (const frame of linkHosts()) {
    if (getComputedStyle(frame).display === 'none') continue;
    const inner = frame.contentDocument;
    const dialog = inner?.querySelector<HTMLElement>('[role=dialog]');
    if (dialog && dialog.checkVisibility() && /Plaid/.test(dialogName(dialog))) return dialog;
  }
  return null;
}

function dialogName(dialog: HTMLElement): string {
  const root = dialog.ownerDocument;
  return (dialog.getAttribute('aria-labelledby') ?? '')
    .split(/\s+/)
    .map((id) => root.getElementById(id)?.textContent ?? '')
    .join(' ');
}

function buttonNamed(name: string): HTMLButtonElement | null {
  const dialog = openDialog();
  if (!dialog) return null;
  return (
    Array.from(dialog.querySelectorAll('button')).find(
      (button) =>
        (button.getAttribute('aria-label') ?? button.textContent ?? '').trim() === name &&
        !button.disabled &&
        button.checkVisibility(),
    ) ?? null
  );
}

/** Waits for the Link dialog to offer a button, and presses it. */
export async function press(name: string): Promise<void> {
  await until(() => buttonNamed(name), `Link shows no "${name}" button`);
  buttonNamed(name)!.click();
}

/** Types into the field labelled `label` in the Link dialog. */
export async function typeInLink(label: string, value: string): Promise<void> {
  const find = () =>
    Array.from(openDialog()?.querySelectorAll('input') ?? []).find(
      (input) =>
        !input.disabled && Array.from(input.labels ?? []).some((node) => node.textContent?.trim() === label),
    );
  await until(() => find(), `Link shows no "${label}" field`);
  const input = find()!;
  input.focus();
  input.value = value;
  // An event of the iframe's own window, as the browser would make it there.
  const View = (input.ownerDocument.defaultView ?? window) as typeof window;
  input.dispatchEvent(new View.InputEvent('input', { bubbles: true, composed: true, data: value }));
}

/** Consent, the one-time code and the review, as a user goes through them. */
export async function shareInLink(code = '123456'): Promise<void> {
  await press('Continue');
  await typeInLink('Verification code', code);
  await press('Verify');
  await press('Share');
}
