/**
 * `POST /network/status/get`: does Plaid know this phone number, and would the template's Layer
 * session serve it (LAYER.md §1.4)? Plaid recommends the browser-side `submit()` check instead.
 */
import { Hono } from 'hono';
import type { NetworkStatusGetRequest, NetworkStatusGetResponse } from 'plaid';

import type { EmulatorContext } from '../context.js';
import { checkPhone, E164, networkStatus } from '../eligibility.js';
import { PlaidApiError } from '../plaid-error.js';
import { findTemplate } from '../templates.js';
import type { ObjectSpec } from './body-spec.js';
import { plaidRequest, type PlaidEnv } from './plaid-request.js';

/** From `NetworkStatusGetRequest` and `NetworkStatusGetUser` (which allows extra properties). */
const SPEC: ObjectSpec = {
  fields: {
    user: { fields: { phone_number: 'text' }, required: ['phone_number'], open: true },
    template_id: 'text',
  },
  required: ['user'],
};

export function networkStatusRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();

  app.post('/network/status/get', plaidRequest(ctx, '/network/status/get', SPEC), (c) => {
    const body = c.var.body as unknown as NetworkStatusGetRequest;
    const phoneNumber = body.user.phone_number;
    if (!E164.test(phoneNumber))
      throw new PlaidApiError('INVALID_FIELD', { message: 'user.phone_number must be in E.164 format' });
    const template =
      body.template_id === undefined ? undefined : findTemplate(ctx.options.templates, body.template_id);
    if (body.template_id !== undefined && !template)
      throw new PlaidApiError('INVALID_FIELD', { message: `template_id ${body.template_id} not found` });

    const response: NetworkStatusGetResponse = {
      network_status: networkStatus(phoneNumber) as NetworkStatusGetResponse['network_status'],
      layer: template ? { eligible: checkPhone(phoneNumber, template).event === 'LAYER_READY' } : null,
      request_id: c.var.requestId,
    };
    return c.json(response, 200);
  });

  return app;
}
