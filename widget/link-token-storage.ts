// The Link token kept across an OAuth bank redirect. The bank sends the visitor back to the page
// with `oauth_state_id` in its URL, and Link must be re-created with the same token and that URL.
// The whole `/link-token` answer is kept, session handle included, so the resumed flow can still
// exchange its public token on `/session`.
import type { LinkTokenResponse } from '../contract/index.js';

const STORAGE_PREFIX = 'layer-onboarding:link-token:';

/** An OAuth return that can resume Link: the stored token, and the URL the bank sent back to. */
export interface OAuthReturn {
  token: LinkTokenResponse;
  receivedRedirectUri: string;
}

export interface LinkTokenStorageOptions {
  /** Which backend the tokens come from: tokens of another `api` are kept apart. */
  api: () => string;
  /** The page's sessionStorage by default; `null` when storage is blocked. */
  storage?: () => Storage | null;
  /** The page URL, read to notice an OAuth return. */
  location?: () => string;
  now?: () => number;
}

export class LinkTokenStorage {
  readonly #api: () => string;
  readonly #storage: () => Storage | null;
  readonly #location: () => string;
  readonly #now: () => number;

  constructor({
    api,
    storage = pageSessionStorage,
    location = pageLocation,
    now = Date.now,
  }: LinkTokenStorageOptions) {
    this.#api = api;
    this.#storage = storage;
    this.#location = location;
    this.#now = now;
  }

  save(token: LinkTokenResponse): void {
    try {
      this.#storage()?.setItem(this.#key(), JSON.stringify(token));
    } catch {
      // Storage full or blocked: only an OAuth return needs it, and that then starts over.
    }
  }

  forget(): void {
    try {
      this.#storage()?.removeItem(this.#key());
    } catch {
      // nothing stored
    }
  }

  /** The OAuth return this page is, if it is one and a usable token is stored. */
  peekOAuthReturn(): OAuthReturn | null {
    const url = this.#oauthReturnUrl();
    return url ? this.#read(url) : null;
  }

  /**
   * Like {@link peekOAuthReturn}, and forgets the stored token on an OAuth return page, so a
   * reload of the return URL does not resume Link twice.
   */
  takeOAuthReturn(): OAuthReturn | null {
    const url = this.#oauthReturnUrl();
    if (!url) return null;
    const oauth = this.#read(url);
    this.forget();
    return oauth;
  }

  #oauthReturnUrl(): URL | null {
    try {
      const url = new URL(this.#location());
      return url.searchParams.has('oauth_state_id') ? url : null;
    } catch {
      return null;
    }
  }

  #read(url: URL): OAuthReturn | null {
    let token: Partial<LinkTokenResponse> | null;
    try {
      token = JSON.parse(
        this.#storage()?.getItem(this.#key()) ?? 'null',
      ) as Partial<LinkTokenResponse> | null;
    } catch {
      return null;
    }
    if (
      typeof token?.link_token !== 'string' ||
      typeof token.session_handle !== 'string' ||
      typeof token.expiration !== 'string' ||
      !(Date.parse(token.expiration) > this.#now())
    )
      return null;
    return { token: token as LinkTokenResponse, receivedRedirectUri: url.href };
  }

  #key(): string {
    return STORAGE_PREFIX + this.#api();
  }
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
