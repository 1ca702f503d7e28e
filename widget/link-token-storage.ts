// The Link token kept across an OAuth bank redirect. The bank sends the visitor back to the page
// with `oauth_state_id` in its URL, and Link must be re-created with the same token and that URL.
// The whole `/link-token` answer is kept, session handle included, so the resumed flow can still
// exchange its public token on `/session`.
import type { ReceivedLinkToken } from './api-client.js';

const STORAGE_PREFIX = 'layer-onboarding:link-token:';

/** An OAuth return that can resume Link: the stored token, and the URL the bank sent back to. */
export interface OAuthReturn {
  token: ReceivedLinkToken;
  receivedRedirectUri: string;
}

export interface LinkTokenStorageOptions {
  /** Which backend the tokens come from: tokens of another `api` are kept apart. */
  api: () => string;
  /** The page's sessionStorage by default; `null` when storage is blocked. */
  storage?: () => Storage | null;
  /** The page URL, read to notice an OAuth return. */
  location?: () => string;
  /** The flow's clock, against which a stored token's `expiresAt` is checked. */
  now: () => number;
}

/** The stored token of one backend (`api`), and the OAuth return the page may be. */
export interface LinkTokenStorage {
  save(token: ReceivedLinkToken): void;
  forget(): void;
  /** The OAuth return this page is, if it is one and a usable token is stored. */
  peekOAuthReturn(): OAuthReturn | null;
  /**
   * Like {@link peekOAuthReturn}, and forgets the stored token on an OAuth return page, so a
   * reload of the return URL does not resume Link twice; a return taken is never given again.
   */
  takeOAuthReturn(): OAuthReturn | null;
}

export function createLinkTokenStorage({
  api,
  storage = pageSessionStorage,
  location = pageLocation,
  now,
}: LinkTokenStorageOptions): LinkTokenStorage {
  const key = () => STORAGE_PREFIX + api();

  const forget = (): void => {
    try {
      storage()?.removeItem(key());
    } catch {
      // nothing stored
    }
  };

  /**
   * Whether this page's OAuth return was taken: its OAuth state is resumed once, also when `api`
   * changes after (an SPA's route), which would otherwise find another backend's token for it. A
   * bank sends the visitor back by loading the page anew, so a page has one return at most.
   */
  let taken = false;

  const oauthReturnUrl = (): URL | null => {
    try {
      const url = new URL(location());
      return !taken && url.searchParams.has('oauth_state_id') ? url : null;
    } catch {
      return null;
    }
  };

  const read = (url: URL): OAuthReturn | null => {
    let token: Partial<ReceivedLinkToken> | null;
    try {
      token = JSON.parse(storage()?.getItem(key()) ?? 'null') as Partial<ReceivedLinkToken> | null;
    } catch {
      return null;
    }
    if (
      typeof token?.link_token !== 'string' ||
      typeof token.session_handle !== 'string' ||
      // On the browser's clock, as kept (api-client.ts): whatever that clock's error, it is the same
      // a few minutes after.
      !(token.expiresAt! > now())
    )
      return null;
    return { token: token as ReceivedLinkToken, receivedRedirectUri: url.href };
  };

  return {
    save(token) {
      try {
        storage()?.setItem(key(), JSON.stringify(token));
      } catch {
        // Storage full or blocked: only an OAuth return needs it, and that then starts over.
      }
    },
    forget,
    peekOAuthReturn() {
      const url = oauthReturnUrl();
      return url ? read(url) : null;
    },
    takeOAuthReturn() {
      const url = oauthReturnUrl();
      if (!url) return null;
      const oauth = read(url);
      forget();
      taken = !!oauth;
      return oauth;
    },
  };
}

function pageSessionStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // blocked storage (sandboxed frames, some privacy modes) throws on access
  }
}

function pageLocation(): string {
  return globalThis.location?.href ?? '';
}
