/**
 * `layer-onboarding/server/node`: the Layer API (a Hono app, or anything with a fetch handler) in
 * servers that are not fetch-based: Express and Connect, Node's `http`, Fastify, and Next.js
 * route handlers (App Router) and API routes (Pages Router).
 *
 * The API's routes are relative (`/link-token`, `/session`, `/webhook`): each adapter takes the
 * mount prefix away the way its framework says it is mounted (Express and Connect already did, in
 * `req.url`; Fastify's plugin prefix; `basePath` for Next.js and plain `http`).
 *
 * Bodies: the API reads the request body itself, and the webhook route verifies Plaid's signature
 * over its exact bytes. A body parser that ran first (`express.json()`) has consumed the stream;
 * the Express adapter then uses the raw bytes if the parser kept them ({@link keepRawBody}), and
 * otherwise writes the parsed body back as JSON, which serves the widget's routes but cannot carry a
 * webhook's signature (it says so once, at the first such request, which the widget makes before
 * Link opens). Fastify's own parsers are turned off inside the plugin, so it always has the bytes.
 *
 * Structural types only: nothing here imports Express, Fastify, Next.js or Node's `http`.
 */
import { safeLogger } from './safe-logger.js';

/** What the adapters call: a Hono app (`createLayerApi(…)`) or any fetch handler. */
export interface FetchApp {
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

/** The parts of Node's `IncomingMessage` (and Express's additions) the adapter reads. */
export interface NodeRequest extends AsyncIterable<unknown> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  readableEnded?: boolean;
  socket?: { remoteAddress?: string | undefined; encrypted?: boolean } | null;
  /** Set by Express and most body parsers. */
  body?: unknown;
  /** Set by {@link keepRawBody} (and by other middleware that keeps the raw bytes under this name). */
  rawBody?: unknown;
}

/** The parts of Node's `ServerResponse` the adapter writes. */
export interface NodeResponse {
  statusCode: number;
  setHeader(name: string, value: string | string[]): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array | string): unknown;
  once?(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener?(event: 'drain' | 'close', listener: () => void): unknown;
  headersSent?: boolean;
  /** True once the connection is gone (the client went away). */
  destroyed?: boolean;
}

export interface NodeAdapterOptions {
  /**
   * A prefix to take off `req.url` when the server does not (plain `http.createServer`). Express
   * and Connect take the mount path off themselves: leave it unset there.
   */
  basePath?: string;
  /**
   * Where the one warning about a pre-parsed body goes; `console.warn` by default. If it throws or
   * rejects, the request is answered as usual (the failure is said once on `console.error`).
   */
  warn?: (message: string) => void;
}

const NO_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Methods Node's HTTP server takes but a fetch `Request` cannot carry (`new Request` throws). */
const FETCH_FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

const PARSED_BODY_WARNING =
  'layer-onboarding/server/node: a body parser (e.g. express.json()) read the request before the Layer API. ' +
  'The widget routes work from the parsed body, but Plaid webhooks need their exact bytes to verify: ' +
  'mount the Layer API before express.json(), or keep the bytes with express.json({ verify: keepRawBody }).';

/**
 * For `express.json({ verify: keepRawBody })` (body-parser's `verify` hook): keeps the raw bytes
 * as `req.rawBody`, so webhooks still verify behind a global body parser.
 */
export function keepRawBody(req: object, _res: unknown, buffer: Uint8Array): void {
  (req as { rawBody?: unknown }).rawBody = buffer;
}

/** A copy of the bytes in an ArrayBuffer of their own: what `new Request` takes as a body on every TS version. */
function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  // Not `bytes.slice()`: on a Buffer that is a view of Node's shared pool, not a copy.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function stripBase(path: string, basePath: string | undefined): string {
  if (!basePath) return path || '/';
  const base = basePath.replace(/\/+$/, '');
  if (path === base || path.startsWith(`${base}/`) || path.startsWith(`${base}?`))
    return path.slice(base.length).replace(/^(?=[?]|$)/, '/');
  return path || '/';
}

/**
 * The Request the API gets. A method fetch refuses (TRACE) becomes a Request without a body that
 * still names its method to the app (Hono reads `request.method`), so the API answers it as any
 * method it has no route for, 404 in its error shape, where `new Request` would throw and the
 * framework answer 500 with a stack trace.
 */
function newRequest(url: URL, init: RequestInit & { method: string; duplex?: 'half' }): Request {
  if (!FETCH_FORBIDDEN_METHODS.has(init.method)) return new Request(url, init);
  const request = new Request(url, init.headers ? { headers: init.headers } : {});
  Object.defineProperty(request, 'method', { value: init.method });
  return request;
}

/**
 * For a body something in front rewrote (a parser, a decompressing hook): the length and encoding
 * it came with no longer describe it, so the API reads it as it is now.
 */
function forgetBodyFraming(headers: Headers): void {
  headers.delete('content-length');
  headers.delete('transfer-encoding');
  headers.delete('content-encoding');
}

function headerList(headers: NodeRequest['headers']): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    for (const item of Array.isArray(value) ? value : [value]) result.append(name, item);
  }
  return result;
}

/** The body a parser left behind, written back as the bytes it came from (or as near as can be). */
function reserialized(body: unknown, contentType: string): ArrayBuffer | string | undefined {
  if (body === undefined) return undefined;
  if (body instanceof Uint8Array) return arrayBuffer(body);
  if (typeof body === 'string') return body;
  if (/application\/x-www-form-urlencoded/i.test(contentType))
    return new URLSearchParams(body as Record<string, string>).toString();
  return JSON.stringify(body);
}

/**
 * The body a parser already read, as its bytes (or as near as can be); undefined when it is still
 * on the request, which {@link bodyStream} then passes on.
 */
function parsedBody(req: NodeRequest, warnOnce: () => void): ArrayBuffer | string | undefined {
  if (req.rawBody instanceof Uint8Array) return arrayBuffer(req.rawBody);
  if (typeof req.rawBody === 'string') return req.rawBody;
  const body = reserialized(req.body, String(req.headers['content-type'] ?? ''));
  if (body !== undefined) warnOnce();
  return body;
}

/**
 * The request's body as it arrives, never buffered here: the API reads it under its own size
 * limit, so a body over `bodyLimitBytes` is refused (413) at its Content-Length or once that many
 * bytes came, as under @hono/node-server, rather than held in memory whole first.
 */
function bodyStream(req: NodeRequest): ReadableStream<Uint8Array> {
  const chunks = req[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(typeof value === 'string' ? encoder.encode(value) : (value as Uint8Array));
    },
  });
}

/**
 * The URL the API sees: `path` (which starts with `/`) appended to the scheme and the Host header.
 * Appended, not resolved against them, so a path like `//` or `//other.example/session` stays a
 * path; and a Host header that is no host (`a b`, `a:99999`) becomes `localhost`, so the API still
 * answers the request (4xx) instead of the adapter failing it with a 500. The API never takes its
 * own origin from Host (see client-address.ts), so nothing relies on it.
 */
function requestUrl(protocol: string, host: string, path: string): URL {
  let target = path.startsWith('/') ? path : `/${path}`;
  // absolute-form (`POST http://host/session HTTP/1.1`), which servers must accept: its path
  if (/^https?:\/\//i.test(path))
    try {
      const absolute = new URL(path);
      target = `${absolute.pathname}${absolute.search}`;
    } catch {
      // not a URL after all: a path that matches no route
    }
  if (/^(?:[\w.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(host)) {
    try {
      return new URL(`${protocol}://${host}${target}`);
    } catch {
      // a port over 65535, a bad IPv6 address: as any other malformed Host
    }
  }
  return new URL(`${protocol}://localhost${target}`);
}

async function writeResponse(res: NodeResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value) && !(await drained(res))) {
      // The client went away: nothing more reaches it, and the body's source can stop.
      await reader.cancel();
      return;
    }
  }
  res.end();
}

/**
 * Whether the response can take more after a full write: true at `drain`, false once the
 * connection closed, which a client that left (a closed tab) never drains.
 */
function drained(res: NodeResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (!res.once) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (drainedNow: boolean) => () => {
      res.removeListener?.('drain', onDrain);
      res.removeListener?.('close', onClose);
      resolve(drainedNow);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.once!('drain', onDrain);
    res.once!('close', onClose);
  });
}

/**
 * Express 4 and 5 / Connect middleware, also a plain `http.createServer` listener or a Next.js
 * Pages Router API route:
 *
 *     app.use('/api/layer', nodeLayerApi(api));
 *     http.createServer(nodeLayerApi(api, { basePath: '/api/layer' }));
 *     export default nodeLayerApi(api, { basePath: '/api/layer' }); // pages/api/layer/[...route].js
 *
 * Errors go to `next` when there is one (Express), otherwise they answer 500.
 */
export function nodeLayerApi(
  app: FetchApp,
  { basePath, warn = (message) => console.warn(message) }: NodeAdapterOptions = {},
): (req: NodeRequest, res: NodeResponse, next?: (error?: unknown) => void) => Promise<void> {
  let warned = false;
  const safeWarn = safeLogger(warn, 'warn');
  const warnOnce = () => {
    if (!warned) safeWarn(PARSED_BODY_WARNING);
    warned = true;
  };
  // It returns a promise that settles once the answer is written (and never rejects): Next.js's
  // Pages Router awaits an API route's handler, then warns if nothing was sent yet.
  return function layerApiMiddleware(req, res, next) {
    const handle = async () => {
      const method = (req.method ?? 'GET').toUpperCase();
      const host = String(req.headers.host ?? 'localhost');
      const protocol = req.socket?.encrypted ? 'https' : 'http';
      const url = requestUrl(protocol, host, stripBase(req.url ?? '/', basePath));
      const headers = headerList(req.headers);
      const init: RequestInit & { method: string; duplex?: 'half' } = { method, headers };
      if (NO_BODY.has(method)) {
        // GET, HEAD and OPTIONS carry none.
      } else if (!req.readableEnded) {
        // The bytes as sent, so Content-Length still describes them.
        Object.assign(init, { body: bodyStream(req), duplex: 'half' });
      } else {
        // A parser read it, and may have decoded (body-parser inflates gzip) or re-serialized it.
        forgetBodyFraming(headers);
        const body = parsedBody(req, warnOnce);
        if (body !== undefined) init.body = body;
      }
      const request = newRequest(url, init);
      // `incoming` as @hono/node-server passes it: the API finds the client's address there.
      const response = await app.fetch(request, { incoming: req, outgoing: res });
      await writeResponse(res, response);
    };
    return handle().catch((error: unknown) => {
      if (next) return next(error);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
}

/** Express's name for {@link nodeLayerApi}: `app.use('/api/layer', expressLayerApi(api))`. */
export const expressLayerApi = nodeLayerApi;

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyLikeInstance {
  prefix: string;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    contentType: string,
    parser: (
      request: unknown,
      payload: NodeRequest,
      done: (error: Error | null, body?: unknown) => void,
    ) => void,
  ): void;
  all(
    path: string,
    handler: (request: FastifyLikeRequest, reply: FastifyLikeReply) => Promise<unknown>,
  ): unknown;
}

export interface FastifyLikeRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  raw: NodeRequest;
  protocol?: string;
}

export interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  header(name: string, value: string | string[]): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}

/**
 * A Fastify plugin: `app.register(fastifyLayerApi(api), { prefix: '/api/layer' })`. Inside it,
 * Fastify's body parsers are replaced by one that passes the stream on unread, so the API reads it itself.
 */
export function fastifyLayerApi(app: FetchApp): (instance: FastifyLikeInstance) => Promise<void> {
  return async function layerApiPlugin(instance) {
    instance.removeAllContentTypeParsers();
    // The body stream, unread: the API reads it under its own size limit and answers a body over it
    // in its own error shape (Fastify's `parseAs` would buffer up to Fastify's bodyLimit, and answer
    // beyond it in Fastify's shape).
    instance.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const handler = async (request: FastifyLikeRequest, reply: FastifyLikeReply) => {
      const method = request.method.toUpperCase();
      const host = String(request.headers.host ?? 'localhost');
      const url = requestUrl(request.protocol ?? 'http', host, stripBase(request.url, instance.prefix));
      const headers = headerList(request.headers);
      const payload = request.body as NodeRequest | undefined;
      const init: RequestInit & { method: string; duplex?: 'half' } = { method, headers };
      if (!NO_BODY.has(method) && payload && Symbol.asyncIterator in payload)
        Object.assign(init, { body: bodyStream(payload), duplex: 'half' });
      // A preParsing hook (decompression: @fastify/compress leaves Content-Encoding as sent) may have
      // replaced the stream.
      if (payload !== request.raw) forgetBodyFraming(headers);
      const response = await app.fetch(newRequest(url, init), { incoming: request.raw });
      reply.code(response.status);
      const cookies = response.headers.getSetCookie();
      if (cookies.length) reply.header('set-cookie', cookies);
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') reply.header(name, value);
      });
      return reply.send(Buffer.from(await response.arrayBuffer()));
    };
    instance.all('/', handler);
    instance.all('/*', handler);
  };
}

export interface FetchHandlerOptions {
  /** Where the route handler is, e.g. `/api/layer` for app/api/layer/[...path]/route.ts. */
  basePath?: string;
}

type RouteHandler = (request: Request) => Promise<Response>;

/**
 * Next.js route handlers (and any framework with fetch-style handlers), in
 * app/api/layer/[...path]/route.ts:
 *
 *     export const { GET, POST, OPTIONS } = toFetchHandler(api, { basePath: '/api/layer' });
 */
export function toFetchHandler(
  app: FetchApp,
  { basePath }: FetchHandlerOptions = {},
): { GET: RouteHandler; HEAD: RouteHandler; POST: RouteHandler; OPTIONS: RouteHandler; fetch: RouteHandler } {
  const fetch: RouteHandler = async (request) => {
    const url = new URL(request.url);
    const path = stripBase(url.pathname + url.search, basePath);
    const method = request.method.toUpperCase();
    // The stream, not its bytes read here first: the API reads it under its own size limit.
    const body = NO_BODY.has(method) ? null : request.body;
    return app.fetch(
      // Appended to the origin, not resolved against it: `//x` stays a path (see requestUrl).
      new Request(`${url.origin}${path}`, {
        method,
        headers: request.headers,
        signal: request.signal,
        ...(body ? { body, duplex: 'half' } : {}),
      } as RequestInit),
    );
  };
  return { GET: fetch, HEAD: fetch, POST: fetch, OPTIONS: fetch, fetch };
}
