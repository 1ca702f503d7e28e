/**
 * The protocol's routes (messages.ts), one per step of a Link session, each a thin shell around
 * `LinkSessions` (sessions.ts): check the body, run the step, add the `request_id`. Their caller is
 * the Link iframe, which the emulator serves from its own origin, so they grant no CORS: a partner
 * page cannot drive a Link session around the UI, as it cannot call Plaid's Link back end.
 */
import { Hono } from 'hono';

import { own, type JsonObject } from '../api/body-spec.js';
import type { PlaidEnv } from '../api/plaid-request.js';
import type { EmulatorContext } from '../context.js';
import { emulatorRequest } from '../control/emulator-request.js';
import { newLinkSessionId } from '../ids.js';
import { PlaidApiError } from '../plaid-error.js';
import {
  LINK_SESSIONS_PATH,
  type EditedProfile,
  type ErrorResponse,
  type ExitResponse,
  type OpenResponse,
  type SharedResponse,
  type ShareResponse,
  type StartResponse,
  type SubmitRequest,
  type SubmitResponse,
  type VerifyResponse,
} from './messages.js';

const BASE = LINK_SESSIONS_PATH;

export function linkProtocolRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();
  const { linkSessions } = ctx;

  app.post(BASE, emulatorRequest(ctx, BASE), (c) => {
    const linkToken = stringField(c.var.body, 'link_token');
    const redirect = own(c.var.body, 'received_redirect_uri');
    const receivedRedirectUri =
      redirect === undefined || redirect === null ? null : stringField(c.var.body, 'received_redirect_uri');
    try {
      ctx.tidy();
      const { session, token, resumed } = linkSessions.start(linkToken, receivedRedirectUri);
      const response: StartResponse = {
        link_session_id: session.linkSessionId,
        request_id: c.var.requestId,
        client_name: token.clientName,
        layer: token.templateId !== null,
        event_timing: ctx.options.eventTiming,
        oauth_resume: resumed,
      };
      return c.json(response, 200);
    } catch (error) {
      // Link reports a bad token through onExit, which carries a link_session_id even then.
      if (!(error instanceof PlaidApiError)) throw error;
      const body: ErrorResponse = { ...error.toBody(c.var.requestId), link_session_id: newLinkSessionId() };
      return c.json(body, 400);
    }
  });

  app.post(`${BASE}/:id/submit`, emulatorRequest(ctx, `${BASE}/:id/submit`), (c) => {
    const body = c.var.body;
    const hasPhone = own(body, 'phone_number') !== undefined;
    const hasDateOfBirth = own(body, 'date_of_birth') !== undefined;
    if (hasPhone === hasDateOfBirth)
      throw new PlaidApiError('INVALID_FIELD', { message: 'submit either phone_number or date_of_birth' });
    const data: SubmitRequest = hasPhone
      ? { phone_number: stringField(body, 'phone_number') }
      : { date_of_birth: stringField(body, 'date_of_birth') };
    const response: SubmitResponse = {
      ...linkSessions.submit(c.req.param('id'), data),
      request_id: c.var.requestId,
    };
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/open`, emulatorRequest(ctx, `${BASE}/:id/open`), (c) => {
    const response: OpenResponse = { ...linkSessions.open(c.req.param('id')), request_id: c.var.requestId };
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/verify`, emulatorRequest(ctx, `${BASE}/:id/verify`), (c) => {
    const code = stringField(c.var.body, 'code');
    const response = {
      ...linkSessions.verify(c.req.param('id'), code),
      request_id: c.var.requestId,
    } as VerifyResponse;
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/share`, emulatorRequest(ctx, `${BASE}/:id/share`), (c) => {
    const accountIds = own(c.var.body, 'account_ids');
    if (!Array.isArray(accountIds) || !accountIds.every((id) => typeof id === 'string'))
      throw new PlaidApiError('INVALID_FIELD', { message: 'account_ids must be an array of strings' });
    const profile = checkEditedProfile(own(c.var.body, 'profile'));
    const response = {
      ...linkSessions.share(c.req.param('id'), profile, accountIds),
      request_id: c.var.requestId,
    } as ShareResponse;
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/resume`, emulatorRequest(ctx, `${BASE}/:id/resume`), (c) => {
    const response: SharedResponse = {
      ...linkSessions.resume(c.req.param('id')),
      request_id: c.var.requestId,
    };
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/exit`, emulatorRequest(ctx, `${BASE}/:id/exit`), (c) => {
    linkSessions.exit(c.req.param('id'));
    const response: ExitResponse = { request_id: c.var.requestId };
    return c.json(response, 200);
  });

  return app;
}

function stringField(body: JsonObject, name: string): string {
  const value = own(body, name);
  if (value === undefined || value === null)
    throw new PlaidApiError('MISSING_FIELDS', {
      message: `the following required fields are missing: ${name}`,
    });
  if (typeof value !== 'string')
    throw new PlaidApiError('INVALID_FIELD', { message: `${name} must be a string` });
  return value;
}

/** Validates the user's edits from the Link UI (types only: what they type is theirs to type). */
export function checkEditedProfile(input: unknown): EditedProfile {
  const invalid = (field: string) => new PlaidApiError('INVALID_FIELD', { message: `${field} is invalid` });
  const text = (value: unknown, field: string) => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string' || value.length > 200) throw invalid(field);
    return value;
  };
  const object = (value: unknown, field: string) => {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalid(field);
    return value as Record<string, unknown>;
  };
  const profile = object(input, 'profile') ?? {};
  const name = object(own(profile, 'name'), 'profile.name');
  const address = object(own(profile, 'address'), 'profile.address');
  const dateOfBirth = text(own(profile, 'date_of_birth'), 'profile.date_of_birth');
  if (dateOfBirth?.trim() && !/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth.trim()))
    throw invalid('profile.date_of_birth');
  return {
    name: name && {
      first_name: text(own(name, 'first_name'), 'profile.name.first_name') ?? '',
      last_name: text(own(name, 'last_name'), 'profile.name.last_name') ?? '',
    },
    address: address && {
      street: text(own(address, 'street'), 'profile.address.street'),
      street2: text(own(address, 'street2'), 'profile.address.street2'),
      city: text(own(address, 'city'), 'profile.address.city'),
      region: text(own(address, 'region'), 'profile.address.region'),
      postal_code: text(own(address, 'postal_code'), 'profile.address.postal_code'),
      country: text(own(address, 'country'), 'profile.address.country'),
    },
    email: text(own(profile, 'email'), 'profile.email'),
    date_of_birth: dateOfBirth,
  };
}
