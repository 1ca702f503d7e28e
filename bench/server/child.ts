/**
 * One server of the throughput bench in its own process: `node --import tsx bench/server/child.ts
 * <kind>`, forked by bench/server.ts with an IPC channel. Kinds:
 * - `stub`: an instant Plaid (node:http, canned answers shaped like Plaid's OpenAPI);
 * - `ours`, `ours-redis`: createLayerApi on @hono/node-server, as a partner runs it;
 * - `floor`: bare node:http making the same upstream call with `fetch`;
 * - `express`: Express 5 + the official `plaid` client (the layer-quickstart shape).
 * Each tells the parent `{ port }` once listening, and answers `{ measure: 'start' }` /
 * `{ measure: 'stop' }` with its CPU time (user + system, µs) since start and its RSS, so CPU per
 * request is this process's own.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import { AUTOFILL_IDENTITY } from '../../emulator/sandbox-users.js';

const kind = process.argv[2];
const env = JSON.parse(process.argv[3] ?? '{}') as {
  plaidUrl?: string;
  redisUrl?: string;
  origin?: string;
};

const CLIENT_ID = 'bench-client-id';
const SECRET = 'bench-secret';
const TEMPLATE_ID = 'template_bench';
const SESSION_SECRET = 'bench-session-secret-0123456789abcdef0123';
/** High enough never to refuse: every request counts in the store and none is cut short. */
const UNREACHED = { limit: 1_000_000_000, windowSeconds: 600 };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// ── the instant Plaid ──────────────────────────────────────────────────────────────────────────

// Leslie's identity as Plaid returns it (the emulator's sandbox data), with the phone and last 4.
const IDENTITY = {
  ...AUTOFILL_IDENTITY,
  phone_number: '+14155550011',
  ssn_last_4: AUTOFILL_IDENTITY.ssn!.slice(-4),
};

function startStub(): Promise<number> {
  let counter = 0;
  const server = createServer((req, res) => {
    void readBody(req).then(() => {
      counter += 1;
      const request_id = `bench${counter}`;
      if (req.url === '/session/token/create')
        return sendJson(
          res,
          200,
          JSON.stringify({
            link: {
              link_token: `link-sandbox-bench-${process.pid}-${counter}`,
              expiration: new Date(Date.now() + 4 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
            },
            request_id,
          }),
        );
      if (req.url === '/user_account/session/get')
        return sendJson(
          res,
          200,
          JSON.stringify({
            identity: IDENTITY,
            items: [{ item_id: `item-bench-${counter}`, access_token: `access-sandbox-bench-${counter}` }],
            identity_edit_history: null,
            request_id,
          }),
        );
      sendJson(
        res,
        404,
        JSON.stringify({
          error_type: 'INVALID_REQUEST',
          error_code: 'NOT_FOUND',
          error_message: 'not found',
          display_message: null,
          request_id,
        }),
      );
    });
  });
  return listen(server);
}

// ── ours ───────────────────────────────────────────────────────────────────────────────────────

async function startOurs(withRedis: boolean): Promise<number> {
  const { serve } = await import('@hono/node-server');
  const { createLayerApi } = await import('../../server/index.js');
  const store = withRedis
    ? (await import('../../server/redis-store.js')).createRedisStore({
        url: env.redisUrl!,
        prefix: `bench${process.pid}:`,
        logger: false,
      })
    : undefined;
  const api = createLayerApi({
    plaid: { clientId: CLIENT_ID, secret: SECRET, basePath: env.plaidUrl! },
    templateId: TEMPLATE_ID,
    sessionSecret: SESSION_SECRET,
    // Every limit on, as by default, but out of reach: one load generator is one visitor.
    rateLimits: {
      linkTokenPerVisitor: UNREACHED,
      linkTokenPerAddress: UNREACHED,
      sessionPerVisitor: UNREACHED,
    },
    // A partner's own logger would cost what it costs; the default writes a line to stdout a request.
    logger: false,
    allowedOrigins: [env.origin!],
    ...(store ? { store } : {}),
  });
  return new Promise((resolve) => {
    serve({ fetch: api.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(info.port));
  });
}

// ── the floor ──────────────────────────────────────────────────────────────────────────────────

function startFloor(): Promise<number> {
  const plaid = env.plaidUrl!;
  const headers = {
    'Content-Type': 'application/json',
    'PLAID-CLIENT-ID': CLIENT_ID,
    'PLAID-SECRET': SECRET,
  };
  const upstream = async (path: string, body: unknown) => {
    const response = await fetch(`${plaid}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const data = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`Plaid ${response.status}`);
    return data;
  };
  let counter = 0;
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = JSON.parse((await readBody(req)) || '{}') as { public_token?: string };
        if (req.method === 'POST' && req.url === '/link-token') {
          counter += 1;
          const data = (await upstream('/session/token/create', {
            template_id: TEMPLATE_ID,
            user: { client_user_id: `visitor-${counter}` },
          })) as { link: { link_token: string; expiration: string } };
          return sendJson(
            res,
            200,
            JSON.stringify({ link_token: data.link.link_token, expiration: data.link.expiration }),
          );
        }
        if (req.method === 'POST' && req.url === '/session') {
          const data = (await upstream('/user_account/session/get', { public_token: body.public_token })) as {
            identity: typeof IDENTITY;
            items: { item_id: string }[];
          };
          const { identity } = data;
          return sendJson(
            res,
            200,
            JSON.stringify({
              profile: {
                name: identity.name,
                address: identity.address,
                phone_number: identity.phone_number,
                email: identity.email,
                date_of_birth: identity.date_of_birth,
                ssn_last_4: identity.ssn_last_4,
              },
              items: data.items.map(({ item_id }) => ({ item_id })),
            }),
          );
        }
        sendJson(res, 404, '{"error":{"code":"NOT_FOUND"}}');
      } catch {
        sendJson(res, 502, '{"error":{"code":"PLAID_ERROR"}}');
      }
    })();
  });
  return listen(server);
}

// ── Express 5 + plaid, the layer-quickstart shape ──────────────────────────────────────────────

async function startExpress(): Promise<number> {
  const { default: express } = await import('express');
  const { Configuration, PlaidApi } = await import('plaid');
  const client = new PlaidApi(
    new Configuration({
      basePath: env.plaidUrl!,
      baseOptions: { headers: { 'PLAID-CLIENT-ID': CLIENT_ID, 'PLAID-SECRET': SECRET } },
    }),
  );
  const app = express();
  app.use(express.json());
  let counter = 0;
  app.post('/link-token', async (_req, res) => {
    try {
      counter += 1;
      const { data } = await client.sessionTokenCreate({
        template_id: TEMPLATE_ID,
        user: { client_user_id: `visitor-${counter}` },
      });
      res.json({ link_token: data.link?.link_token, expiration: data.link?.expiration });
    } catch {
      res.status(502).json({ error: { code: 'PLAID_ERROR' } });
    }
  });
  app.post('/session', async (req, res) => {
    try {
      const { data } = await client.userAccountSessionGet({
        public_token: (req.body as { public_token: string }).public_token,
      });
      const identity = data.identity;
      res.json({
        profile: {
          name: identity?.name ?? null,
          address: identity?.address ?? null,
          phone_number: identity?.phone_number ?? null,
          email: identity?.email ?? null,
          date_of_birth: identity?.date_of_birth ?? null,
          ssn_last_4: identity?.ssn_last_4 ?? null,
        },
        items: data.items.map(({ item_id }) => ({ item_id })),
      });
    } catch {
      res.status(502).json({ error: { code: 'PLAID_ERROR' } });
    }
  });
  return listen(createServer(app));
}

function listen(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

const starters: Record<string, () => Promise<number>> = {
  stub: startStub,
  ours: () => startOurs(false),
  'ours-redis': () => startOurs(true),
  floor: startFloor,
  express: startExpress,
};

const start = starters[kind ?? ''];
if (!start || !process.send) {
  console.error(`usage: fork bench/server/child.ts <${Object.keys(starters).join('|')}> [env json]`);
  process.exit(1);
}
let cpuAtStart = process.cpuUsage();
process.on('message', (message: { measure?: 'start' | 'stop' }) => {
  if (message.measure === 'start') {
    cpuAtStart = process.cpuUsage();
    process.send!({ measured: 'start' });
  } else if (message.measure === 'stop') {
    const { user, system } = process.cpuUsage(cpuAtStart);
    process.send!({ measured: 'stop', cpuMicros: user + system, rss: process.memoryUsage().rss });
  }
});
// The parent gone, nothing is left behind.
process.on('disconnect', () => process.exit(0));
process.send({ port: await start() });
