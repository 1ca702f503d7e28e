// One Plaid Link handler (`Plaid.create()`) as the flow uses it, with Link's quirks kept here: a
// submit before `onLoad` is dropped by Link, so it waits; real Link warns when `exit()` is called
// while it is closed (react-plaid-link #110), so tear-down exits only an open Link; and after
// `destroy()` nothing reaches the flow any more.
import type {
  LinkTokenResponse,
  PlaidGlobal,
  PlaidHandler,
  PlaidLinkError,
  PlaidLinkOnEventMetadata,
  PlaidLinkOnExitMetadata,
  PlaidLinkOnSuccessMetadata,
  PlaidSubmitData,
} from '../contract/index.js';
import { stringOrNull, type LooseMetadata } from './plaid-link.js';

/** Link's callbacks as the flow receives them. Link may send odd metadata: read it defensively. */
export interface LinkCallbacks {
  onLoad(): void;
  onEvent(eventName: string, metadata: LooseMetadata<PlaidLinkOnEventMetadata>): void;
  onSuccess(publicToken: string, metadata: LooseMetadata<PlaidLinkOnSuccessMetadata>): void;
  onExit(error: LooseMetadata<PlaidLinkError> | null, metadata: LooseMetadata<PlaidLinkOnExitMetadata>): void;
}

export class LinkHandle {
  /** Cancels this handler's requests: its Link token, and the exchange of what it returns. */
  readonly requests = new AbortController();
  /**
   * It replaces a handler whose token Link refused (`INVALID_LINK_TOKEN`). Until Link has answered
   * one of its submits, a refusal of its own token is final: the flow recovers once in a row.
   */
  readonly replacesInvalid: boolean;
  /** Link answered a submit on it: its token works. */
  proven = false;
  /** The Link session, as Link's events and callbacks name it. */
  linkSessionId: string | null = null;
  #token: LinkTokenResponse | null = null;
  #handler: PlaidHandler | null = null;
  #loaded = false;
  #showing = false;
  #destroyed = false;
  /** The submit waiting for `onLoad`: only the last one counts. */
  #queued: PlaidSubmitData | null = null;

  constructor({ replacesInvalid = false }: { replacesInvalid?: boolean } = {}) {
    this.replacesInvalid = replacesInvalid;
  }

  /** The session handle of this handler's Link token, for `POST /session`. */
  get sessionHandle(): string {
    return this.#token?.session_handle ?? '';
  }

  /** Calls `Plaid.create()`; throws what it throws. */
  create(
    plaid: PlaidGlobal,
    token: LinkTokenResponse,
    callbacks: LinkCallbacks,
    receivedRedirectUri?: string,
  ): void {
    this.#token = token;
    const live = () => !this.#destroyed;
    this.#handler = plaid.create({
      token: token.link_token,
      ...(receivedRedirectUri ? { receivedRedirectUri } : {}),
      onLoad: () => {
        this.#loaded = true;
        // onLoad may come inside create(), before `handler` is set: then create() finishes the job.
        if (this.#handler && live()) this.#handleLoad(callbacks);
      },
      onEvent: (eventName, metadata) => {
        if (!live()) return;
        this.linkSessionId = stringOrNull(metadata?.link_session_id) ?? this.linkSessionId;
        callbacks.onEvent(eventName, metadata);
      },
      onSuccess: (publicToken, metadata) => {
        this.#showing = false;
        if (live()) callbacks.onSuccess(publicToken, metadata);
      },
      onExit: (error, metadata) => {
        this.#showing = false;
        if (live()) callbacks.onExit(error, metadata);
      },
    });
    if (this.#loaded && live()) this.#handleLoad(callbacks);
  }

  /** Submits now, or as soon as Link has loaded. */
  submit(data: PlaidSubmitData): void {
    this.#queued = data;
    this.#flush();
  }

  open(): void {
    if (!this.#handler || this.#destroyed) return;
    this.#handler.open();
    this.#showing = true;
  }

  /**
   * Replaced or done: its requests are cancelled and a waiting submit dropped, but Link's late
   * events still come through until {@link destroy}.
   */
  retire(): void {
    this.requests.abort();
    this.#queued = null;
  }

  /** Closes Link if it is showing and destroys it; no callback reaches the flow after this. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.retire();
    const handler = this.#handler;
    this.#handler = null;
    if (!handler) return;
    if (this.#showing) handler.exit({ force: true });
    this.#showing = false;
    handler.destroy();
  }

  #handleLoad(callbacks: LinkCallbacks): void {
    callbacks.onLoad();
    this.#flush();
  }

  #flush(): void {
    const data = this.#queued;
    if (!data || !this.#loaded || !this.#handler || this.#destroyed) return;
    this.#queued = null;
    this.#handler.submit(data);
  }
}
