/**
 * The `postMessage` protocol between the emulated `link-initialize.js` in the partner's page and
 * the Link iframe the emulator serves, as real Link's script talks to its `cdn.plaid.com` iframe.
 *
 * Every message carries {@link FRAME_MESSAGE_SOURCE} and the handler's random `channel`, and each
 * side accepts one only from the window and origin it expects: the page only from its own iframe
 * at the emulator's origin, the iframe only from its parent at the origin it was told in its URL.
 * Plain data only (structured clone): callbacks stay in the page.
 *
 * Pure module: the page script, the iframe script and the server (for the paths) all import it.
 */
import type {
  PlaidLinkError,
  PlaidLinkOnEventMetadata,
  PlaidLinkOnExitMetadata,
  PlaidLinkOnSuccessMetadata,
} from '../../contract/index.js';
import type { EventTiming, SubmitRequest } from '../link-protocol/messages.js';

/** The Link iframe's document, its script and its styles, under the emulator's mount prefix. */
export const LINK_FRAME_PATH = '/link/v2/stable/link.html';
export const LINK_FRAME_SCRIPT_PATH = '/link/v2/stable/link-frame.js';
export const LINK_FRAME_STYLES_PATH = '/link/v2/stable/link.css';

/** The iframe's accessible name (its `title`), as real Link's iframe is titled. */
export const LINK_FRAME_TITLE = 'Plaid Link';

export const FRAME_MESSAGE_SOURCE = 'plaid-link-emulator';

/** What the page tells the iframe. */
export type PageToFrame =
  | {
      type: 'create';
      token: string;
      receivedRedirectUri: string | null;
      /** The page's or the handler's `eventTiming`, if it set one. */
      eventTiming: EventTiming | null;
    }
  | { type: 'submit'; data: SubmitRequest }
  | { type: 'open' }
  | { type: 'exit'; force: boolean }
  /** The iframe is visible and focused: the dialog may take focus now. */
  | { type: 'shown' };

/** What the iframe tells the page. */
export type FrameToPage =
  /** The iframe's script runs: send `create`. */
  | { type: 'ready' }
  /** Call `onLoad`: the session started (or failed to, then `exit` follows). */
  | { type: 'load' }
  | { type: 'event'; name: string; metadata: PlaidLinkOnEventMetadata }
  | { type: 'success'; publicToken: string; metadata: PlaidLinkOnSuccessMetadata }
  | { type: 'exit'; error: PlaidLinkError | null; metadata: PlaidLinkOnExitMetadata }
  /** Show the iframe and give it focus; the page answers `shown`. */
  | { type: 'show' }
  /** Hide the iframe and give focus back to where it was. */
  | { type: 'hide' }
  /** Send the top window to an OAuth bank (here: straight to the token's `redirect_uri`). */
  | { type: 'redirect'; url: string }
  /** A message for the page's console, where integrators look. */
  | { type: 'console'; level: 'warn' | 'error'; message: string };

export type Envelope<T> = T & { source: typeof FRAME_MESSAGE_SOURCE; channel: string };

/** `data` as a message of this protocol on `channel`, or null (anything else is ignored). */
export function openEnvelope<T extends { type: string }>(data: unknown, channel: string): T | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Partial<Envelope<{ type: unknown }>>;
  if (message.source !== FRAME_MESSAGE_SOURCE || message.channel !== channel) return null;
  return typeof message.type === 'string' ? (message as unknown as T) : null;
}

/**
 * Whether a `message` event comes from where it must: the expected window (the iframe's for the
 * page, the parent for the iframe) at the expected origin.
 */
export function fromExpected(
  event: Pick<MessageEvent, 'origin' | 'source'>,
  expectedSource: unknown,
  expectedOrigin: string,
): boolean {
  return expectedSource !== null && event.source === expectedSource && event.origin === expectedOrigin;
}

/** The iframe's URL: the page's origin and the channel travel in it; the link token does not. */
export function frameUrl(emulatorUrl: string, parentOrigin: string, channel: string): string {
  const params = new URLSearchParams({ origin: parentOrigin, channel });
  return `${emulatorUrl}${LINK_FRAME_PATH}?${params}`;
}
