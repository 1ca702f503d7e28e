/**
 * A createLayerApi app wired for tests — MSW plays Plaid at https://sandbox.plaid.com — and a tiny
 * browser stand-in that keeps cookies and sends what the widget sends.
 */
import { after, afterEach, before } from 'node:test';

import { setupServer, type SetupServer } from 'msw/node';

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
/** app.request() resolves paths against this origin. */
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
  request(path: string, init?: RequestInit): Response | Promise<Response>;
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
  /** `Origin` header; the API's own origin by default, `null` for none. */
  origin?: string | null;
  /** Raw body; JSON.stringify(body) by default. */
  raw?: string;
  headers?: Record<string, string>;
}

/** A browser: keeps the cookies the API sets and sends JSON with its Origin, as the widget does. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  /** Set-Cookie headers received, raw, for asserting attributes. */
  readonly setCookies: string[] = [];

  constructor(
    readonly app: RequestHandler,
    readonly origin: string = API_ORIGIN,
  ) {}

  async post(path: string, body: unknown = {}, options: PostOptions = {}): Promise<Response> {
    const origin = options.origin === undefined ? this.origin : options.origin;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...options.headers };
    if (origin !== null) headers.Origin = origin;
    if (this.cookies.size)
      headers.Cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await this.app.request(path, {
      method: 'POST',
      headers,
      body: options.raw ?? JSON.stringify(body),
    });
    for (const cookie of response.headers.getSetCookie()) {
      this.setCookies.push(cookie);
      const [pair] = cookie.split(';');
      const index = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, index), pair!.slice(index + 1));
    }
    return response;
  }

  /** `/link-token` then `/session`, as the widget does around Link. */
  async linkToken(): Promise<Response> {
    return this.post('/link-token', {});
  }

  async exchange(publicToken: string): Promise<Response> {
    return this.post('/session', { public_token: publicToken });
  }
}

/** The error body's code, asserting the shape on the way. */
export async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as {
    error?: { code?: unknown; message?: unknown; request_id?: unknown };
  };
  if (
    typeof body.error?.code !== 'string' ||
    typeof body.error.message !== 'string' ||
    typeof body.error.request_id !== 'string' ||
    body.error.request_id !== response.headers.get('X-Request-Id')
  )
    throw new Error(`not the error shape: ${JSON.stringify(body)}`);
  return body.error.code;
}
