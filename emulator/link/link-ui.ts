/**
 * The Link UI: a modal dialog (accessible name "Plaid …"), the whole document of the Link iframe.
 * It renders steps and reports what the user did; the handler decides what happens next.
 *
 * Keyboard: the dialog takes focus once the page has shown and focused the iframe (`shown()`), Tab
 * stays inside, Escape closes. The page gives focus back when the iframe hides.
 */
import { h, svg } from './dom.js';
import type { EditedProfile, ReviewAccount, ReviewProfile } from '../link-protocol/messages.js';

export interface LinkUiActions {
  continue: () => void;
  verify: (code: string) => void;
  share: (profile: EditedProfile, accountIds: string[]) => void;
  /** The Close button, Escape, or an Exit button. */
  close: () => void;
  /** "Go back" on the exit confirmation. */
  back: () => void;
}

/** Asks the page to show or hide the iframe. */
export interface LinkUiVisibility {
  show: () => void;
  hide: () => void;
}

export type UiStep =
  | { kind: 'loading' }
  | { kind: 'consent'; clientName: string; phoneNumber: string }
  | { kind: 'code'; phoneNumber: string }
  | {
      kind: 'review';
      clientName: string;
      profile: ReviewProfile;
      accounts: ReviewAccount[];
      accountsRequired: boolean;
      /** Plaid does not return email yet: the field shows only when the emulator returns it. */
      showEmail: boolean;
    }
  | { kind: 'oauth'; institutionName: string }
  | { kind: 'failed'; message: string }
  | { kind: 'not-ready'; message: string }
  | { kind: 'not-layer'; clientName: string };

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** A 24×24 icon, hidden from assistive technology; a new element each call. */
const icon =
  (attributes: Record<string, string>, ...shapes: Array<() => SVGElement>) =>
  (): SVGSVGElement =>
    svg(
      'svg',
      { viewBox: '0 0 24 24', 'aria-hidden': 'true', fill: 'currentColor', ...attributes },
      ...shapes.map((shape) => shape()),
    );
const path = (d: string) => () => svg('path', { d });
const TILES = ['4', '9.8', '15.6'];

/** A tartan-like mark: nine tilted tiles. Not Plaid's logo, just a nod to it. */
const plaidMark = icon({}, () =>
  svg(
    'g',
    { transform: 'rotate(45 12 12)' },
    ...TILES.flatMap((y) => TILES.map((x) => svg('rect', { x, y, width: '4.4', height: '4.4', rx: '1' }))),
  ),
);
const closeIcon = icon(
  { fill: 'none', stroke: 'currentColor', 'stroke-width': '2.2', 'stroke-linecap': 'round' },
  path('M6 6l12 12M18 6 6 18'),
);
const lockIcon = icon(
  {},
  path(
    'M12 2a5 5 0 0 0-5 5v3H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-8a2 2 0 0 0-2-2h-1V7a5 5 0 0 0-5-5Zm-3 8V7a3 3 0 1 1 6 0v3H9Z',
  ),
);
const boltIcon = icon({}, path('M13 2 4 14h7l-1 8 9-12h-7l1-8Z'));
const shieldIcon = icon({}, path('M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3Z'));

const NO_ACTIONS: LinkUiActions = {
  continue: () => {},
  verify: () => {},
  share: () => {},
  close: () => {},
  back: () => {},
};

export class LinkUi {
  private readonly root: HTMLElement;
  private readonly backdrop: HTMLDivElement;
  private readonly dialog: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly confirm: HTMLDivElement;
  private readonly visibility: LinkUiVisibility;
  private actions: LinkUiActions = NO_ACTIONS;
  private current: HTMLElement | null = null;
  private busy = false;
  private visible = false;
  /** The page has shown and focused the iframe: focus may move inside it. */
  private focusable = false;

  constructor(root: HTMLElement, visibility: LinkUiVisibility) {
    this.root = root;
    this.visibility = visibility;
    this.body = h('div', { class: 'body' });
    this.confirm = h('div', { class: 'body', hidden: true });
    const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close' }, closeIcon());
    close.addEventListener('click', () => this.actions.close());
    this.dialog = h(
      'div',
      {
        class: 'dialog',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'brand title',
        tabindex: '-1',
      },
      h(
        'div',
        { class: 'bar' },
        h('span', { id: 'brand', class: 'brand' }, plaidMark(), 'Plaid'),
        h('span', { class: 'badge' }, 'Emulator'),
        close,
      ),
      this.body,
      this.confirm,
      h('div', { class: 'footer' }, lockIcon(), 'Secured by Plaid · offline emulator'),
    );
    this.dialog.addEventListener('keydown', this.handleKeydown);
    this.backdrop = h('div', { class: 'backdrop', hidden: true }, this.dialog);
    this.root.replaceChildren(this.backdrop);
  }

  /** Where the user's actions go. */
  bind(actions: LinkUiActions): void {
    this.actions = actions;
  }

  /** The page shows the iframe and has focused it: focus the step. */
  shown(): void {
    if (!this.visible) return;
    this.focusable = true;
    this.focusStep(this.confirm.hidden ? this.body : this.confirm);
  }

  show(step: UiStep): void {
    if (!this.visible) {
      this.visible = true;
      this.focusable = false;
      this.backdrop.hidden = false;
      this.visibility.show();
    }
    this.busy = false;
    this.confirm.hidden = true;
    this.body.hidden = false;
    this.dialog.setAttribute('aria-labelledby', 'brand title');
    this.current = this.render(step);
    this.body.replaceChildren(this.current);
    this.focusStep(this.body);
  }

  /** The exit confirmation, over the current step so going back keeps what the user typed. */
  confirmExit(clientName: string): void {
    const exit = h('button', { type: 'button', class: 'primary' }, 'Exit');
    const back = h('button', { type: 'button', class: 'secondary' }, 'Go back');
    exit.addEventListener('click', () => this.actions.close());
    back.addEventListener('click', () => this.actions.back());
    this.confirm.replaceChildren(
      h(
        'div',
        { class: 'pane' },
        h('h2', { id: 'confirm-title', tabindex: '-1' }, 'Are you sure you want to exit?'),
        h('p', { class: 'muted' }, `Your information will not be shared with ${clientName}.`),
        exit,
        back,
      ),
    );
    this.body.hidden = true;
    this.confirm.hidden = false;
    this.dialog.setAttribute('aria-labelledby', 'brand confirm-title');
    this.focusStep(this.confirm);
  }

  cancelConfirm(): void {
    this.confirm.hidden = true;
    this.body.hidden = false;
    this.dialog.setAttribute('aria-labelledby', 'brand title');
    this.focusStep(this.body);
  }

  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.focusable = false;
    this.backdrop.hidden = true;
    this.body.replaceChildren();
    this.confirm.replaceChildren();
    this.visibility.hide();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.current?.setAttribute('aria-busy', String(busy));
    this.current?.querySelectorAll<HTMLButtonElement>('button.primary').forEach((button) => {
      button.disabled = busy;
    });
  }

  /** A message in the current step's alert region (read out by screen readers). */
  showError(message: string): void {
    const alert = this.current?.querySelector<HTMLElement>('[role="alert"]');
    if (alert) alert.textContent = message;
  }

  private render(step: UiStep): HTMLElement {
    switch (step.kind) {
      case 'loading':
        return h(
          'div',
          { class: 'pane', 'aria-busy': 'true' },
          h('h2', { id: 'title', tabindex: '-1' }, 'Loading'),
          h('div', { class: 'spinner' }),
        );
      case 'consent':
        return this.renderConsent(step.clientName, step.phoneNumber);
      case 'code':
        return this.renderCode(step.phoneNumber);
      case 'review':
        return this.renderReview(step);
      case 'oauth':
        return h(
          'div',
          { class: 'pane', 'aria-busy': 'true' },
          h('h2', { id: 'title', tabindex: '-1' }, `Taking you to ${step.institutionName}`),
          h(
            'p',
            { class: 'muted' },
            'Log in at your bank to share your account, then you will come back here.',
          ),
          h('div', { class: 'spinner' }),
        );
      case 'failed':
        return this.renderMessage("We couldn't verify it's you", step.message);
      case 'not-ready':
        return this.renderMessage('Link is not ready', step.message);
      case 'not-layer':
        return this.renderMessage(
          'Bank linking is not emulated',
          `This link token starts Plaid's ordinary bank-linking flow, which the emulator does not reproduce. Exit to return to ${step.clientName}.`,
        );
    }
  }

  private renderConsent(clientName: string, phoneNumber: string): HTMLElement {
    const button = h('button', { type: 'button', class: 'primary' }, 'Continue');
    button.addEventListener('click', () => this.actions.continue());
    const point = (drawIcon: () => SVGElement, title: string, text: string) =>
      h(
        'li',
        {},
        h('span', { class: 'icon' }, drawIcon()),
        h('span', {}, h('strong', {}, title), h('span', { class: 'muted small' }, text)),
      );
    return h(
      'div',
      { class: 'pane' },
      h(
        'div',
        { class: 'logos', 'aria-hidden': 'true' },
        h('span', { class: 'logo-tile partner' }, clientName.slice(0, 1).toUpperCase()),
        h('span', { class: 'dots' }, '•••'),
        h('span', { class: 'logo-tile' }, plaidMark()),
      ),
      h('h2', { id: 'title', tabindex: '-1' }, `${clientName} uses Plaid to fill in your details`),
      h(
        'p',
        { class: 'muted' },
        'We found a Plaid profile for ',
        h('strong', {}, formatPhone(phoneNumber)),
        '.',
      ),
      h(
        'ul',
        { class: 'points' },
        point(boltIcon, 'Fast', 'Share your saved details and bank account in a few taps.'),
        point(shieldIcon, 'Private', `Nothing is shared with ${clientName} until you review it.`),
      ),
      h('p', { class: 'legal' }, 'By selecting "Continue" you agree to the Plaid End User Privacy Policy.'),
      button,
    );
  }

  private renderCode(phoneNumber: string): HTMLElement {
    const input = h('input', {
      id: 'code',
      name: 'code',
      type: 'text',
      class: 'code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      maxlength: '6',
      'aria-describedby': 'code-hint code-error',
    });
    const form = h(
      'form',
      { novalidate: true },
      h('label', { for: 'code' }, 'Verification code'),
      input,
      h('p', { id: 'code-hint', class: 'hint' }, 'Emulator: the code is always 123456.'),
      h('p', { id: 'code-error', class: 'error', role: 'alert' }),
      h('button', { type: 'submit', class: 'primary' }, 'Verify'),
    );
    // The label is a sibling of the input (not its parent), so `for` does the labelling.
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.busy) return;
      if (!/^\d{6}$/.test(input.value.trim())) {
        this.showError('Enter the 6-digit code.');
        input.focus();
        return;
      }
      this.actions.verify(input.value.trim());
    });
    return h(
      'div',
      { class: 'pane' },
      h('h2', { id: 'title', tabindex: '-1' }, 'Verify your phone number'),
      h(
        'p',
        { class: 'muted' },
        'Enter the code we sent to ',
        h('strong', {}, formatPhone(phoneNumber)),
        '.',
      ),
      form,
    );
  }

  private renderReview(step: Extract<UiStep, { kind: 'review' }>): HTMLElement {
    const { profile, accounts } = step;
    const field = (
      id: string,
      label: string,
      value: string | null | undefined,
      type = 'text',
      autocomplete = '',
    ) => h('label', { for: id }, label, h('input', { id, name: id, type, value: value ?? '', autocomplete }));
    const form = h(
      'form',
      { novalidate: true },
      h(
        'fieldset',
        {},
        h('legend', {}, 'Name'),
        h(
          'div',
          { class: 'row' },
          field('first-name', 'First name', profile.name?.first_name, 'text', 'given-name'),
          field('last-name', 'Last name', profile.name?.last_name, 'text', 'family-name'),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Contact'),
        step.showEmail && field('email', 'Email', profile.email, 'email', 'email'),
        h(
          'div',
          { class: 'readonly' },
          h('span', {}, 'Phone'),
          h('span', {}, formatPhone(profile.phone_number)),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Personal'),
        field('date-of-birth', 'Date of birth', profile.date_of_birth, 'date', 'bday'),
        h(
          'div',
          { class: 'readonly' },
          h('span', {}, 'Social Security number'),
          h('span', {}, profile.ssn_last_4 ? `•••-••-${profile.ssn_last_4}` : 'Not on file'),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Address'),
        field('street', 'Street address', profile.address?.street, 'text', 'address-line1'),
        field('street2', 'Apartment, suite, etc.', profile.address?.street2, 'text', 'address-line2'),
        h(
          'div',
          { class: 'row three' },
          field('city', 'City', profile.address?.city, 'text', 'address-level2'),
          field('region', 'State', profile.address?.region, 'text', 'address-level1'),
          field('postal-code', 'ZIP code', profile.address?.postal_code, 'text', 'postal-code'),
        ),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Bank account'),
        accounts.length === 0
          ? h('p', { class: 'muted small' }, 'No bank accounts to share.')
          : h(
              'div',
              { class: 'accounts' },
              ...accounts.map((account, index) =>
                h(
                  'label',
                  { class: 'account' },
                  h('input', { type: 'checkbox', name: 'account', value: account.id, checked: index === 0 }),
                  h(
                    'span',
                    {},
                    `${account.name} ••${account.mask}`,
                    h('span', { class: 'bank' }, account.institution_name),
                  ),
                ),
              ),
            ),
      ),
      // Kept in view while the user scrolls through the profile.
      h(
        'div',
        { class: 'actions' },
        h('p', { class: 'error', role: 'alert' }),
        h('button', { type: 'submit', class: 'primary' }, 'Share'),
      ),
    );
    // Checkboxes start checked through the property: the attribute alone is not read back reliably.
    form.querySelectorAll<HTMLInputElement>('input[name="account"]').forEach((box, index) => {
      box.checked = index === 0;
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.busy) return;
      const value = (id: string) => form.querySelector<HTMLInputElement>(`#${id}`)?.value ?? '';
      const accountIds = [...form.querySelectorAll<HTMLInputElement>('input[name="account"]:checked')].map(
        (box) => box.value,
      );
      if (step.accountsRequired && accountIds.length === 0) {
        this.showError(`Select an account to share with ${step.clientName}.`);
        return;
      }
      this.actions.share(
        {
          name: { first_name: value('first-name'), last_name: value('last-name') },
          email: step.showEmail ? value('email') : null,
          date_of_birth: value('date-of-birth'),
          address: {
            street: value('street'),
            street2: value('street2'),
            city: value('city'),
            region: value('region'),
            postal_code: value('postal-code'),
            country: profile.address?.country ?? 'US',
          },
        },
        accountIds,
      );
    });
    return h(
      'div',
      { class: 'pane' },
      h('h2', { id: 'title', tabindex: '-1' }, 'Review your information'),
      h('p', { class: 'muted' }, `${step.clientName} will receive what you share. You can edit it first.`),
      form,
    );
  }

  private renderMessage(title: string, message: string): HTMLElement {
    const button = h('button', { type: 'button', class: 'primary' }, 'Exit');
    button.addEventListener('click', () => this.actions.close());
    return h(
      'div',
      { class: 'pane' },
      h('h2', { id: 'title', tabindex: '-1' }, title),
      h('p', { class: 'muted', role: 'alert' }, message),
      button,
    );
  }

  /** The code box gets focus (the user's next move is to type); otherwise the step's heading. */
  private focusStep(container: HTMLElement): void {
    if (!this.focusable) return;
    const target =
      container.querySelector<HTMLElement>('input.code') ?? container.querySelector<HTMLElement>('h2');
    (target ?? this.dialog).focus();
  }

  private readonly handleKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.actions.close();
      return;
    }
    if (event.key !== 'Tab') return;
    const focusable = [...this.dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (element) => element.offsetParent !== null,
    );
    if (focusable.length === 0) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !this.dialog.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  };
}

/** +14155550011 → (415) 555-0011; other numbers as given. */
export function formatPhone(phoneNumber: string): string {
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phoneNumber);
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : phoneNumber;
}
