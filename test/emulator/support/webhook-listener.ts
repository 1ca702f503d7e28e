/** A local HTTP listener (127.0.0.1, ephemeral port) that keeps every webhook it receives, raw. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** The exact bytes received, as text: what the signature covers. */
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** `performance.now()` when it arrived. */
  at: number;
  /** The status the listener answered, or null if it let the request hang. */
  status: number | null;
}

export interface ListenerOptions {
  /** The status to answer the `index`-th webhook (0-based) with; null leaves it unanswered. Default 200. */
  status?: (index: number) => number | null;
}

export interface WebhookListener {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves with the webhooks for `linkToken` once `count` of them have arrived, in arrival order. */
  waitFor: (linkToken: string, count: number) => Promise<ReceivedWebhook[]>;
  close: () => Promise<void>;
}

export async function listenForWebhooks({
  status = () => 200,
}: ListenerOptions = {}): Promise<WebhookListener> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = status(received.length);
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        headers: request.headers,
        at: performance.now(),
        status: answer,
      });
      if (answer !== null)
        response.writeHead(answer, { 'Content-Type': 'application/json' }).end('{"received":true}');
      waiters.splice(0).forEach((wake) => wake());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    waitFor: (linkToken, count) =>
      new Promise((resolve) => {
        const check = () => {
          // Other tests' sessions may deliver to the same listener: keep to this link token's.
          const mine = received.filter((webhook) => JSON.parse(webhook.body).link_token === linkToken);
          if (mine.length >= count) resolve(mine.slice(0, count));
          else waiters.push(check);
        };
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
