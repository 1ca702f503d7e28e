/**
 * Property-based fuzzing of Hono apps in-process (`app.request()`, no ports), shared by
 * test/server/fuzz.test.ts and test/emulator/fuzz.test.ts.
 *
 * The generators lean towards requests that get far into a route (its method, the allowed origin,
 * JSON, a body close to a valid one) and mix in everything a client can send instead: any method,
 * path, header value, `Content-Length`, `__proto__`/`constructor` keys, deep nesting, long strings,
 * bytes that are not UTF-8, bodies that are not JSON.
 *
 *   FUZZ_RUNS    cases per route (default 200: the short run in `npm test`; `npm run test:fuzz` 10,000)
 *   FUZZ_SEED    replay a run: the seed a failure printed (default: a new one each run)
 *   FUZZ_REPORT  set: print cases and time per route
 */
import fc from 'fast-check';

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);
if (!(FUZZ_RUNS >= 1)) throw new Error(`FUZZ_RUNS must be a number ≥ 1, got "${process.env.FUZZ_RUNS}"`);
export const FUZZ_SEED = process.env.FUZZ_SEED
  ? Number(process.env.FUZZ_SEED)
  : Date.now() ^ (Math.random() * 2 ** 31);

/** One generated request: what `app.request()` is given. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** `undefined`: no body (always so for GET and HEAD). */
  body?: string | Uint8Array;
}

/** A request and the socket address it seems to come from (Hono's env under @hono/node-server). */
export interface FuzzCase {
  request: FuzzRequest;
  address: string | undefined;
}

/** TRACE and CONNECT are left out: `new Request()` refuses them, so `app.request()` cannot send them. */
export const ANY_METHOD = fc.constantFrom(
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'PROPFIND',
  'post',
);

/** Object keys that name Object.prototype members, or look like they could reach it. */
const NASTY_KEYS = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'polluted',
  '',
);

const KEY = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: NASTY_KEYS },
);

/** Any JSON value, with prototype-named keys in its objects. */
export const JSON_VALUE: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(KEY, tie('value'), { maxKeys: 5 }),
  ),
})).value;

/**
 * JSON text of `{...base, ...extra}`, with some keys written raw so that `"__proto__"` survives
 * (JSON.stringify of an object drops an own `__proto__` only when it was set by assignment; a
 * dictionary from fast-check has it as an own key, which stringify keeps — both shapes are made).
 */
export function jsonObjectText(base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  return fc
    .tuple(
      base,
      fc.oneof(
        { weight: 6, arbitrary: fc.constant({}) },
        { weight: 4, arbitrary: fc.dictionary(KEY, JSON_VALUE, { maxKeys: 3 }) },
      ),
      fc.integer({ min: 0, max: 9 }).map((roll) => roll < 2),
    )
    .map(([valid, extra, rawProto]) => {
      const text = JSON.stringify({ ...valid, ...extra });
      return rawProto
        ? `${text.slice(0, -1)}${text === '{}' ? '' : ','}"__proto__":{"polluted":true}}`
        : text;
    });
}

/** Nested deeper than any parser's comfort (`[[[[…]]]]` or `{"a":{"a":…}}`). */
const DEEP = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Strings around and past the usual body limits (16 KB backend, 64 KB emulator). */
const HUGE = fc
  .tuple(fc.constantFrom(1_000, 16_000, 16_384, 16_385, 65_536, 65_537, 300_000), fc.boolean())
  .map(([size, quoted]) => (quoted ? JSON.stringify({ padding: 'x'.repeat(size) }) : 'x'.repeat(size)));

/** Bytes that are not UTF-8 (lone continuation bytes, overlongs, surrogates encoded raw, NUL). */
const INVALID_UTF8 = fc
  .tuple(
    fc.constantFrom('{"public_token":"', '{"', '', '{"link_token":"'),
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
    fc.constantFrom(
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xff, 0xfe],
      [0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0x00],
    ),
  )
  .map(([prefix, random, bad]) => {
    const head = new TextEncoder().encode(prefix);
    const out = new Uint8Array(head.length + random.length + bad.length + 2);
    out.set(head, 0);
    out.set(random, head.length);
    out.set(bad, head.length + random.length);
    out.set([0x22, 0x7d], head.length + random.length + bad.length);
    return out;
  });

/** A body for a route whose valid bodies `valid` makes. */
export function bodyFor(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 6, arbitrary: jsonObjectText(valid) },
    { weight: 2, arbitrary: JSON_VALUE.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', '{', '{"a":', 'null', '[]', '"x"', '1e999', '{}garbage', '\u0000'),
    },
    { weight: 1, arbitrary: DEEP },
    { weight: 1, arbitrary: HUGE },
    { weight: 1, arbitrary: INVALID_UTF8 },
  );
}

/** Any header value a client could put on the wire (visible ASCII and spaces, tabs, latin-1). */
export const HEADER_VALUE = fc.oneof(
  fc.string({ maxLength: 60 }).map((value) => value.replace(/[^\t\x20-\x7e]/g, '').trim()),
  fc
    .string({ unit: 'binary', maxLength: 40 })
    .map((value) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '').trim()),
);

export const CONTENT_TYPE = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json;charset=latin1',
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'application/merge-patch+json',
      '',
    ),
  },
  { weight: 1, arbitrary: HEADER_VALUE },
);

export const CONTENT_LENGTH = fc.oneof(
  fc.nat({ max: 2_000_000 }).map(String),
  fc.constantFrom('-1', 'abc', '1e3', '0x10', ' 12', '99999999999999999999', ''),
);

/** A path around `route`: it, with a query or fragment, a trailing slash, encodings, and others. */
export function pathAround(route: string, others: readonly string[]): fc.Arbitrary<string> {
  const segment = fc.webSegment();
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant(route) },
    { weight: 1, arbitrary: fc.tuple(fc.webQueryParameters()).map(([query]) => `${route}?${query}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${route}/`,
        `${route}//`,
        route.toUpperCase(),
        `${route}%00`,
        `${route}%0D%0APOST%20/x%20200`,
        `${route}/..`,
        `/..${route}`,
        `${route};x=1`,
        `${route}%2F`,
        `/%2e%2e${route}`,
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
    {
      weight: 1,
      arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
    },
  );
}

/** Object.prototype as it is now, to compare after a run. */
export function prototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

/** Throws if anything reached Object.prototype or a plain object's inherited keys. */
export function assertNoPollution(before: string[]): void {
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'a', 'x', 'padding', 'public_token', 'link_token', 'isAdmin'])
    if (probe[key] !== undefined) throw new Error(`Object.prototype.${key} was set: ${String(probe[key])}`);
  const after = prototypeSnapshot();
  if (after.join() !== before.join())
    throw new Error(`Object.prototype changed: ${before.join()} → ${after.join()}`);
  for (const key of before) {
    const descriptor = Object.getOwnPropertyDescriptor(Object.prototype, key);
    if (descriptor && 'value' in descriptor && typeof descriptor.value !== 'function' && key !== '__proto__')
      throw new Error(`Object.prototype.${key} is now ${String(descriptor.value)}`);
  }
}

/**
 * Everything written to stderr (process.stderr.write, console.error/warn) while `run` runs, kept
 * from the terminal; restored afterwards, whatever happens.
 */
export async function captureStderr<T>(run: () => Promise<T>): Promise<{ result: T; stderr: string[] }> {
  const stderr: string[] = [];
  const write = process.stderr.write;
  const { error, warn, trace } = console;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  }) as typeof process.stderr.write;
  console.error =
    console.warn =
    console.trace =
      (...args: unknown[]) => {
        stderr.push(args.map(String).join(' '));
      };
  try {
    return { result: await run(), stderr };
  } finally {
    process.stderr.write = write;
    Object.assign(console, { error, warn, trace });
  }
}

/** Sends a generated request to an app in-process. */
export async function send(
  app: { request: (input: string, init?: RequestInit, env?: object) => Response | Promise<Response> },
  origin: string,
  { request, address }: FuzzCase,
): Promise<Response> {
  const method = request.method.toUpperCase();
  const init: RequestInit = {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined &&
      method !== 'GET' &&
      method !== 'HEAD' && { body: request.body as BodyInit }),
  };
  const env = address === undefined ? undefined : { incoming: { socket: { remoteAddress: address } } };
  return app.request(`${origin}${request.path}`, init, env);
}

/** What a property's failure should show: the request without multi-kilobyte bodies. */
export function describeCase({ request, address }: FuzzCase): string {
  const body =
    request.body === undefined
      ? 'none'
      : typeof request.body === 'string'
        ? `${JSON.stringify(request.body.slice(0, 300))}${request.body.length > 300 ? `… (${request.body.length} chars)` : ''}`
        : `${request.body.length} bytes`;
  return `${request.method} ${request.path} from ${address ?? 'no address'}\nheaders: ${JSON.stringify(request.headers)}\nbody: ${body}`;
}

export interface RouteRun {
  route: string;
  cases: number;
  ms: number;
  /** How many cases got each status: shows the run reached the routes' work, not only refusals. */
  statuses: Map<number, number>;
}

/** Cases and time per route, printed by `npm run test:fuzz`. */
export const ROUTE_RUNS: RouteRun[] = [];

/**
 * Runs `check` on FUZZ_RUNS generated cases with the run's seed; a failure names the seed and the
 * shrunk counter-example, and how to replay it.
 */
export async function fuzzRoute<T>(
  route: string,
  arbitrary: fc.Arbitrary<T>,
  /** Throws if a property does not hold; returns the answer's status. */
  check: (value: T) => Promise<number>,
  { runs = FUZZ_RUNS }: { runs?: number } = {},
): Promise<void> {
  const started = performance.now();
  let cases = 0;
  const statuses = new Map<number, number>();
  // Each route its own stream of cases, all derived from the one seed a run prints.
  const seed = [...route].reduce(
    (hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619),
    FUZZ_SEED | 0,
  );
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      cases += 1;
      const status = await check(value);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }),
    { numRuns: runs, seed, endOnFailure: false, interruptAfterTimeLimit: 15 * 60 * 1000 },
  );
  const ms = performance.now() - started;
  ROUTE_RUNS.push({ route, cases, ms, statuses });
  if (details.failed) {
    const example = details.counterexample?.[0] as FuzzCase | undefined;
    throw new Error(
      `fuzz ${route} failed after ${details.numRuns} cases (run seed ${FUZZ_SEED}, route seed ${details.seed}, path "${details.counterexamplePath}").\n` +
        `Replay: FUZZ_SEED=${FUZZ_SEED} FUZZ_RUNS=${runs} node --import tsx --test <this file>\n` +
        (example?.request ? `${describeCase(example)}\n` : `${JSON.stringify(details.counterexample)}\n`) +
        String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance),
    );
  }
  if (details.interrupted) throw new Error(`fuzz ${route}: ran out of time after ${details.numRuns} cases`);
}

/** The per-route table `npm run test:fuzz` prints. */
export function reportRuns(title: string): void {
  if (!process.env.FUZZ_REPORT) return;
  const total = ROUTE_RUNS.reduce((sum, run) => sum + run.cases, 0);
  const lines = ROUTE_RUNS.map(
    (run) =>
      `  ${run.route.padEnd(44)} ${String(run.cases).padStart(7)} cases  ${(run.ms / 1000).toFixed(1).padStart(7)} s  ${String(Math.round((run.cases / run.ms) * 1000)).padStart(5)}/s  ` +
      [...run.statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}×${count}`)
        .join(' '),
  );
  console.log(
    `\n${title} (seed ${FUZZ_SEED}):\n${lines.join('\n')}\n  ${'total'.padEnd(44)} ${String(total).padStart(7)} cases\n`,
  );
}
