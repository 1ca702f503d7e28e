/**
 * A createLayerApi app wired for tests — MSW plays Plaid at https://sandbox.plaid.com — and a tiny
 * browser stand-in that sends what the widget sends: JSON with its Origin, and the session handle
 * from `/link-token` back in the `Layer-Session` header. No cookies.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';

import { setupServer, type SetupServer } from 'msw/node';

import { API_ERRORS, API_ROUTES, SESSION_HANDLE_HEADER, type ApiErrorCode } from '../../../contract/index.js';
import {
  createLayerApi,
  type LayerApiOptions,
  type LayerSession,
  type PlaidWebhook,
} from '../../../server/index.js';
import { plaidHandlers } from './handlers.js';
import { createWebhookSigner, type WebhookSigner } from './webhook-signer.js';

export const SESSION_SECRET = 'test-session-secret-0123456789abcdef0123456789';
export const TEMPLATE_ID = 'template_4uinBNe4B2x9';
export const PLAID_CREDENTIALS = {
  clientId: 'test-client-id',
  secret: 'test-plaid-secret-value',
  env: 'sandbox',
} as const;
/** app.request() resolves paths against this origin; createTestApi allows it by default. */
export const API_ORIGIN = 'http://localhost';

export interface MockPlaid {
  server: SetupServer;
  signer: WebhookSigner;
}

/** Registers MSW for this test file: happy-path handlers, unknown requests fail, reset after each. */
export async function useMockPlaid(): Promise<MockPlaid> {
  const signer = await createWebhookSigner();
  const server = setupServer(...plaidHandlers(signer));
  before(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  after(() => server.close());
  return { server, signer };
}

/** Anything with Hono's `request()`: createLayerApi's app, or an app it is mounted in. */
export interface RequestHandler {
  request(input: string | Request, init?: RequestInit, env?: object): Response | Promise<Response>;
}

/**
 * Hono's env under @hono/node-server carries the Node request, whose socket address the API's
 * per-address rate limit counts; `app.request()` passes whatever is given here.
 */
export function socketEnv(remoteAddress: string): object {
  return { incoming: { socket: { remoteAddress } } };
}

export interface TestApi {
  app: ReturnType<typeof createLayerApi>;
  logs: string[];
  sessions: LayerSession[];
  webhooks: PlaidWebhook[];
}

export function createTestApi(overrides: Partial<LayerApiOptions> = {}): TestApi {
  const logs: string[] = [];
  const sessions: LayerSession[] = [];
  const webhooks: PlaidWebhook[] = [];
  const app = createLayerApi({
    plaid: PLAID_CREDENTIALS,
    templateId: TEMPLATE_ID,
    sessionSecret: SESSION_SECRET,
    allowedOrigins: [API_ORIGIN],
    retryDelayMs: 0,
    logger: (line) => logs.push(line),
    onSession: (session) => {
      sessions.push(session);
    },
    onWebhook: (webhook) => {
      webhooks.push(webhook);
    },
    ...overrides,
  });
  return { app, logs, sessions, webhooks };
}

export interface PostOptions {
  /** `Origin` header; the browser's origin by default, `null` for none. */
  origin?: string | null;
  /**
   * The `Layer-Session` header: by default what the widget sends (its handle, or `new` on a first
   * `/link-token`; nothing on `/session` before it has one). `null` sends none.
   */
  handle?: string | null;
  /** The socket address the request comes from; the browser's by default (none: unknown). */
  address?: string;
  /** Raw body; JSON.stringify(body) by default. */
  raw?: string;
  /** Extra headers, applied last. */
  headers?: Record<string, string>;
}

function routeOf(path: string): string {
  return new URL(path, API_ORIGIN).pathname;
}

/** A browser running the widget: JSON with its Origin, the session handle kept in memory. */
export class TestBrowser {
  /** The `session_handle` of the last successful `/link-token`, as the widget keeps it. */
  handle: string | null = null;

  constructor(
    readonly app: RequestHandler,
    readonly origin: string = API_ORIGIN,
    readonly address?: string,
  ) {}

  async post(path: string, body: unknown = {}, options: PostOptions = {}): Promise<Response> {
    const route = routeOf(path);
    const origin = options.origin === undefined ? this.origin : options.origin;
    const handle =
      options.handle !== undefined
        ? options.handle
        : route.endsWith(API_ROUTES.linkToken)
          ? (this.handle ?? 'new')
          : route.endsWith(API_ROUTES.session)
            ? this.handle
            : null;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (origin !== null) headers.Origin = origin;
    if (handle !== null) headers[SESSION_HANDLE_HEADER] = handle;
    Object.assign(headers, options.headers);
    const address = options.address ?? this.address;
    const response = await this.app.request(
      path,
      { method: 'POST', headers, body: options.raw ?? JSON.stringify(body) },
      address === undefined ? undefined : socketEnv(address),
    );
    if (route.endsWith(API_ROUTES.linkToken) && response.ok) {
      const { session_handle } = (await response.clone().json()) as { session_handle?: unknown };
      if (typeof session_handle === 'string') this.handle = session_handle;
    }
    return response;
  }

  /** `/link-token`, as the widget calls it before Link opens. */
  async linkToken(): Promise<Response> {
    return this.post(API_ROUTES.linkToken, {});
  }

  /** `/session` with Link's public token, as the widget calls it from `onSuccess`. */
  async exchange(publicToken: string): Promise<Response> {
    return this.post(API_ROUTES.session, { public_token: publicToken });
  }
}

export interface ErrorShape {
  code: string;
  message: string;
  request_id: string;
}

/** The error body, asserting its shape and that its request id is the `X-Request-Id` header. */
export async function errorBody(response: Response): Promise<ErrorShape> {
  const body = (await response.json()) as { error?: Partial<ErrorShape> };
  const error = body.error;
  if (
    typeof error?.code !== 'string' ||
    typeof error.message !== 'string' ||
    typeof error.request_id !== 'string' ||
    !error.request_id ||
    error.request_id !== response.headers.get('X-Request-Id')
  )
    throw new Error(`not the error shape: ${JSON.stringify(body)}`);
  return error as ErrorShape;
}

/** The error body's code, asserting the shape on the way. */
export async function errorCode(response: Response): Promise<string> {
  return (await errorBody(response)).code;
}

/** Asserts `response` is the error `code` with the status the contract gives it; returns the body. */
export async function assertError(
  response: Response,
  code: ApiErrorCode,
  label: string = code,
): Promise<ErrorShape> {
  const body = await errorBody(response);
  assert.equal(body.code, code, label);
  assert.equal(response.status, API_ERRORS[code].status, `${label}: the contract's status`);
  return body;
}
