// The widget's two backend calls, against the real backend at /api/layer; MSW only for answers the
// backend never gives (malformed 200s, a proxy's error page, a network error).
import { expect } from '@open-wc/testing';

import { SESSION_HANDLE_HEADER } from '../../contract/index.js';
import { ApiRequestError, fetchLinkToken, fetchSession } from '../../widget/api-client.js';
import { API, browserProfileOf, itemCountOf, publicTokenFor, SANDBOX_PHONE } from './support/backend.js';
import { errorResponse, http, HttpResponse, passThrough, useWorker } from './support/msw.js';

const worker = useWorker();

async function rejection(promise: Promise<unknown>): Promise<ApiRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiRequestError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('api-client', () => {
  it('fetches a Link token and its session handle, sending "new" for a first visit', async () => {
    let seen: { body: unknown; type: string | null; handle: string | null; credentials: string } | undefined;
    worker.use(
      http.post(`${API}/link-token`, async ({ request }) => {
        seen = {
          body: await request.clone().json(),
          type: request.headers.get('content-type'),
          handle: request.headers.get(SESSION_HANDLE_HEADER),
          credentials: request.credentials,
        };
        return passThrough(request);
      }),
    );
    const token = await fetchLinkToken(`${API}/`, null, Date.now);
    expect(token.link_token).to.match(/^link-sandbox-/);
    expect(Date.parse(token.expiration)).to.be.greaterThan(Date.now());
    expect(token.session_handle).to.be.a('string').and.not.equal('');
    expect(seen).to.deep.equal({ body: {}, type: 'application/json', handle: 'new', credentials: 'include' });
  });

  it('gives the token’s expiry on the browser’s clock, as the backend’s Date header tells its lifetime', async () => {
    const answer = { link_token: 'link-sandbox-1', expiration: '2030-01-01T04:00:00Z', session_handle: 'h' };
    worker.use(
      http.post(`${API}/link-token`, () =>
        HttpResponse.json(answer, { headers: { Date: 'Tue, 01 Jan 2030 00:00:00 GMT' } }),
      ),
    );
    // A visitor clock years off still gets the 4 hours the backend's clock leaves.
    const browserNow = Date.parse('2026-06-01T12:00:00Z');
    const token = await fetchLinkToken(API, null, () => browserNow);
    expect(token).to.deep.equal({ ...answer, expiresAt: browserNow + 4 * 3600_000 });

    // Without a Date header (one a proxy dropped): the browser's clock is all there is.
    worker.use(http.post(`${API}/link-token`, () => HttpResponse.json(answer)));
    expect((await fetchLinkToken(API, null, () => browserNow)).expiresAt).to.equal(
      Date.parse(answer.expiration),
    );
  });

  it('reads the real backend’s Date header: the expiry on a clock 5 hours ahead is 4 hours ahead of it', async () => {
    const skewed = () => Date.now() + 5 * 3600_000;
    const token = await fetchLinkToken(API, null, skewed);
    expect(token.expiresAt - skewed()).to.be.within(4 * 3600_000 - 5_000, 4 * 3600_000 + 1_000);
  });

  it('exchanges a public token with the session handle for the profile', async () => {
    const token = await fetchLinkToken(API, null, Date.now);
    const session = await fetchSession(API, await publicTokenFor(token.link_token), token.session_handle);
    expect(session.profile).to.deep.equal(browserProfileOf(SANDBOX_PHONE));
    expect(session.items).to.have.length(itemCountOf(SANDBOX_PHONE));
    expect(session.token.split('.')).to.have.length(3);
  });

  it('turns the backend’s error body into an ApiRequestError with its code, status and request id', async () => {
    const token = await fetchLinkToken(API, null, Date.now);
    const error = await rejection(fetchSession(API, await publicTokenFor(token.link_token), 'not-a-handle'));
    expect([error.code, error.status]).to.deep.equal(['SESSION_HANDLE_INVALID', 401]);
    expect(error.message).to.be.a('string').and.not.equal('');
    expect(error.requestId).to.be.a('string').and.not.equal('');
  });

  it('keeps the code of an error body MSW answers with', async () => {
    worker.use(http.post(`${API}/session`, () => errorResponse('PUBLIC_TOKEN_ALREADY_USED', 'req-409')));
    const error = await rejection(fetchSession(API, 'public-sandbox-1', 'handle'));
    expect([error.code, error.message, error.status, error.requestId]).to.deep.equal([
      'PUBLIC_TOKEN_ALREADY_USED',
      'test: PUBLIC_TOKEN_ALREADY_USED',
      409,
      'req-409',
    ]);
  });

  it('names an error answer without the error body HTTP_ERROR, with its status', async () => {
    worker.use(
      http.post(`${API}/link-token`, () => new HttpResponse('<h1>Bad gateway</h1>', { status: 502 })),
    );
    const error = await rejection(fetchLinkToken(API, null, Date.now));
    expect([error.code, error.status]).to.deep.equal(['HTTP_ERROR', 502]);
  });

  it('names a 200 that is not JSON, or not the promised shape, BAD_RESPONSE', async () => {
    worker.use(
      http.post(`${API}/link-token`, () => new HttpResponse('<h1>Welcome</h1>', { status: 200 })),
      http.post(`${API}/session`, () => HttpResponse.json({ profile: null, items: [] }, { status: 200 })),
    );
    const html = await rejection(fetchLinkToken(API, null, Date.now));
    expect([html.code, html.status]).to.deep.equal(['BAD_RESPONSE', 200]);
    const session = await rejection(fetchSession(API, 'public-sandbox-1', 'handle'));
    expect(session.code).to.equal('BAD_RESPONSE');
    expect(session.message).to.contain(`${API}/session`);

    // A token without its session handle is no use: /session would refuse it.
    worker.use(
      http.post(`${API}/link-token`, () =>
        HttpResponse.json(
          { link_token: 'link-sandbox-1', expiration: '2030-01-01T00:00:00Z' },
          { status: 200 },
        ),
      ),
    );
    expect((await rejection(fetchLinkToken(API, null, Date.now))).code).to.equal('BAD_RESPONSE');
  });

  it('reports an unreachable backend as NETWORK_ERROR', async () => {
    worker.use(http.post(`${API}/link-token`, () => HttpResponse.error()));
    const error = await rejection(fetchLinkToken(API, null, Date.now));
    expect([error.code, error.status]).to.deep.equal(['NETWORK_ERROR', 0]);
  });

  it('passes an abort through as the abort it is', async () => {
    const controller = new AbortController();
    controller.abort();
    let thrown: unknown;
    try {
      await fetchLinkToken(API, null, Date.now, controller.signal);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(DOMException);
    expect((thrown as DOMException).name).to.equal('AbortError');
  });
});
