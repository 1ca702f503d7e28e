// `npm start`: the built app (dist/) and the Layer backend on one origin, with Node's own http
// server. PORT (default 0: any free port) and HOST (default 127.0.0.1) choose where it listens.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

import { createBackend } from './backend.mjs';

const DIST = fileURLToPath(new URL('./dist/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** dist/ as a single-page app: a file if there is one, index.html otherwise. */
async function serveStatic(request, response) {
  const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
  let file = join(DIST, path);
  if (!file.startsWith(DIST) || !(await stat(file).catch(() => null))?.isFile())
    file = join(DIST, 'index.html');
  response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
}

const host = process.env.HOST ?? '127.0.0.1';
let backend;
const server = createServer((request, response) => {
  if (!backend) return response.writeHead(503).end();
  backend.handle(request, response, () => {
    serveStatic(request, response).catch(() => response.writeHead(500).end());
  });
});
server.listen(Number(process.env.PORT ?? 0), host, () => {
  const { port } = server.address();
  const origin = `http://${host}:${port}`;
  backend = createBackend(origin);
  process.stdout.write(`listening on ${origin}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    backend?.close().finally(() => process.exit(0));
  });
