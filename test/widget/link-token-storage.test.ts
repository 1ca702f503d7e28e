import { expect } from '@open-wc/testing';

import type { ReceivedLinkToken } from '../../widget/api-client.js';
import { createLinkTokenStorage } from '../../widget/link-token-storage.js';
import { API } from './support/backend.js';
import { MemoryStorage } from './support/memory-storage.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const PAGE = 'https://partner.example/signup';
const RETURN = `${PAGE}?oauth_state_id=9f3b5b0c`;

const TOKEN: ReceivedLinkToken = {
  link_token: 'link-sandbox-1',
  expiration: new Date(NOW + 4 * 3600_000).toISOString(),
  session_handle: 'handle-1',
  expiresAt: NOW + 4 * 3600_000,
};

function storageAt(location: string, storage: Storage | null = new MemoryStorage(), api = API) {
  return createLinkTokenStorage({
    api: () => api,
    storage: () => storage,
    location: () => location,
    now: () => NOW,
  });
}

describe('LinkTokenStorage', () => {
  it('gives back the whole /link-token answer, session handle included, on an OAuth return', () => {
    const storage = new MemoryStorage();
    storageAt(PAGE, storage).save(TOKEN);
    expect(storageAt(RETURN, storage).peekOAuthReturn()).to.deep.equal({
      token: TOKEN,
      receivedRedirectUri: RETURN,
    });
  });

  it('takes a return once: a reload of the return URL does not resume Link twice', () => {
    const storage = new MemoryStorage();
    storageAt(PAGE, storage).save(TOKEN);
    const back = storageAt(RETURN, storage);
    expect(back.takeOAuthReturn()?.token).to.deep.equal(TOKEN);
    expect(back.takeOAuthReturn()).to.equal(null);
    expect(storage.length).to.equal(0);
  });

  it('gives a return it took never again, whatever api it is asked for next', () => {
    const storage = new MemoryStorage();
    let api = API;
    const back = createLinkTokenStorage({
      api: () => api,
      storage: () => storage,
      location: () => RETURN,
      now: () => NOW,
    });
    back.save(TOKEN);
    api = '/other/api';
    back.save({ ...TOKEN, link_token: 'link-sandbox-2' });
    expect(back.takeOAuthReturn()?.token.link_token).to.equal('link-sandbox-2');
    api = API; // an SPA's route swaps the api back: the OAuth state is used up
    expect(back.peekOAuthReturn()).to.equal(null);
    expect(back.takeOAuthReturn()).to.equal(null);
    expect(storage.length, 'the token of the other api stays for its own return').to.equal(1);
  });

  it('takes no return when none was stored, so a token set later still resumes it', () => {
    const storage = new MemoryStorage();
    const back = storageAt(RETURN, storage);
    expect(back.takeOAuthReturn()).to.equal(null);
    storageAt(PAGE, storage).save(TOKEN);
    expect(back.takeOAuthReturn()?.token).to.deep.equal(TOKEN);
  });

  it('is no OAuth return without oauth_state_id, and keeps the token then', () => {
    const storage = new MemoryStorage();
    const page = storageAt(PAGE, storage);
    page.save(TOKEN);
    expect(page.takeOAuthReturn()).to.equal(null);
    expect(storage.length).to.equal(1);
  });

  it('keeps the tokens of each backend apart', () => {
    const storage = new MemoryStorage();
    storageAt(PAGE, storage, '/other/api').save(TOKEN);
    expect(storageAt(RETURN, storage).peekOAuthReturn()).to.equal(null);
    expect(storageAt(RETURN, storage, '/other/api').peekOAuthReturn()).not.to.equal(null);
  });

  it('ignores an expired token, one without a session handle, and what is not JSON', () => {
    for (const stored of [
      JSON.stringify({ ...TOKEN, expiresAt: NOW }),
      JSON.stringify({
        link_token: TOKEN.link_token,
        expiration: TOKEN.expiration,
        expiresAt: TOKEN.expiresAt,
      }),
      // Kept by a version before `expiresAt`: its expiry cannot be read on this browser's clock.
      JSON.stringify({ ...TOKEN, expiresAt: undefined }),
      '{not json',
    ]) {
      const storage = new MemoryStorage();
      storage.setItem(`layer-onboarding:link-token:${API}`, stored);
      expect(storageAt(RETURN, storage).peekOAuthReturn(), stored).to.equal(null);
    }
  });

  it('forgets the token', () => {
    const storage = new MemoryStorage();
    const page = storageAt(PAGE, storage);
    page.save(TOKEN);
    page.forget();
    expect(storage.length).to.equal(0);
  });

  it('works without storage, and with storage that throws', () => {
    const throwing = new MemoryStorage();
    throwing.setItem = () => {
      throw new DOMException('full', 'QuotaExceededError');
    };
    throwing.getItem = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    for (const storage of [null, throwing]) {
      const page = storageAt(RETURN, storage);
      page.save(TOKEN);
      expect(page.takeOAuthReturn()).to.equal(null);
    }
  });
});
