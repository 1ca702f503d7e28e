// MSW, only for what the real backend at /api/layer cannot be made to answer: each error code of
// the contract, malformed 200s, bodiless 5xx, network errors, an answer held back. Handlers are
// typed against the contract; anything a test does not mock reaches the real backend.
import {
  bypass,
  http,
  HttpResponse,
  isCommonAssetRequest,
  type HttpResponseResolver,
  type UnhandledRequestCallback,
} from 'msw';
import { setupWorker } from 'msw/browser';

import {
  API_ERRORS,
  SESSION_HANDLE_HEADER,
  type ApiErrorCode,
  type ErrorBody,
  type LinkTokenResponse,
} from '../../../contract/index.js';
import { API } from './backend.js';

export { http, HttpResponse };

/** The backend's answer for `code`: its contract status and the error body. */
export function errorResponse(code: ApiErrorCode, requestId = `req-${code.toLowerCase()}`): Response {
  const body: ErrorBody = { error: { code, message: `test: ${code}`, request_id: requestId } };
  return HttpResponse.json(body, { status: API_ERRORS[code].status });
}

/** The backend and the emulator are real; static files pass; anything else fails the test. */
export const onUnhandledRequest: UnhandledRequestCallback = (request, print) => {
  const { pathname } = new URL(request.url);
  if (pathname.startsWith('/api/') || pathname.startsWith('/plaid/') || isCommonAssetRequest(request)) return;
  print.error();
};

/** How long a page may wait for the service worker another test file is installing to claim it. */
const CLAIM_WAIT_MS = 30_000;

/**
 * Test files run two at a time on one origin, so one file's page can load while another's MSW
 * worker is still installing: a registration exists, but this page is not controlled. MSW's
 * `start()` then reloads the page, and web-test-runner fails the file ("interrupted because the
 * page was reloaded"; seen on a busy machine). The worker claims every page when it activates, so
 * wait for that first.
 */
async function claimedIfRegistered(): Promise<void> {
  const { serviceWorker } = navigator;
  if (serviceWorker.controller || (await serviceWorker.getRegistrations()).length === 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, CLAIM_WAIT_MS);
    function done() {
      clearTimeout(timer);
      serviceWorker.removeEventListener('controllerchange', done);
      resolve();
    }
    serviceWorker.addEventListener('controllerchange', done);
    if (serviceWorker.controller) done();
  });
}

/** A worker started before the file's tests, reset after each and stopped after all. */
export function useWorker(): ReturnType<typeof setupWorker> {
  const worker = setupWorker();
  before(async function () {
    this.timeout(CLAIM_WAIT_MS + 30_000);
    await claimedIfRegistered();
    await worker.start({ quiet: true, onUnhandledRequest });
  });
  afterEach(() => worker.resetHandlers());
  after(() => worker.stop());
  return worker;
}

/** Sends the request on to the real backend. */
export function passThrough(request: Request): Promise<Response> {
  return fetch(bypass(request));
}

export interface LinkTokenCall {
  /** The `Layer-Session` header sent. */
  sessionHeader: string | null;
  answer: LinkTokenResponse;
  /** The answer's `Date` header: the server's clock, by which the widget times the token. */
  date?: string | null;
}

/** Watches `/link-token` on the real backend: every call's session header and answer. */
export function watchLinkToken(calls: LinkTokenCall[], api = API) {
  return http.post(`${api}/link-token`, async ({ request }) => {
    const response = await passThrough(request);
    calls.push({
      sessionHeader: request.headers.get(SESSION_HANDLE_HEADER),
      answer: (await response.clone().json()) as LinkTokenResponse,
      date: response.headers.get('date'),
    });
    return response;
  });
}

/** Holds `route`'s requests until the test lets each go on to the real backend. */
export function holdRoute(route: string, released: (() => void)[]) {
  const resolver: HttpResponseResolver = async ({ request }) => {
    await new Promise<void>((resolve) => released.push(resolve));
    return passThrough(request);
  };
  return http.post(`${API}${route}`, resolver);
}
