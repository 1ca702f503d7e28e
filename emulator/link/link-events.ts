/**
 * `onEvent` metadata and timing, in the Link iframe: metadata with every documented key (LAYER.md
 * §4.3), and the timing rule of LAYER.md §4.4 — `OPEN` and the `LAYER_*` eligibility events are
 * real-time; the rest may arrive late, in a batch, before or after `onSuccess`/`onExit` (see
 * `EventTiming`). Events go to the page as messages, which keep their order.
 */
import {
  REALTIME_LINK_EVENTS,
  type PlaidLinkError,
  type PlaidLinkOnEventMetadata,
} from '../../contract/index.js';
import type { EventTiming } from '../link-protocol/messages.js';

const REALTIME_EVENTS = new Set(REALTIME_LINK_EVENTS);

export type MetadataDetails = Partial<
  Omit<PlaidLinkOnEventMetadata, 'timestamp' | 'link_session_id' | 'request_id' | keyof PlaidLinkError>
> & { error?: PlaidLinkError | null };

export function eventMetadata(
  linkSessionId: string,
  requestId: string,
  { error, ...details }: MetadataDetails = {},
): PlaidLinkOnEventMetadata {
  return {
    account_number_mask: null,
    error_type: error?.error_type ?? null,
    error_code: error?.error_code ?? null,
    error_message: error?.error_message ?? null,
    exit_status: null,
    institution_id: null,
    institution_name: null,
    institution_search_query: null,
    is_update_mode: null,
    match_reason: null,
    mfa_type: null,
    routing_number: null,
    view_name: null,
    selection: null,
    ...details,
    timestamp: new Date().toISOString(),
    link_session_id: linkSessionId,
    request_id: requestId,
  };
}

export class LinkEvents {
  private held: Array<[string, PlaidLinkOnEventMetadata]> = [];
  private readonly deliver: (name: string, metadata: PlaidLinkOnEventMetadata) => void;
  timing: EventTiming = 'batched-after-callback';

  constructor(deliver: (name: string, metadata: PlaidLinkOnEventMetadata) => void) {
    this.deliver = deliver;
  }

  emit(name: string, metadata: PlaidLinkOnEventMetadata): void {
    if (this.timing === 'realtime' || REALTIME_EVENTS.has(name)) this.deliver(name, metadata);
    else this.held.push([name, metadata]);
  }

  /** Runs the session's final callback (`onSuccess`/`onExit`) with the held events around it. */
  finish(callback: () => void): void {
    if (this.timing === 'batched-before-callback') this.flush();
    callback();
    this.flush();
  }

  private flush(): void {
    const held = this.held;
    this.held = [];
    for (const [name, metadata] of held) this.deliver(name, metadata);
  }
}
