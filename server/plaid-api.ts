/**
 * The `plaid` client from credentials. Its own module, so that only what builds a client imports
 * `plaid` (9.7 MB of api.js): the API itself starts loading it when it is created, without
 * waiting for it (plaid-client.ts's lazyPlaidClient).
 */
import { Configuration, PlaidApi } from 'plaid';

import { PLAID_HOSTS, SAFE_TRANSPORT, type PlaidCredentials } from './plaid-client.js';

/** A `plaid` client from credentials; the secret travels in headers, never in bodies we build. */
export function createPlaidClient({
  clientId,
  secret,
  env = 'sandbox',
  basePath,
}: PlaidCredentials): PlaidApi {
  return new PlaidApi(
    new Configuration({
      basePath: basePath ?? PLAID_HOSTS[env],
      baseOptions: {
        headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret },
        ...SAFE_TRANSPORT,
      },
    }),
  );
}
