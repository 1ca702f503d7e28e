// Using the emulator's Link UI as a user does: it is a dialog named "Plaid …" inside the open
// shadow root of a <plaid-link-emulator> host that Link adds to the page.
import { until } from './wait.js';

const HOST = 'plaid-link-emulator';

/** Link's page nodes (one host per handler, from create() to destroy()). */
export function linkHosts(): HTMLElement[] {
  return Array.from(document.querySelectorAll<HTMLElement>(HOST));
}

/** The Link dialog that is showing, if any. */
export function openDialog(): HTMLElement | null {
  for (const host of linkHosts()) {
    const dialog = host.shadowRoot?.querySelector<HTMLElement>('[role=dialog]');
    if (dialog && getComputedStyle(host).display !== 'none' && /Plaid/.test(dialogName(dialog)))
      return dialog;
  }
  return null;
}

function dialogName(dialog: HTMLElement): string {
  const root = dialog.getRootNode() as ShadowRoot;
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
        (button.getAttribute('aria-label') ?? button.textContent ?? '').trim() === name && !button.disabled,
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
    Array.from(openDialog()?.querySelectorAll('input') ?? []).find((input) =>
      Array.from(input.labels ?? []).some((node) => node.textContent?.trim() === label),
    );
  await until(() => find(), `Link shows no "${label}" field`);
  const input = find()!;
  input.focus();
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, data: value }));
}

/** Consent, the one-time code and the review, as a user goes through them. */
export async function shareInLink(code = '123456'): Promise<void> {
  await press('Continue');
  await typeInLink('Verification code', code);
  await press('Verify');
  await press('Share');
}
