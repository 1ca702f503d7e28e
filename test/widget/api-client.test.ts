import { expect } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { setupWorker } from 'msw/browser';

import { ApiError, fetchLinkToken, fetchSession } from '../../widget/api-client.js';
import { API, errorBody, handlers, onUnhandledRequest, PROFILE, PROFILE_TOKEN } from './support/handlers.js';

const worker = setupWorker(...handlers);

before(() => worker.start({ quiet: true, onUnhandledRequest }));
afterEach(() => worker.resetHandlers());
after(() => worker.stop());

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('api-client', () => {
  it('posts an empty JSON body with credentials for a Link token', async () => {
    let seen: { body: unknown; type: string | null; credentials: RequestCredentials } | undefined;
    worker.use(
      http.post(`${API}/link-token`, async ({ request }) => {
        seen = {
          body: await request.json(),
          type: request.headers.get('content-type'),
          credentials: request.credentials,
        };
        return HttpResponse.json(
          { link_token: 'link-sandbox-1', expiration: '2030-01-01T04:00:00Z' },
          { status: 200 },
        );
      }),
    );
    const token = await fetchLinkToken(`${API}/`);
    expect(token).to.deep.equal({ link_token: 'link-sandbox-1', expiration: '2030-01-01T04:00:00Z' });
    expect(seen).to.deep.equal({ body: {}, type: 'application/json', credentials: 'include' });
  });

  it('exchanges a public token for the profile', async () => {
    const session = await fetchSession(API, 'public-sandbox-1');
    expect(session).to.deep.equal({ profile: PROFILE, items: [{ item_id: 'item-1' }], token: PROFILE_TOKEN });
  });

  it('turns the backend error shape into an ApiError', async () => {
    worker.use(
      http.post(`${API}/session`, () =>
        HttpResponse.json(errorBody('PUBLIC_TOKEN_USED', 'already used', 'req-409'), { status: 409 }),
      ),
    );
    const error = await rejection(fetchSession(API, 'public-sandbox-1'));
    expect([error.code, error.message, error.status, error.requestId]).to.deep.equal([
      'PUBLIC_TOKEN_USED',
      'already used',
      409,
      'req-409',
    ]);
  });

  it('names a failure without the error shape after its status', async () => {
    worker.use(
      http.post(`${API}/link-token`, () => new HttpResponse('<h1>Bad gateway</h1>', { status: 502 })),
    );
    const error = await rejection(fetchLinkToken(API));
    expect([error.code, error.status]).to.deep.equal(['HTTP_502', 502]);
  });

  it('names a 200 that is not JSON, or not the promised shape, BAD_RESPONSE', async () => {
    worker.use(
      http.post(`${API}/link-token`, () => new HttpResponse('<h1>Welcome</h1>', { status: 200 })),
      http.post(`${API}/session`, () => HttpResponse.json({ profile: null, items: [] }, { status: 200 })),
    );
    const html = await rejection(fetchLinkToken(API));
    expect([html.code, html.status]).to.deep.equal(['BAD_RESPONSE', 200]);
    const session = await rejection(fetchSession(API, 'public-sandbox-1'));
    expect([session.code, session.message]).to.deep.equal([
      'BAD_RESPONSE',
      `POST ${API}/session answered 200 with an unexpected JSON body`,
    ]);

    worker.use(http.post(`${API}/link-token`, () => HttpResponse.json({ ok: true }, { status: 200 })));
    expect((await rejection(fetchLinkToken(API))).code).to.equal('BAD_RESPONSE');
  });

  it('reports an unreachable backend as NETWORK_ERROR', async () => {
    worker.use(http.post(`${API}/link-token`, () => HttpResponse.error()));
    const error = await rejection(fetchLinkToken(API));
    expect(error.code).to.equal('NETWORK_ERROR');
  });
});
