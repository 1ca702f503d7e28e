/**
 * The routes the emulated Link script calls (see link/protocol.ts), one per step of a session.
 * CORS is open so the script works on a partner page served from another origin.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';

import type { JsonObject } from '../api/body-spec.js';
import type { PlaidEnv } from '../api/plaid-request.js';
import type { EmulatorContext } from '../context.js';
import { newLinkSessionId } from '../ids.js';
import { checkEditedProfile } from '../layer-sessions.js';
import type {
  ErrorResponse,
  ExitResponse,
  OpenResponse,
  ShareResponse,
  StartResponse,
  SubmitRequest,
  SubmitResponse,
  VerifyResponse,
} from '../link/protocol.js';
import { PlaidApiError } from '../plaid-error.js';
import { emulatorRequest } from './emulator-request.js';

const BASE = '/emulator/link/sessions';

export function linkSessionRoutes(ctx: EmulatorContext) {
  const app = new Hono<PlaidEnv>();
  const { sessions } = ctx;

  app.use(`${BASE}/*`, cors());
  app.use(BASE, cors());

  app.post(BASE, emulatorRequest(ctx, BASE), (c) => {
    const linkToken = stringField(c.var.body, 'link_token');
    try {
      const { session, token } = sessions.start(linkToken);
      const response: StartResponse = {
        link_session_id: session.linkSessionId,
        request_id: c.var.requestId,
        client_name: token.clientName,
        layer: token.templateId !== null,
        event_timing: ctx.options.eventTiming,
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
    const hasPhone = body.phone_number !== undefined;
    const hasDateOfBirth = body.date_of_birth !== undefined;
    if (hasPhone === hasDateOfBirth)
      throw new PlaidApiError('INVALID_FIELD', { message: 'submit either phone_number or date_of_birth' });
    const data: SubmitRequest = hasPhone
      ? { phone_number: stringField(body, 'phone_number') }
      : { date_of_birth: stringField(body, 'date_of_birth') };
    const response: SubmitResponse = {
      ...sessions.submit(c.req.param('id'), data),
      request_id: c.var.requestId,
    };
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/open`, emulatorRequest(ctx, `${BASE}/:id/open`), (c) => {
    const response: OpenResponse = { ...sessions.open(c.req.param('id')), request_id: c.var.requestId };
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/verify`, emulatorRequest(ctx, `${BASE}/:id/verify`), (c) => {
    const code = stringField(c.var.body, 'code');
    const response = {
      ...sessions.verify(c.req.param('id'), code),
      request_id: c.var.requestId,
    } as VerifyResponse;
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/share`, emulatorRequest(ctx, `${BASE}/:id/share`), (c) => {
    const { account_ids: accountIds } = c.var.body;
    if (!Array.isArray(accountIds) || !accountIds.every((id) => typeof id === 'string'))
      throw new PlaidApiError('INVALID_FIELD', { message: 'account_ids must be an array of strings' });
    const profile = checkEditedProfile(c.var.body.profile);
    const response: ShareResponse = {
      ...sessions.share(c.req.param('id'), profile, accountIds),
      request_id: c.var.requestId,
    };
    return c.json(response, 200);
  });

  app.post(`${BASE}/:id/exit`, emulatorRequest(ctx, `${BASE}/:id/exit`), (c) => {
    sessions.exit(c.req.param('id'));
    const response: ExitResponse = { request_id: c.var.requestId };
    return c.json(response, 200);
  });

  return app;
}

function stringField(body: JsonObject, name: string): string {
  const value = body[name];
  if (value === undefined || value === null)
    throw new PlaidApiError('MISSING_FIELDS', {
      message: `the following required fields are missing: ${name}`,
    });
  if (typeof value !== 'string')
    throw new PlaidApiError('INVALID_FIELD', { message: `${name} must be a string` });
  return value;
}
