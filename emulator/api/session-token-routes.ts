/** `POST /session/token/create`: a link token for a Layer Link session (LAYER.md §1.1). */
import { Hono } from 'hono';
import type { SessionTokenCreateRequest, SessionTokenCreateResponse } from 'plaid';

import type { EmulatorContext } from '../context.js';
import { newLinkToken } from '../ids.js';
import { PlaidApiError } from '../plaid-error.js';
import { LINK_TOKEN_LIFETIME_MS } from '../state.js';
import { DEFAULT_CLIENT_NAME, findTemplate } from '../templates.js';
import type { ObjectSpec } from './body-spec.js';
import { isoSeconds, plaidRequest, type PlaidEnv } from './plaid-request.js';
import { checkRedirectUri } from './redirect-uri.js';

/** From `SessionTokenCreateRequest` in the OpenAPI spec. */
const SPEC: ObjectSpec = {
  fields: {
    template_id: 'text',
    user: { fields: { client_user_id: 'text', user_id: 'text' }, required: ['client_user_id'] },
    redirect_uri: 'string',
    android_package_name: 'string',
    webhook: 'url',
    user_id: 'text',
  },
  required: ['template_id'],
};

/** Plaid asks for an opaque `client_user_id`; an email address or phone number is PII. */
const LOOKS_LIKE_PII = /^[^@\s]+@[^@\s]+\.[^@\s]+$|^\+?\d[\d\s().-]{8,}\d$/;

export function sessionTokenRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();

  app.post('/session/token/create', plaidRequest(ctx, '/session/token/create', SPEC), (c) => {
    const body = c.var.body as unknown as SessionTokenCreateRequest;
    if (!body.user && !body.user_id)
      throw new PlaidApiError('MISSING_FIELDS', {
        message: 'the following required fields are missing: user',
      });
    if (body.user && LOOKS_LIKE_PII.test(body.user.client_user_id))
      throw new PlaidApiError('INVALID_FIELD', {
        message:
          'client_user_id must not contain personally identifiable information such as an email or phone number',
      });
    const template = findTemplate(ctx.options.templates, body.template_id);
    if (!template)
      throw new PlaidApiError('INVALID_FIELD', { message: `template_id ${body.template_id} not found` });
    if (body.redirect_uri) checkRedirectUri(body.redirect_uri, ctx.options.redirectUris);

    const linkToken = newLinkToken();
    const expiresAt = ctx.options.now() + LINK_TOKEN_LIFETIME_MS;
    ctx.tidy();
    ctx.state.addLinkToken({
      linkToken,
      expiresAt,
      templateId: body.template_id,
      webhook: body.webhook ?? ctx.options.webhookUrl,
      redirectUri: body.redirect_uri ?? null,
      clientName: template.clientName ?? DEFAULT_CLIENT_NAME,
      used: false,
      revoked: false,
    });
    const response: SessionTokenCreateResponse = {
      link: { link_token: linkToken, expiration: isoSeconds(expiresAt) },
      request_id: c.var.requestId,
    };
    return c.json(response, 200);
  });

  return app;
}
