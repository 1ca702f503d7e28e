/**
 * What `Plaid.create(config)` returns: `{ open, exit, submit, destroy }` with Plaid's semantics for
 * Layer (LAYER.md §4). The emulator is the source of truth; this drives the UI and the callbacks.
 *
 * Lifecycle: `loading` (session starting; `submit` is dropped, `open` is queued) → `ready`
 * (`submit` answers `LAYER_*`) → `open` (the dialog is up) → `done` (after `onSuccess`/`onExit`).
 * A bad link token ends in `dead`; `destroy()` in `destroyed`.
 */
import type {
  EmulatorLinkSettings,
  LayerEligibilityEvent,
  PlaidHandler,
  PlaidLinkError,
  PlaidLinkOptions,
  PlaidSubmitData,
} from '../../contract/index.js';
import { LinkProtocolClient, type LinkProtocolResult } from '../link-protocol/client.js';
import type { EditedProfile, ErrorResponse, EventTiming, SubmitRequest } from '../link-protocol/messages.js';
import { callSafely, eventMetadata, LinkEvents, type MetadataDetails } from './link-events.js';
import { LinkUi, type UiStep } from './link-ui.js';

type HandlerState = 'loading' | 'ready' | 'open' | 'done' | 'dead' | 'destroyed';
type Step = UiStep['kind'];

const E164 = /^\+[1-9]\d{6,14}$/;
const NOT_READY_MESSAGE = 'Please submit Phone Number before opening Link.';

/** The `status` Plaid reports in `onExit` metadata for the step the user left from. */
const EXIT_STATUS: Partial<Record<Step, string>> = {
  code: 'requires_code',
  review: 'requires_account_selection',
};

/** `view_name` of `TRANSITION_VIEW` for each step. */
const VIEW_NAME: Partial<Record<Step, string>> = {
  consent: 'CONSENT',
  code: 'VERIFY_PHONE',
  review: 'PROFILE_DATA_REVIEW',
  failed: 'ERROR',
};

export function createLinkHandler(
  config: PlaidLinkOptions,
  emulatorUrl: string,
  page: EmulatorLinkSettings,
): PlaidHandler {
  const handler = new LinkHandler(config, new LinkProtocolClient(emulatorUrl), page);
  return {
    open: () => handler.open(),
    exit: (options) => handler.exit(options),
    submit: (data) => handler.submit(data),
    destroy: () => handler.destroy(),
  };
}

class LinkHandler {
  private readonly config: PlaidLinkOptions;
  private readonly client: LinkProtocolClient;
  private readonly ui: LinkUi;
  private readonly events: LinkEvents;
  private readonly timingOverride: EventTiming | undefined;
  private state: HandlerState = 'loading';
  private linkSessionId = '';
  private requestId = '';
  private clientName = '';
  private layer = true;
  private openQueued = false;
  private eligibility: LayerEligibilityEvent | null = null;
  /** Submits run one after another, so their events arrive in call order. */
  private submits: Promise<void> = Promise.resolve();
  private submitsInFlight = 0;
  private step: Step | null = null;
  private phoneNumber = '';
  /** Whether the emulator was told the session opened (then leaving it finishes the session). */
  private opened = false;
  /** The error `onExit` will carry when the user leaves a failed step. */
  private exitError: PlaidLinkError | null = null;

  constructor(config: PlaidLinkOptions, client: LinkProtocolClient, page: EmulatorLinkSettings) {
    this.config = config;
    this.client = client;
    this.events = new LinkEvents(config.onEvent);
    this.timingOverride = config.emulator?.eventTiming ?? page.eventTiming;
    this.events.timing = this.timingOverride ?? 'realtime';
    this.ui = new LinkUi({
      continue: () => this.handleContinue(),
      verify: (code) => void this.handleVerify(code),
      share: (profile, accountIds) => void this.handleShare(profile, accountIds),
      close: () => this.leave(),
      back: () => this.handleBack(),
    });
    // Real Link adds its (hidden) iframe at create time; the emulator adds its hidden dialog host.
    this.ui.attach();
    void this.start();
  }

  submit(data: PlaidSubmitData): void {
    if (this.state === 'loading') {
      console.warn(
        '[Plaid emulator] submit() was called before onLoad and is dropped, as real Link drops it. Call it from onLoad or later.',
      );
      return;
    }
    if (this.state !== 'ready') {
      if (this.state === 'open' || this.state === 'done')
        console.warn(
          `[Plaid emulator] submit() ignored: Link is ${this.state === 'open' ? 'open' : 'finished'}.`,
        );
      return;
    }
    const request = toSubmitRequest(data);
    if (!request) {
      console.error('Plaid Link: submit() takes either { phone_number } or { date_of_birth }, never both.');
      return;
    }
    if ('phone_number' in request && !E164.test(request.phone_number))
      console.warn(
        `[Plaid emulator] phone_number should be E.164 (like +14155550011); got "${request.phone_number}".`,
      );
    this.eligibility = null;
    this.submitsInFlight += 1;
    this.submits = this.submits.then(async () => {
      const result = await this.client.submit(this.linkSessionId, request);
      this.submitsInFlight -= 1;
      if (!this.isAlive()) return;
      if (!this.ok(result)) return;
      this.eligibility = result.data.event;
      this.emit(result.data.event);
    });
  }

  open(): void {
    switch (this.state) {
      case 'loading':
        this.openQueued = true;
        return;
      case 'ready':
        break;
      case 'done':
        console.warn('[Plaid emulator] open() ignored: this Link session has ended. Create a new handler.');
        return;
      default:
        return;
    }
    this.state = 'open';
    if (!this.layer) return this.show({ kind: 'not-layer', clientName: this.clientName });
    // Layer opens only after LAYER_READY (LAYER.md §4.5); Plaid shows this message otherwise.
    if (this.eligibility !== 'LAYER_READY' || this.submitsInFlight > 0) {
      console.warn(`[Plaid emulator] open() before LAYER_READY: "${NOT_READY_MESSAGE}"`);
      return this.show({ kind: 'not-ready', message: NOT_READY_MESSAGE });
    }
    this.show({ kind: 'loading' });
    void this.client.open(this.linkSessionId).then((result) => {
      if (this.state !== 'open') {
        // Closed while loading: the emulator opened the session, so end it there too.
        if (result.ok && this.isAlive()) void this.client.exit(this.linkSessionId, null);
        return;
      }
      if (!this.ok(result)) return;
      this.opened = true;
      this.phoneNumber = result.data.phone_number;
      this.emit('OPEN', { is_update_mode: 'false' });
      this.show({ kind: 'consent', clientName: this.clientName, phoneNumber: this.phoneNumber });
    });
  }

  exit(options: { force?: boolean } = {}): void {
    if (this.state !== 'open') {
      if (!options.force && this.isAlive())
        console.warn('Plaid Link: attempted to exit Link when it was not open.');
      return;
    }
    if (options.force) return this.leave();
    this.emit('TRANSITION_VIEW', { view_name: 'EXIT' });
    this.ui.confirmExit(this.clientName);
  }

  destroy(): void {
    if (this.state === 'destroyed') return;
    this.state = 'destroyed';
    this.ui.hide();
    this.ui.detach();
  }

  private async start(): Promise<void> {
    const result = await this.client.start(this.config.token ?? '');
    if (this.state === 'destroyed') return;
    if (!result.ok) {
      // Link loads either way; a token it cannot use then ends the session through onExit.
      this.linkSessionId = result.error.link_session_id ?? '';
      this.state = 'dead';
      callSafely(this.config.onLoad);
      return this.end(result.error);
    }
    const { data } = result;
    this.linkSessionId = data.link_session_id;
    this.requestId = data.request_id;
    this.clientName = data.client_name;
    this.layer = data.layer;
    this.events.timing = this.timingOverride ?? data.event_timing;
    this.state = 'ready';
    callSafely(this.config.onLoad);
    if (this.openQueued && this.state === 'ready') this.open();
  }

  private handleContinue(): void {
    this.show({ kind: 'code', phoneNumber: this.phoneNumber });
  }

  private async handleVerify(code: string): Promise<void> {
    this.emit('SUBMIT_OTP');
    this.ui.setBusy(true);
    const result = await this.client.verify(this.linkSessionId, code);
    // The user may have closed Link while the code was being checked.
    if (this.state !== 'open' || !this.ok(result)) return;
    const outcome = result.data;
    this.ui.setBusy(false);
    if (outcome.result === 'invalid') {
      this.emit('ERROR', { error: outcome.error });
      const left = outcome.attempts_remaining;
      this.ui.showError(
        `${outcome.error.display_message ?? 'That code is incorrect.'} ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`,
      );
      return;
    }
    if (outcome.result === 'failed') {
      this.exitError = outcome.error;
      this.show({ kind: 'failed', message: outcome.error.display_message ?? outcome.error.error_message });
      this.emit('ERROR', { error: outcome.error });
      return;
    }
    this.show({
      kind: 'review',
      clientName: this.clientName,
      profile: outcome.profile,
      accounts: outcome.accounts,
      accountsRequired: outcome.accounts_required,
    });
    this.emit('VERIFY_PHONE');
  }

  private async handleShare(profile: EditedProfile, accountIds: string[]): Promise<void> {
    this.ui.setBusy(true);
    const result = await this.client.share(this.linkSessionId, { profile, account_ids: accountIds });
    if (this.state !== 'open') return;
    if (!result.ok && result.error.error_code === 'INVALID_FIELD') {
      // The user can fix this one (e.g. no account selected) without leaving the step.
      this.ui.setBusy(false);
      this.ui.showError(result.error.display_message ?? result.error.error_message);
      return;
    }
    if (!this.ok(result)) return;
    const { public_token: publicToken, institution, accounts, request_id: requestId } = result.data;
    this.state = 'done';
    this.ui.hide();
    this.emit('HANDOFF', {
      institution_id: institution?.institution_id ?? null,
      institution_name: institution?.name ?? null,
    });
    const metadata = { institution, accounts, link_session_id: this.linkSessionId };
    this.requestId = requestId;
    this.events.finish(() => callSafely(this.config.onSuccess, publicToken, metadata));
  }

  private handleBack(): void {
    this.emit('TRANSITION_VIEW', { view_name: this.step ? (VIEW_NAME[this.step] ?? null) : null });
    this.ui.cancelConfirm();
  }

  /** The user (or `exit({ force: true })`) leaves Link from whatever step it shows. */
  private leave(): void {
    if (this.state !== 'open') return;
    const status = this.step ? (EXIT_STATUS[this.step] ?? null) : null;
    // Closing the "not ready" notice leaves the handler usable: submit, then open again.
    const reusable = this.step === 'not-ready' || this.step === 'not-layer';
    this.state = reusable ? 'ready' : 'done';
    this.ui.hide();
    if (this.opened) void this.client.exit(this.linkSessionId, status);
    const error = this.exitError;
    this.emit('EXIT', { exit_status: status, error });
    this.events.finish(() =>
      callSafely(this.config.onExit, error, {
        institution: null,
        status,
        link_session_id: this.linkSessionId,
        request_id: this.requestId,
      }),
    );
  }

  /**
   * An answer Link cannot recover from (`INVALID_LINK_TOKEN`, the emulator down or faulted): the
   * session ends with `onExit(error)`, as real Link reports such errors.
   */
  private ok<T>(result: LinkProtocolResult<T>): result is { ok: true; data: T } {
    if (result.ok) {
      const requestId = (result.data as { request_id?: string }).request_id;
      if (requestId) this.requestId = requestId;
      return true;
    }
    this.state = 'dead';
    this.ui.hide();
    this.end(result.error);
    return false;
  }

  private end(error: ErrorResponse): void {
    if (error.request_id) this.requestId = error.request_id;
    const linkError: PlaidLinkError = {
      error_type: error.error_type,
      error_code: error.error_code,
      error_message: error.error_message,
      display_message: error.display_message,
    };
    this.emit('EXIT', { error: linkError });
    this.events.finish(() =>
      callSafely(this.config.onExit, linkError, {
        institution: null,
        status: null,
        link_session_id: this.linkSessionId,
        request_id: this.requestId,
      }),
    );
  }

  private show(step: UiStep): void {
    this.step = step.kind;
    this.ui.show(step);
    const viewName = VIEW_NAME[step.kind];
    if (viewName) this.emit('TRANSITION_VIEW', { view_name: viewName });
  }

  private emit(name: string, details?: MetadataDetails): void {
    this.events.emit(name, eventMetadata(this.linkSessionId, this.requestId, details));
  }

  private isAlive(): boolean {
    return this.state !== 'destroyed' && this.state !== 'dead';
  }
}

function toSubmitRequest(data: PlaidSubmitData): SubmitRequest | null {
  const phone = (data as { phone_number?: unknown }).phone_number;
  const dateOfBirth = (data as { date_of_birth?: unknown }).date_of_birth;
  if (typeof phone === 'string' && dateOfBirth === undefined) return { phone_number: phone };
  if (typeof dateOfBirth === 'string' && phone === undefined) return { date_of_birth: dateOfBirth };
  return null;
}
