// A small test double of Plaid Link's web SDK, for what the emulator's real Link script cannot
// produce on demand: a handler that never loads, `onSuccess` twice, events out of order,
// `INVALID_LINK_TOKEN`, a token refresh hours later, a `Plaid.create()` that throws. Tests drive
// it by hand. Its tokens are real ones from the backend; a public token for `succeed()` comes from
// the emulator (support/backend.ts `publicTokenFor`).
import { expect } from '@open-wc/testing';

import type {
  PlaidGlobal,
  PlaidHandler,
  PlaidLinkError,
  PlaidLinkOnEventMetadata,
  PlaidLinkOptions,
  PlaidSubmitData,
} from '../../../contract/index.js';
import { detachAll } from './element.js';

const registry: FakePlaid[] = [];

/** After each test: every element the test attached detached, and no fake Link handler left. */
export function detachAllAfterEach(): void {
  afterEach(async () => {
    await detachAll();
    expect(
      document.querySelectorAll('[data-fake-plaid-link]'),
      'a Link handler was left behind',
    ).to.have.length(0);
  });
}

export class FakePlaid implements PlaidGlobal {
  readonly handlers: FakeHandler[] = [];
  /** Whether handlers call `onLoad` by themselves, a macrotask after `create()`. */
  autoLoad = true;
  /** Thrown by `create()`, as a broken Link script might. */
  createError: Error | null = null;
  /** Thrown by the handlers' `open()`. */
  openError: Error | null = null;

  constructor() {
    registry.push(this);
    (globalThis as { fakePlaids?: FakePlaid[] }).fakePlaids = registry;
  }

  /** The handler created last. */
  get last(): FakeHandler {
    const handler = this.handlers.at(-1);
    if (!handler) throw new Error('Plaid.create() was never called');
    return handler;
  }

  /**
   * A classic script, as a blob: URL, that installs this fake as `window.Plaid` — so the widget's
   * own script loader loads it like Link's. A new URL each call.
   */
  scriptUrl(): string {
    const source = `window.Plaid = window.fakePlaids[${registry.indexOf(this)}];`;
    return URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  }

  create(config: PlaidLinkOptions): FakeHandler {
    if (this.createError) throw this.createError;
    const handler = new FakeHandler(config, this.handlers.length + 1, this);
    this.handlers.push(handler);
    if (this.autoLoad) setTimeout(() => handler.load(), 0);
    return handler;
  }
}

export class FakeHandler implements PlaidHandler {
  readonly submitted: PlaidSubmitData[] = [];
  readonly exitCalls: ({ force?: boolean } | undefined)[] = [];
  readonly linkSessionId: string;
  opened = 0;
  loaded = false;
  destroyed = false;
  /** Stands for Link's iframe: in the page from `create()` until `destroy()`. */
  readonly node: HTMLElement;

  constructor(
    readonly config: PlaidLinkOptions,
    readonly index: number,
    private readonly plaid: FakePlaid,
  ) {
    this.linkSessionId = `link-session-${index}-${crypto.randomUUID()}`;
    this.node = document.createElement('div');
    this.node.dataset.fakePlaidLink = String(config.token);
    this.node.hidden = true;
    document.body.append(this.node);
  }

  /** The Link token it was created with. */
  get token(): string {
    return String(this.config.token);
  }

  // ── driven by tests ──

  load(): void {
    if (this.destroyed || this.loaded) return;
    this.loaded = true;
    this.config.onLoad?.();
  }

  /** `onEvent` with Link's full metadata shape (every key present, mostly null). */
  event(eventName: string, extra: Partial<PlaidLinkOnEventMetadata> = {}): void {
    this.config.onEvent?.(eventName, {
      account_number_mask: null,
      error_type: null,
      error_code: null,
      error_message: null,
      exit_status: null,
      institution_id: null,
      institution_name: null,
      institution_search_query: null,
      is_update_mode: 'no',
      match_reason: null,
      mfa_type: null,
      routing_number: null,
      selection: null,
      view_name: null,
      timestamp: new Date().toISOString(),
      link_session_id: this.linkSessionId,
      request_id: `req-event-${this.index}`,
      ...extra,
    });
  }

  succeed(publicToken: string): void {
    this.config.onSuccess(publicToken, {
      link_session_id: this.linkSessionId,
      institution: null,
      accounts: [],
    });
  }

  exitWith(
    error: Pick<PlaidLinkError, 'error_code'> & Partial<PlaidLinkError>,
    status: string | null = null,
  ): void {
    this.config.onExit?.(
      {
        error_type: 'INVALID_INPUT',
        error_message: error.error_code.toLowerCase().replaceAll('_', ' '),
        display_message: null,
        ...error,
      },
      {
        institution: null,
        status,
        link_session_id: this.linkSessionId,
        request_id: `req-exit-${this.index}`,
      },
    );
  }

  /** The user closes Link. */
  close(): void {
    this.config.onExit?.(null, {
      institution: null,
      status: null,
      link_session_id: this.linkSessionId,
      request_id: `req-exit-${this.index}`,
    });
  }

  // ── Plaid's handler interface ──

  open(): void {
    if (this.plaid.openError) throw this.plaid.openError;
    this.opened += 1;
  }

  exit(options?: { force?: boolean }): void {
    this.exitCalls.push(options);
    this.close();
  }

  submit(data: PlaidSubmitData): void {
    this.submitted.push(data);
  }

  destroy(): void {
    this.destroyed = true;
    this.node.remove();
  }
}
