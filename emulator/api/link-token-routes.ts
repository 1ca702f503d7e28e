/**
 * `POST /link/token/create`: a link token for the ordinary (non-Layer) Link flow, which an
 * integration falls back to when Layer cannot serve the user (LAYER.md §1.2). With the legacy
 * `products: ['layer']` the token starts a Layer Link session with the default template.
 */
import { Hono } from 'hono';
import type { LinkTokenCreateRequest, LinkTokenCreateResponse } from 'plaid';

import type { EmulatorContext } from '../context.js';
import { newLinkToken } from '../ids.js';
import { PlaidApiError } from '../plaid-error.js';
import { LINK_TOKEN_LIFETIME_MS } from '../state.js';
import { EMULATOR_TEMPLATE_ID } from '../templates.js';
import type { FieldSpec, ObjectSpec } from './body-spec.js';
import { isoSeconds, plaidRequest, type PlaidEnv } from './plaid-request.js';
import { checkRedirectUri } from './redirect-uri.js';

/** Every property of `LinkTokenCreateRequest`; nested product options are accepted unchecked. */
const OTHER_FIELDS = [
  'required_if_supported_products',
  'optional_products',
  'additional_consented_products',
  'access_token',
  'access_tokens',
  'link_customization_name',
  'appearance_mode',
  'android_package_name',
  'institution_data',
  'card_switch',
  'account_filters',
  'eu_config',
  'institution_id',
  'payment_configuration',
  'payment_initiation',
  'employment',
  'income_verification',
  'base_report',
  'credit_partner_insights',
  'cra_options',
  'consumer_report_permissible_purpose',
  'auth',
  'transfer',
  'update',
  'identity_verification',
  'statements',
  'third_party_user_token',
  'investments',
  'investments_auth',
  'hosted_link',
  'transactions',
  'cashflow_report',
  'cra_enabled',
  'identity',
  'financekit_supported',
  'enable_multi_item_link',
  'user_token',
] as const;

/** From `LinkTokenCreateRequest` and `LinkTokenCreateRequestUser` in the OpenAPI spec. */
const SPEC: ObjectSpec = {
  fields: {
    client_name: 'text',
    language: 'text',
    country_codes: 'text[]',
    user: {
      fields: {
        client_user_id: 'text',
        legal_name: 'string',
        name: 'any',
        phone_number: 'string',
        phone_number_verified_time: 'any',
        email_address: 'string',
        email_address_verified_time: 'any',
        ssn: 'string',
        date_of_birth: 'any',
        address: 'any',
        id_number: 'any',
      },
      required: ['client_user_id'],
    },
    user_id: 'text',
    products: 'text[]',
    webhook: 'url',
    redirect_uri: 'string',
    ...(Object.fromEntries(OTHER_FIELDS.map((name) => [name, 'any'])) as Record<string, FieldSpec>),
  },
  required: ['client_name', 'language', 'country_codes'],
};

export function linkTokenRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();

  app.post('/link/token/create', plaidRequest(ctx, '/link/token/create', SPEC), (c) => {
    const body = c.var.body as unknown as LinkTokenCreateRequest;
    if (!body.user && !body.user_id)
      throw new PlaidApiError('MISSING_FIELDS', {
        message: 'the following required fields are missing: user',
      });
    if (body.country_codes.length === 0)
      throw new PlaidApiError('INVALID_FIELD', {
        message: 'country_codes must contain at least one country',
      });

    if (body.redirect_uri) checkRedirectUri(body.redirect_uri, ctx.options.redirectUris);

    const layer = (body.products as string[] | null | undefined)?.includes('layer') ?? false;
    const linkToken = newLinkToken();
    const expiresAt = ctx.options.now() + LINK_TOKEN_LIFETIME_MS;
    ctx.tidy();
    ctx.state.addLinkToken({
      linkToken,
      expiresAt,
      templateId: layer ? EMULATOR_TEMPLATE_ID : null,
      webhook: body.webhook ?? ctx.options.webhookUrl,
      redirectUri: body.redirect_uri ?? null,
      clientName: body.client_name,
      used: false,
      revoked: false,
    });
    const response: LinkTokenCreateResponse = {
      link_token: linkToken,
      expiration: isoSeconds(expiresAt),
      request_id: c.var.requestId,
    };
    return c.json(response, 200);
  });

  return app;
}
