/**
 * The one origin the browser benchmarks load their pages from: a small `node:http` server in the
 * bench process that serves the pages and scripts it is given, gzip -9 precompressed (as a CDN
 * would serve them), and passes `/api/…` and `/plaid/…` on to the real `npm start` server (our
 * backend and the Plaid emulator, with its Link script). Every page, ours or not, takes the same
 * network path to the same backend and the same Link script.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface BenchFile {
  body: string | Buffer;
  type: string;
}

export interface BenchSite {
  url: string;
  stop: () => Promise<void>;
}

const PASSED_ON = /^\/(api|plaid)\//;

export async function startBenchSite(
  files: Record<string, BenchFile>,
  backendUrl: string,
): Promise<BenchSite> {
  const backend = new URL(backendUrl);
  const served = new Map(
    Object.entries(files).map(([path, { body, type }]) => {
      const raw = Buffer.from(body);
      return [path, { raw, gzip: gzipSync(raw, { level: 9 }), type }];
    }),
  );
  let origin = '';
  const passOn = (req: IncomingMessage, res: ServerResponse) => {
    const headers = { ...req.headers, host: backend.host };
    // The backend sees the request as if the page were its own (it is, through this server).
    if (headers.origin === origin) headers.origin = backend.origin;
    delete headers.referer;
    const upstream = request(
      { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (PASSED_ON.test(path)) return passOn(req, res);
    const file = served.get(path);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    const body = gzip ? file.gzip : file.raw;
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
