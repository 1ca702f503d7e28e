/**
 * The server side of a Layer session, one step per method: start (`Plaid.create`), submit phone or
 * date of birth, open, verify the one-time code, share, exit. The Link UI routes and the
 * `/emulator/sessions/complete` shortcut both drive it, so there is one set of rules.
 */
import type {
  UserAccountIdentity,
  UserAccountIdentityEditCounts,
  UserAccountIdentityEditHistory,
} from 'plaid';

import { checkDateOfBirth, checkPhone, type LayerProfile } from './eligibility.js';
import { newAccessToken, newAccountId, newItemId, newLinkSessionId, newPublicToken } from './ids.js';
import type {
  EditedProfile,
  LinkError,
  OpenResponse,
  ReviewAddress,
  ReviewProfile,
  ShareResponse,
  SubmitRequest,
  SubmitResponse,
  VerifyResponse,
} from './link/protocol.js';
import type { ResolvedOptions } from './options.js';
import { PlaidApiError } from './plaid-error.js';
import { SANDBOX_OTP } from './sandbox-users.js';
import {
  PUBLIC_TOKEN_LIFETIME_MS,
  type EditedGroup,
  type EmulatorState,
  type LinkSessionRecord,
  type LinkTokenRecord,
} from './state.js';
import { findTemplate, type LayerTemplate } from './templates.js';
import type { WebhookSender } from './webhooks.js';

/** A protocol response before the route adds its `request_id` (distributes over unions). */
type WithoutRequestId<T> = T extends unknown ? Omit<T, 'request_id'> : never;

/** Three wrong codes end Layer authentication (LAYER.md §4.4). */
export const MAX_WRONG_CODES = 3;

const DAY_MS = 24 * 60 * 60 * 1000;

export class LayerSessions {
  private readonly options: ResolvedOptions;
  private readonly state: EmulatorState;
  private readonly webhooks: WebhookSender;

  constructor(options: ResolvedOptions, state: EmulatorState, webhooks: WebhookSender) {
    this.options = options;
    this.state = state;
    this.webhooks = webhooks;
  }

  /** A usable link token, or `INVALID_LINK_TOKEN` with the reason in the message. */
  linkToken(linkToken: string): LinkTokenRecord {
    const record = this.state.linkTokens.get(linkToken);
    const invalid = (why: string) =>
      new PlaidApiError('INVALID_LINK_TOKEN', { message: `invalid link_token provided: ${why}` });
    if (!record) throw invalid('not found');
    if (this.options.now() >= record.expiresAt) throw invalid('expired');
    if (record.revoked) throw invalid('revoked after too many failed attempts');
    if (record.used && !this.options.linkTokenReuse) throw invalid('already used');
    return record;
  }

  templateOf(record: LinkTokenRecord): LayerTemplate | null {
    return record.templateId === null
      ? null
      : (findTemplate(this.options.templates, record.templateId) ?? null);
  }

  start(linkToken: string): { session: LinkSessionRecord; token: LinkTokenRecord } {
    const token = this.linkToken(linkToken);
    const session: LinkSessionRecord = {
      linkSessionId: newLinkSessionId(),
      linkToken,
      step: 'created',
      phoneNumber: null,
      eligibility: null,
      profile: null,
      wrongCodes: 0,
      accounts: [],
    };
    this.state.sessions.set(session.linkSessionId, session);
    return { session, token };
  }

  /** The session, checked to be in one of `steps` and its token still valid. */
  session(linkSessionId: string, steps: readonly LinkSessionRecord['step'][]): LinkSessionRecord {
    const session = this.state.sessions.get(linkSessionId);
    if (!session)
      throw new PlaidApiError('INVALID_FIELD', { message: `link_session_id ${linkSessionId} not found` });
    if (session.step !== 'failed' && session.step !== 'finished') this.linkToken(session.linkToken);
    if (!steps.includes(session.step))
      throw new PlaidApiError('INVALID_FIELD', {
        message: `not allowed while the session is ${session.step}`,
      });
    return session;
  }

  submit(linkSessionId: string, data: SubmitRequest): Omit<SubmitResponse, 'request_id'> {
    const session = this.session(linkSessionId, ['created']);
    const template = this.templateOf(this.linkToken(session.linkToken));
    if ('phone_number' in data) {
      session.phoneNumber = data.phone_number;
      const check = template ? checkPhone(data.phone_number, template) : null;
      session.eligibility = check?.event ?? 'LAYER_NOT_AVAILABLE';
      session.profile = check?.event === 'LAYER_READY' ? check.profile : null;
    } else {
      const check = template
        ? checkDateOfBirth(session.phoneNumber, data.date_of_birth, template)
        : { event: 'LAYER_AUTOFILL_NOT_AVAILABLE' as const };
      session.eligibility = check.event;
      session.profile = check.event === 'LAYER_READY' ? check.profile : null;
    }
    return { event: session.eligibility };
  }

  open(linkSessionId: string): Omit<OpenResponse, 'request_id'> {
    const session = this.session(linkSessionId, ['created']);
    if (session.eligibility !== 'LAYER_READY' || !session.profile)
      throw new PlaidApiError('INVALID_FIELD', {
        message: 'Please submit Phone Number before opening Link.',
      });
    session.step = 'open';
    return { phone_number: session.profile.phone_number };
  }

  verify(linkSessionId: string, code: string): WithoutRequestId<VerifyResponse> {
    const session = this.session(linkSessionId, ['open']);
    const token = this.linkToken(session.linkToken);
    const profile = session.profile!;
    if (code.trim() !== SANDBOX_OTP) {
      session.wrongCodes += 1;
      if (session.wrongCodes < MAX_WRONG_CODES)
        return {
          result: 'invalid',
          attempts_remaining: MAX_WRONG_CODES - session.wrongCodes,
          error: linkError(
            'INVALID_OTP',
            'ITEM_ERROR',
            'the provided one-time code is invalid',
            'That code is incorrect.',
          ),
        };
      // Plaid invalidates the token after too many bad attempts (LAYER.md §4.6).
      session.step = 'failed';
      token.revoked = true;
      return {
        result: 'failed',
        error: linkError(
          'PROFILE_AUTHENTICATION_FAILED',
          'INVALID_INPUT',
          'the user could not be authenticated',
          'We were not able to authenticate your access to this Plaid account.',
        ),
      };
    }
    session.step = 'verified';
    session.accounts = profile.banks.flatMap((bank) =>
      bank.accounts.map((account) => ({
        id: newAccountId(),
        ...account,
        institution_id: bank.institution_id,
        institution_name: bank.institution_name,
      })),
    );
    this.notify(token, {
      webhook_type: 'LAYER',
      webhook_code: 'LAYER_AUTHENTICATION_PASSED',
      environment: 'sandbox',
      link_session_id: session.linkSessionId,
      link_token: token.linkToken,
    });
    return {
      result: 'verified',
      profile: reviewProfile(profile),
      accounts: session.accounts,
      accounts_required: this.templateOf(token)?.accounts === 'required',
    };
  }

  share(
    linkSessionId: string,
    edited: EditedProfile,
    accountIds: readonly string[],
  ): Omit<ShareResponse, 'request_id'> {
    const session = this.session(linkSessionId, ['verified']);
    const token = this.linkToken(session.linkToken);
    const profile = session.profile!;
    const unknown = accountIds.filter((id) => !session.accounts.some((account) => account.id === id));
    if (unknown.length > 0)
      throw new PlaidApiError('INVALID_FIELD', { message: `unknown account ids: ${unknown.join(', ')}` });
    const chosen = session.accounts.filter((account) => accountIds.includes(account.id));
    if (chosen.length === 0 && this.templateOf(token)?.accounts === 'required')
      throw new PlaidApiError('INVALID_FIELD', {
        message: 'select an account to share',
        displayMessage: 'Select an account to share.',
      });

    const now = this.options.now();
    const identity = sharedIdentity(profile, edited);
    const edits = this.recordEdits(profile, edited, now);
    // One Item per institution the user shared accounts from.
    const institutions = [...new Set(chosen.map((account) => account.institution_id))];
    const publicToken = newPublicToken();
    this.state.publicTokens.set(publicToken, {
      publicToken,
      expiresAt: now + PUBLIC_TOKEN_LIFETIME_MS,
      used: false,
      identity,
      items: institutions.map(() => ({ item_id: newItemId(), access_token: newAccessToken() })),
      editHistory: edits,
    });
    session.step = 'finished';
    token.used = true;
    this.notify(token, {
      webhook_type: 'LINK',
      webhook_code: 'SESSION_FINISHED',
      status: 'SUCCESS',
      link_session_id: session.linkSessionId,
      link_token: token.linkToken,
      public_tokens: [publicToken],
      environment: 'sandbox',
    });
    const first = chosen[0];
    return {
      public_token: publicToken,
      institution: first ? { name: first.institution_name, institution_id: first.institution_id } : null,
      accounts: chosen.map(({ id, name, mask, type, subtype }) => ({
        id,
        name,
        mask,
        type,
        subtype,
        verification_status: null,
        class_type: null,
      })),
    };
  }

  /** The user left Link. A session that was opened finishes as `EXITED`. */
  exit(linkSessionId: string): void {
    const session = this.state.sessions.get(linkSessionId);
    if (!session || session.step === 'finished') return;
    const wasOpened = session.step !== 'created';
    session.step = wasOpened ? 'finished' : 'created';
    const token = this.state.linkTokens.get(session.linkToken);
    if (wasOpened && token)
      this.notify(token, {
        webhook_type: 'LINK',
        webhook_code: 'SESSION_FINISHED',
        status: 'EXITED',
        link_session_id: session.linkSessionId,
        link_token: token.linkToken,
        environment: 'sandbox',
      });
  }

  /** `/user_account/session/get`: a public token works once, for 30 minutes. */
  redeem(publicToken: string) {
    const record = this.state.publicTokens.get(publicToken);
    const invalid = (message: string) => new PlaidApiError('INVALID_PUBLIC_TOKEN', { message });
    if (!record) throw invalid('could not find matching public token');
    if (this.options.now() >= record.expiresAt) throw invalid('public token has expired');
    if (record.used) throw invalid('public token has already been used');
    record.used = true;
    return record;
  }

  private notify(token: LinkTokenRecord, webhook: Parameters<WebhookSender['send']>[1]): void {
    if (token.webhook) void this.webhooks.send(token.webhook, webhook);
  }

  private recordEdits(
    profile: LayerProfile,
    edited: EditedProfile,
    now: number,
  ): UserAccountIdentityEditHistory {
    const before = reviewProfile(profile);
    const changed: EditedGroup[] = (['name', 'address', 'email', 'date_of_birth'] as const).filter(
      (group) => JSON.stringify(normalise(before)[group]) !== JSON.stringify(normalise(edited)[group]),
    );
    const log = this.state.edits.get(profile.phone_number) ?? [];
    log.push(...changed.map((group) => ({ group, at: now })));
    this.state.edits.set(profile.phone_number, log);
    const counts = (group: EditedGroup | null): UserAccountIdentityEditCounts => {
      const mine = log.filter((edit) => edit.group === group);
      const within = (days: number) => mine.filter((edit) => now - edit.at < days * DAY_MS).length;
      return {
        edits_current: group !== null && changed.includes(group) ? 1 : 0,
        edits_1d: within(1),
        edits_30d: within(30),
        edits_365d: within(365),
        edits_all_time: mine.length,
      };
    };
    return {
      name: counts('name'),
      address: counts('address'),
      email: counts('email'),
      date_of_birth: counts('date_of_birth'),
      // The SSN is not editable in Link.
      official_document: { ssn: counts(null) },
    };
  }
}

function linkError(code: string, type: string, message: string, displayMessage: string | null): LinkError {
  return { error_type: type, error_code: code, error_message: message, display_message: displayMessage };
}

export function reviewProfile(profile: LayerProfile): ReviewProfile {
  const { identity } = profile;
  return {
    phone_number: profile.phone_number,
    name: identity.name && { ...identity.name },
    address: identity.address && { ...identity.address },
    email: identity.email,
    date_of_birth: identity.date_of_birth,
    ssn_last_4: identity.ssn?.slice(-4) ?? null,
  };
}

/** Empty strings are absent values; an object with nothing in it is an absent object. */
function normalise(profile: EditedProfile): EditedProfile {
  const text = (value: string | null | undefined) => (value?.trim() ? value.trim() : null);
  const name = profile.name && {
    first_name: text(profile.name.first_name),
    last_name: text(profile.name.last_name),
  };
  const address: ReviewAddress | null = profile.address && {
    street: text(profile.address.street),
    street2: text(profile.address.street2),
    city: text(profile.address.city),
    region: text(profile.address.region),
    postal_code: text(profile.address.postal_code),
    country: text(profile.address.country),
  };
  return {
    name:
      name && (name.first_name || name.last_name)
        ? { first_name: name.first_name ?? '', last_name: name.last_name ?? '' }
        : null,
    address: address && Object.values(address).some((value) => value !== null) ? address : null,
    email: text(profile.email),
    date_of_birth: text(profile.date_of_birth),
  };
}

/** What `/user_account/session/get` returns: the profile as the user left it, full SSN included. */
function sharedIdentity(profile: LayerProfile, edited: EditedProfile): UserAccountIdentity {
  const shared = normalise(edited);
  const ssn = profile.identity.ssn;
  return {
    name: shared.name,
    address: shared.address,
    phone_number: profile.phone_number,
    email: shared.email,
    date_of_birth: shared.date_of_birth,
    ssn,
    ssn_last_4: ssn?.slice(-4) ?? null,
  };
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
  const name = object(profile.name, 'profile.name');
  const address = object(profile.address, 'profile.address');
  const dateOfBirth = text(profile.date_of_birth, 'profile.date_of_birth');
  if (dateOfBirth?.trim() && !/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth.trim()))
    throw invalid('profile.date_of_birth');
  return {
    name: name && {
      first_name: text(name.first_name, 'profile.name.first_name') ?? '',
      last_name: text(name.last_name, 'profile.name.last_name') ?? '',
    },
    address: address && {
      street: text(address.street, 'profile.address.street'),
      street2: text(address.street2, 'profile.address.street2'),
      city: text(address.city, 'profile.address.city'),
      region: text(address.region, 'profile.address.region'),
      postal_code: text(address.postal_code, 'profile.address.postal_code'),
      country: text(address.country, 'profile.address.country'),
    },
    email: text(profile.email, 'profile.email'),
    date_of_birth: dateOfBirth,
  };
}
