/**
 * A Link session inside the Link iframe, with Plaid's semantics for Layer (LAYER.md §4): it
 * receives `submit`/`open`/`exit` from the page's handler (framed-handler.ts), drives the UI and
 * the protocol client, and tells the page what to call (`onLoad`, `onEvent`, `onSuccess`,
 * `onExit`). The emulator is the source of truth for eligibility, the code and tokens.
 *
 * Lifecycle: `loading` (session starting) → `ready` (`submit` answers `LAYER_*`) → `open` (the
 * dialog is up) → `done` (after `onSuccess`/`onExit`). A bad link token ends in `dead`. After an
 * OAuth bank sent the user back, the session starts `ready` to be resumed: `open()` finishes it.
 */
import type {
  LayerEligibilityEvent,
  PlaidLinkError,
  PlaidLinkOnEventMetadata,
  PlaidLinkOnExitMetadata,
  PlaidLinkOnSuccessMetadata,
} from '../../contract/index.js';
import type { LinkProtocolClient, LinkProtocolResult } from '../link-protocol/client.js';
import type {
  EditedProfile,
  ErrorResponse,
  EventTiming,
  SharedResponse,
  SubmitRequest,
} from '../link-protocol/messages.js';
import { eventMetadata, LinkEvents, type MetadataDetails } from './link-events.js';
import type { LinkUi, UiStep } from './link-ui.js';

type HandlerState = 'loading' | 'ready' | 'open' | 'done' | 'dead';
type Step = UiStep['kind'];

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
  oauth: 'OAUTH',
  failed: 'ERROR',
};

/** What the session tells the page. */
export interface PageChannel {
  load(): void;
  event(name: string, metadata: PlaidLinkOnEventMetadata): void;
  success(publicToken: string, metadata: PlaidLinkOnSuccessMetadata): void;
  exit(error: PlaidLinkError | null, metadata: PlaidLinkOnExitMetadata): void;
  redirect(url: string): void;
  warn(message: string): void;
}

export interface FrameConfig {
  token: string;
  receivedRedirectUri: string | null;
  eventTiming: EventTiming | null;
}

export class LinkHandler {
  private readonly config: FrameConfig;
  private readonly client: LinkProtocolClient;
  private readonly page: PageChannel;
  private readonly ui: LinkUi;
  private readonly events: LinkEvents;
  private state: HandlerState = 'loading';
  private linkSessionId = '';
  private requestId = '';
  private clientName = '';
  private layer = true;
  /** Back from an OAuth bank: `open()` finishes the session. */
  private resuming = false;
  private eligibility: LayerEligibilityEvent | null = null;
  /** Submits run one after another, so their events arrive in call order. */
  private submits: Promise<void> = Promise.resolve();
  private submitsInFlight = 0;
  private step: Step | null = null;
  private phoneNumber = '';
  /** Whether the emulator was told the session opened (then leaving it finishes the session). */
  private opened = false;
  /**
   * The last error the user met (a wrong code, a failed authentication): `onExit` carries it, as
   * Plaid's does ("the error that was last encountered by the user"; null if none).
   */
  private lastError: PlaidLinkError | null = null;

  constructor(config: FrameConfig, client: LinkProtocolClient, page: PageChannel, ui: LinkUi) {
    this.config = config;
    this.client = client;
    this.page = page;
    this.ui = ui;
    this.events = new LinkEvents((name, metadata) => page.event(name, metadata));
    if (config.eventTiming) this.events.timing = config.eventTiming;
    ui.bind({
      continue: () => this.handleContinue(),
      verify: (code) => void this.handleVerify(code),
      share: (profile, accountIds) => void this.handleShare(profile, accountIds),
      close: () => this.leave(),
      back: () => this.handleBack(),
    });
    void this.start();
  }

  submit(request: SubmitRequest): void {
    if (this.state !== 'ready') {
      if (this.state === 'open' || this.state === 'done')
        this.page.warn(
          `[Plaid emulator] submit() ignored: Link is ${this.state === 'open' ? 'open' : 'finished'}.`,
        );
      return;
    }
    this.eligibility = null;
    this.submitsInFlight += 1;
    this.submits = this.submits.then(async () => {
      const result = await this.client.submit(this.linkSessionId, request);
      this.submitsInFlight -= 1;
      if (this.state === 'dead' || !this.ok(result)) return;
      this.eligibility = result.data.event;
      this.emit(result.data.event);
    });
  }

  open(): void {
    if (this.state === 'done') {
      this.page.warn('[Plaid emulator] open() ignored: this Link session has ended. Create a new handler.');
      return;
    }
    if (this.state !== 'ready') return;
    this.state = 'open';
    if (this.resuming) return void this.resume();
    if (!this.layer) return this.show({ kind: 'not-layer', clientName: this.clientName });
    // Layer opens only after LAYER_READY (LAYER.md §4.5); Plaid shows this message otherwise.
    if (this.eligibility !== 'LAYER_READY' || this.submitsInFlight > 0) {
      this.page.warn(`[Plaid emulator] open() before LAYER_READY: "${NOT_READY_MESSAGE}"`);
      return this.show({ kind: 'not-ready', message: NOT_READY_MESSAGE });
    }
    this.show({ kind: 'loading' });
    void this.client.open(this.linkSessionId).then((result) => {
      if (this.state !== 'open') {
        // Closed while loading: the emulator opened the session, so end it there too.
        if (result.ok && this.state !== 'dead') void this.client.exit(this.linkSessionId, null);
        return;
      }
      if (!this.ok(result)) return;
      this.opened = true;
      this.phoneNumber = result.data.phone_number;
      this.emit('OPEN', { is_update_mode: 'false' });
      this.show({ kind: 'consent', clientName: this.clientName, phoneNumber: this.phoneNumber });
    });
  }

  exit(force: boolean): void {
    if (this.state !== 'open') {
      if (!force && this.state !== 'dead')
        this.page.warn('Plaid Link: attempted to exit Link when it was not open.');
      return;
    }
    if (force) return this.leave();
    this.emit('TRANSITION_VIEW', { view_name: 'EXIT' });
    this.ui.confirmExit(this.clientName);
  }

  private async start(): Promise<void> {
    const result = await this.client.start(this.config.token, this.config.receivedRedirectUri);
    if (!result.ok) {
      // Link loads either way; a token it cannot use then ends the session through onExit.
      this.linkSessionId = result.error.link_session_id ?? '';
      this.state = 'dead';
      this.page.load();
      return this.end(result.error);
    }
    const { data } = result;
    this.linkSessionId = data.link_session_id;
    this.requestId = data.request_id;
    this.clientName = data.client_name;
    this.layer = data.layer;
    this.resuming = data.oauth_resume;
    if (!this.config.eventTiming) this.events.timing = data.event_timing;
    this.state = 'ready';
    this.page.load();
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
      this.lastError = outcome.error;
      this.emit('ERROR', { error: outcome.error });
      const left = outcome.attempts_remaining;
      this.ui.showError(
        `${outcome.error.display_message ?? 'That code is incorrect.'} ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`,
      );
      return;
    }
    if (outcome.result === 'failed') {
      this.lastError = outcome.error;
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
      showEmail: outcome.returns_email,
    });
    this.emit('VERIFY_PHONE');
  }

  private async handleShare(profile: EditedProfile, accountIds: string[]): Promise<void> {
    this.ui.setBusy(true);
    const result = await this.client.share(this.linkSessionId, { profile, account_ids: accountIds });
    if (this.state !== 'open') return;
    if (!result.ok && result.error.error_code === 'INVALID_FIELD' && result.error.display_message) {
      // The user can fix this one (e.g. no account selected) without leaving the step.
      this.ui.setBusy(false);
      this.ui.showError(result.error.display_message);
      return;
    }
    if (!this.ok(result)) return;
    if (result.data.result === 'shared') return this.succeed(result.data);
    // An OAuth bank: Link sends the whole page there; the partner re-creates the handler on return.
    const { institution, redirect_url: url } = result.data;
    this.show({ kind: 'oauth', institutionName: institution.name });
    this.emit('OPEN_OAUTH', {
      institution_id: institution.institution_id,
      institution_name: institution.name,
    });
    this.page.redirect(url);
  }

  /** Back from the OAuth bank and opened again: finish the session as the user shared it. */
  private async resume(): Promise<void> {
    this.show({ kind: 'loading' });
    const result = await this.client.resume(this.linkSessionId);
    if (this.state !== 'open' || !this.ok(result)) return;
    this.succeed(result.data);
  }

  private succeed({
    public_token: publicToken,
    institution,
    accounts,
    request_id: requestId,
  }: SharedResponse): void {
    this.state = 'done';
    this.ui.hide();
    this.emit('HANDOFF', {
      institution_id: institution?.institution_id ?? null,
      institution_name: institution?.name ?? null,
    });
    const metadata = { institution, accounts, link_session_id: this.linkSessionId };
    this.requestId = requestId;
    this.events.finish(() => this.page.success(publicToken, metadata));
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
    const error = this.lastError;
    this.emit('EXIT', { exit_status: status, error });
    this.events.finish(() =>
      this.page.exit(error, {
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
    this.lastError = linkError;
    this.emit('EXIT', { error: linkError });
    this.events.finish(() =>
      this.page.exit(linkError, {
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
}
