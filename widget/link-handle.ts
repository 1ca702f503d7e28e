// One Plaid Link handler (`Plaid.create()`) as the flow uses it, with Link's quirks kept here: a
// submit before `onLoad` is dropped by Link, so it waits; real Link warns when `exit()` is called
// while it is closed (react-plaid-link #110), so tear-down exits only an open Link; and after
// `destroy()` nothing reaches the flow any more.
import type {
  PlaidGlobal,
  PlaidHandler,
  PlaidLinkError,
  PlaidLinkOnEventMetadata,
  PlaidLinkOnExitMetadata,
  PlaidLinkOnSuccessMetadata,
  PlaidSubmitData,
} from '../contract/index.js';
import type { ReceivedLinkToken } from './api-client.js';
import { stringOrNull, type LooseMetadata } from './plaid-link.js';

/** Link's callbacks as the flow receives them. Link may send odd metadata: read it defensively. */
export interface LinkCallbacks {
  onLoad(): void;
  onEvent(eventName: string, metadata: LooseMetadata<PlaidLinkOnEventMetadata>): void;
  onSuccess(publicToken: string, metadata: LooseMetadata<PlaidLinkOnSuccessMetadata>): void;
  onExit(error: LooseMetadata<PlaidLinkError> | null, metadata: LooseMetadata<PlaidLinkOnExitMetadata>): void;
}

/** A Plaid Link handler and what the flow knows of it; {@link createLinkHandle} makes one. */
export interface LinkHandle {
  /** Cancels this handler's requests: its Link token, and the exchange of what it returns. */
  readonly requests: AbortController;
  /**
   * It replaces a handler whose token Link refused (`INVALID_LINK_TOKEN`). Until Link has answered
   * one of its submits, a refusal of its own token is final: the flow recovers once in a row.
   */
  readonly replacesInvalid: boolean;
  /** Link answered a submit on it: its token works. */
  proven: boolean;
  /** The Link session, as Link's events and callbacks name it. */
  linkSessionId: string | null;
  /** The `/link-token` answer it was created with (set by {@link create}). */
  token: ReceivedLinkToken | null;
  /** The session handle of this handler's Link token, for `POST /session`. */
  readonly sessionHandle: string;
  /** Calls `Plaid.create()`; throws what it throws. */
  create(
    plaid: PlaidGlobal,
    token: ReceivedLinkToken,
    callbacks: LinkCallbacks,
    receivedRedirectUri?: string,
  ): void;
  /** Submits now, or as soon as Link has loaded. */
  submit(data: PlaidSubmitData): void;
  open(): void;
  /**
   * Replaced or done: its requests are cancelled and a waiting submit dropped, but Link's late
   * events still come through until {@link destroy}.
   */
  retire(): void;
  /** Closes Link if it is showing and destroys it; no callback reaches the flow after this. */
  destroy(): void;
}

export function createLinkHandle({
  replacesInvalid = false,
}: { replacesInvalid?: boolean } = {}): LinkHandle {
  let handler: PlaidHandler | null = null;
  let loaded = false;
  let showing = false;
  let destroyed = false;
  /** The submit waiting for `onLoad`: only the last one counts. */
  let queued: PlaidSubmitData | null = null;

  const flush = (): void => {
    const data = queued;
    if (!data || !loaded || !handler || destroyed) return;
    queued = null;
    handler.submit(data);
  };

  const handleLoad = (callbacks: LinkCallbacks): void => {
    callbacks.onLoad();
    flush();
  };

  const link: LinkHandle = {
    requests: new AbortController(),
    replacesInvalid,
    proven: false,
    linkSessionId: null,
    token: null,
    get sessionHandle() {
      return link.token?.session_handle ?? '';
    },
    create(plaid, linkToken, callbacks, receivedRedirectUri) {
      link.token = linkToken;
      handler = plaid.create({
        token: linkToken.link_token,
        ...(receivedRedirectUri ? { receivedRedirectUri } : {}),
        onLoad: () => {
          loaded = true;
          // onLoad may come inside create(), before `handler` is set: then create() finishes the job.
          if (handler && !destroyed) handleLoad(callbacks);
        },
        onEvent: (eventName, metadata) => {
          if (destroyed) return;
          link.linkSessionId = stringOrNull(metadata?.link_session_id) ?? link.linkSessionId;
          callbacks.onEvent(eventName, metadata);
        },
        onSuccess: (publicToken, metadata) => {
          showing = false;
          if (!destroyed) callbacks.onSuccess(publicToken, metadata);
        },
        onExit: (error, metadata) => {
          showing = false;
          if (!destroyed) callbacks.onExit(error, metadata);
        },
      });
      if (loaded && !destroyed) handleLoad(callbacks);
    },
    submit(data) {
      queued = data;
      flush();
    },
    open() {
      if (!handler || destroyed) return;
      handler.open();
      showing = true;
    },
    retire() {
      link.requests.abort();
      queued = null;
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      link.retire();
      const created = handler;
      handler = null;
      if (!created) return;
      if (showing) created.exit({ force: true });
      showing = false;
      created.destroy();
    },
  };
  return link;
}
