/**
 * Node-test harness: an emulator served by @hono/node-server on an ephemeral 127.0.0.1 port, and
 * the official `plaid` client pointed at it, exactly as an integration would point it.
 */
import type { AddressInfo } from 'node:net';

import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { Configuration, PlaidApi } from 'plaid';

import {
  createPlaidEmulator,
  EMULATOR_CLIENT_ID,
  EMULATOR_SECRET,
  EMULATOR_TEMPLATE_ID,
  type PlaidEmulator,
  type PlaidEmulatorOptions,
} from '../../../emulator/index.js';

export type JsonBody = Record<string, unknown>;

export interface RunningEmulator {
  /** Where the emulator's routes start (its origin, plus the mount prefix if any). */
  base: string;
  /** The emulator itself: `close()`, `rotateWebhookKey()`, `webhooksIdle()`, `stats()`. */
  emulator: PlaidEmulator;
  plaid: PlaidApi;
  /** A client with other credentials. */
  clientWith: (headers: Record<string, string>) => PlaidApi;
  /** POST JSON to any route of the emulator. */
  post: (
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ status: number; body: JsonBody }>;
  /** A Layer link token from `/session/token/create`. */
  linkToken: (options?: { templateId?: string; webhook?: string; redirectUri?: string }) => Promise<string>;
  /** A whole Layer Link session, as `/emulator/sessions/complete` runs it: its public token. */
  publicToken: (
    phoneNumber: string,
    options?: { templateId?: string; dateOfBirth?: string; webhook?: string; redirectUri?: string },
  ) => Promise<string>;
  close: () => Promise<void>;
}

export async function startEmulator(
  options: PlaidEmulatorOptions = {},
  mountAt = '',
): Promise<RunningEmulator> {
  const emulator = createPlaidEmulator(options);
  const app = mountAt ? new Hono().route(mountAt, emulator) : emulator;
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${mountAt}`;
  const clientWith = (headers: Record<string, string>) =>
    new PlaidApi(new Configuration({ basePath: base, baseOptions: { headers } }));
  const post: RunningEmulator['post'] = async (path, body, headers = {}) => {
    const response = await fetch(base + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as JsonBody };
  };
  const plaid = clientWith({
    'PLAID-CLIENT-ID': options.clientId ?? EMULATOR_CLIENT_ID,
    'PLAID-SECRET': options.secret ?? EMULATOR_SECRET,
  });
  const linkToken: RunningEmulator['linkToken'] = async ({
    templateId = EMULATOR_TEMPLATE_ID,
    webhook,
    redirectUri,
  } = {}) => {
    const { data } = await plaid.sessionTokenCreate({
      template_id: templateId,
      user: { client_user_id: 'node-test-user' },
      ...(webhook && { webhook }),
      ...(redirectUri && { redirect_uri: redirectUri }),
    });
    return data.link!.link_token;
  };
  return {
    base,
    emulator,
    plaid,
    clientWith,
    post,
    linkToken,
    publicToken: async (phoneNumber, { dateOfBirth, ...tokenOptions } = {}) => {
      const { status, body } = await post('/emulator/sessions/complete', {
        link_token: await linkToken(tokenOptions),
        phone_number: phoneNumber,
        ...(dateOfBirth && { date_of_birth: dateOfBirth }),
      });
      if (status !== 200) throw new Error(`sessions/complete answered ${status}: ${JSON.stringify(body)}`);
      return body.public_token as string;
    },
    close: async () => {
      await emulator.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

/** The Plaid error a rejected `plaid` client call carried: its HTTP status and body. */
export async function plaidFailure(call: Promise<unknown>): Promise<{ status: number; body: JsonBody }> {
  try {
    await call;
  } catch (error) {
    // The plaid client rejects with an axios error; only its response matters (its config holds the secret).
    const response = (error as { response?: { status: number; data: JsonBody } }).response;
    if (response) return { status: response.status, body: response.data };
    throw error;
  }
  throw new Error('expected the Plaid call to fail');
}

export const credentials = { 'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID, 'PLAID-SECRET': EMULATOR_SECRET };
