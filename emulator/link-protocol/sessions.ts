/**
 * The server side of a Link session (`link_session_id`), one step per method: start
 * (`Plaid.create`, or its re-creation after an OAuth bank sent the user back), submit a phone
 * number or date of birth, open, verify the one-time code, share, resume after OAuth, exit. The
 * protocol's routes and the `/emulator/sessions/complete` shortcut both drive it, so there is one
 * set of rules.
 *
 * Memory stays bounded: sessions and OAuth states are forgotten once their link token is gone or
 * (finished sessions) a while after they finished, and there are never more than `stateLimit`.
 */
import type { LayerEligibilityEvent, PlaidLinkError } from '../../contract/index.js';
import { checkDateOfBirth, checkPhone, type LayerProfile } from '../eligibility.js';
import { newAccessToken, newAccountId, newItemId, newLinkSessionId, newPublicToken } from '../ids.js';
import type { ResolvedOptions } from '../options.js';
import { PlaidApiError } from '../plaid-error.js';
import { SANDBOX_OTP } from '../sandbox-users.js';
import {
  PRUNE_GRACE_MS,
  PUBLIC_TOKEN_LIFETIME_MS,
  setBounded,
  type EmulatorState,
  type LinkTokenRecord,
} from '../state.js';
import { findTemplate, type LayerTemplate } from '../templates.js';
import type { WebhookSender } from '../webhook-delivery.js';
import type { EmulatorWebhook } from '../webhooks.js';
import type {
  EditedProfile,
  OpenResponse,
  ReviewAccount,
  SharedResponse,
  ShareResponse,
  SubmitRequest,
  SubmitResponse,
  VerifyResponse,
} from './messages.js';
import {
  editedGroups,
  editHistory,
  reviewProfile,
  sharedIdentity,
  type ProfileEdit,
} from './shared-profile.js';

/**
 * How far a Link session got: `oauth` while the user is away at an OAuth bank, `returned` once a
 * handler re-created with `receivedRedirectUri` picked it up again, `failed` after too many wrong
 * codes, `finished` after share or exit.
 */
export type LinkSessionStep = 'created' | 'open' | 'verified' | 'oauth' | 'returned' | 'failed' | 'finished';

export interface LinkSessionRecord {
  linkSessionId: string;
  linkToken: string;
  step: LinkSessionStep;
  phoneNumber: string | null;
  eligibility: LayerEligibilityEvent | null;
  profile: LayerProfile | null;
  wrongCodes: number;
  /** Accounts shown on the review step; ids are fresh per session, as Plaid's are per Item. */
  accounts: ReviewAccount[];
  /** What the user chose to share before leaving for an OAuth bank. */
  pendingShare: { edited: EditedProfile; accountIds: readonly string[] } | null;
  /** When Link opened: the user then has {@link MAX_FLOW_MS} to go through the flow. */
  openedAt: number | null;
  finishedAt: number | null;
}

/** An `oauth_state_id` handed to the page an OAuth bank sends the user back to. */
interface OAuthState {
  linkSessionId: string;
  linkToken: string;
  processed: boolean;
}

/** A protocol response before the route adds its `request_id` (distributes over unions). */
type WithoutRequestId<T> = T extends unknown ? Omit<T, 'request_id'> : never;

/** Three wrong codes end Layer authentication (LAYER.md §4.4). */
export const MAX_WRONG_CODES = 3;

/**
 * How long a user may take to go through an opened Link flow. Past it Plaid invalidates the link
 * token and Link exits with `INVALID_LINK_TOKEN`, whatever the token's nominal 4-hour expiration
 * (Plaid docs `/link/handle-invalid-link-token/`: "taking too long to go through the flow (30+
 * minutes)"; LAYER.md §4.6). Exactly 30 minutes is an emulator choice within "30+".
 */
export const MAX_FLOW_MS = 30 * 60 * 1000;

/** How long a finished session is remembered (emulator choice), for sane answers to late calls. */
const FINISHED_SESSION_RETENTION_MS = 10 * 60 * 1000;

export class LinkSessions {
  private readonly options: ResolvedOptions;
  private readonly state: EmulatorState;
  private readonly webhooks: WebhookSender;
  private readonly sessions = new Map<string, LinkSessionRecord>();
  private readonly oauthStates = new Map<string, OAuthState>();
  /** Every edit made to each Sandbox profile (by phone number), for `identity_edit_history`. */
  private readonly edits = new Map<string, ProfileEdit[]>();

  constructor(options: ResolvedOptions, state: EmulatorState, webhooks: WebhookSender) {
    this.options = options;
    this.state = state;
    this.webhooks = webhooks;
  }

  /** How much is remembered, for tests that keep memory bounded. */
  get sizes(): { linkSessions: number; oauthStates: number; editedProfiles: number } {
    return {
      linkSessions: this.sessions.size,
      oauthStates: this.oauthStates.size,
      editedProfiles: this.edits.size,
    };
  }

  /**
   * `Plaid.create({ token })`: a new session, or — with `receivedRedirectUri` — the session that
   * left for an OAuth bank, picked up again (Plaid's OAuth errors otherwise).
   */
  start(
    linkToken: string,
    receivedRedirectUri: string | null = null,
  ): { session: LinkSessionRecord; token: LinkTokenRecord; resumed: boolean } {
    if (receivedRedirectUri !== null)
      return { ...this.returnFromOAuth(linkToken, receivedRedirectUri), resumed: true };
    const token = this.usableLinkToken(linkToken);
    const session: LinkSessionRecord = {
      linkSessionId: newLinkSessionId(),
      linkToken,
      step: 'created',
      phoneNumber: null,
      eligibility: null,
      profile: null,
      wrongCodes: 0,
      accounts: [],
      pendingShare: null,
      openedAt: null,
      finishedAt: null,
    };
    setBounded(this.sessions, session.linkSessionId, session, this.options.stateLimit);
    return { session, token, resumed: false };
  }

  submit(linkSessionId: string, data: SubmitRequest): Omit<SubmitResponse, 'request_id'> {
    const session = this.checkedSession(linkSessionId, ['created']);
    const template = this.templateOf(this.usableLinkToken(session.linkToken));
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
    const session = this.checkedSession(linkSessionId, ['created']);
    if (session.eligibility !== 'LAYER_READY' || !session.profile)
      throw new PlaidApiError('INVALID_FIELD', {
        message: 'Please submit Phone Number before opening Link.',
      });
    session.step = 'open';
    session.openedAt = this.options.now();
    return { phone_number: session.profile.phone_number };
  }

  verify(linkSessionId: string, code: string): WithoutRequestId<VerifyResponse> {
    const session = this.checkedSession(linkSessionId, ['open']);
    const token = this.usableLinkToken(session.linkToken);
    const profile = session.profile!;
    if (code.trim() !== SANDBOX_OTP) {
      session.wrongCodes += 1;
      if (session.wrongCodes < MAX_WRONG_CODES)
        return {
          result: 'invalid',
          attempts_remaining: MAX_WRONG_CODES - session.wrongCodes,
          error: plaidLinkError(
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
        error: plaidLinkError(
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
        oauth: bank.oauth === true,
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
      profile: reviewProfile(profile, this.options.returnEmail),
      accounts: session.accounts,
      accounts_required: this.templateOf(token)?.accounts === 'required',
      returns_email: this.options.returnEmail,
    };
  }

  /**
   * The user shares. With an account at an OAuth bank the session first goes to the bank: the
   * answer names where Link sends the page, and the session waits for the user to come back.
   */
  share(
    linkSessionId: string,
    edited: EditedProfile,
    accountIds: readonly string[],
  ): WithoutRequestId<ShareResponse> {
    const session = this.checkedSession(linkSessionId, ['verified']);
    const token = this.usableLinkToken(session.linkToken);
    const unknown = accountIds.filter((id) => !session.accounts.some((account) => account.id === id));
    if (unknown.length > 0)
      throw new PlaidApiError('INVALID_FIELD', { message: `unknown account ids: ${unknown.join(', ')}` });
    const chosen = session.accounts.filter((account) => accountIds.includes(account.id));
    if (chosen.length === 0 && this.templateOf(token)?.accounts === 'required')
      throw new PlaidApiError('INVALID_FIELD', {
        message: 'select an account to share',
        displayMessage: 'Select an account to share.',
      });

    const oauthAccount = chosen.find((account) => account.oauth);
    if (!oauthAccount) return this.finish(session, token, edited, chosen);
    const institution = {
      name: oauthAccount.institution_name,
      institution_id: oauthAccount.institution_id,
    };
    if (!token.redirectUri) {
      // Emulator choice (docs/plaid-fidelity.md): Link cannot send the user to an OAuth bank
      // without somewhere to come back to, and ends the session with this error.
      this.exit(linkSessionId);
      throw new PlaidApiError('INVALID_FIELD', {
        message: `${institution.name} connects through OAuth: create the link token with a redirect_uri`,
      });
    }
    const stateId = crypto.randomUUID();
    setBounded(
      this.oauthStates,
      stateId,
      { linkSessionId, linkToken: token.linkToken, processed: false },
      this.options.stateLimit,
    );
    session.step = 'oauth';
    session.pendingShare = { edited, accountIds: [...accountIds] };
    return {
      result: 'oauth',
      institution,
      redirect_url: `${token.redirectUri}?oauth_state_id=${encodeURIComponent(stateId)}`,
    };
  }

  /** Back from the OAuth bank and opened again: the session finishes as the user shared it. */
  resume(linkSessionId: string): WithoutRequestId<SharedResponse> {
    const session = this.checkedSession(linkSessionId, ['returned']);
    const token = this.usableLinkToken(session.linkToken);
    const { edited, accountIds } = session.pendingShare!;
    const chosen = session.accounts.filter((account) => accountIds.includes(account.id));
    return this.finish(session, token, edited, chosen);
  }

  /** The user left Link. A session that was opened finishes as `EXITED`. */
  exit(linkSessionId: string): void {
    const session = this.sessions.get(linkSessionId);
    if (!session || session.step === 'finished') return;
    const wasOpened = session.step !== 'created';
    if (!wasOpened) return;
    session.step = 'finished';
    session.finishedAt = this.options.now();
    const token = this.state.linkTokens.get(session.linkToken);
    if (token)
      this.notify(token, {
        webhook_type: 'LINK',
        webhook_code: 'SESSION_FINISHED',
        status: 'EXITED',
        link_session_id: session.linkSessionId,
        link_token: token.linkToken,
        environment: 'sandbox',
      });
  }

  /**
   * Forgets sessions whose token is gone or that finished a while ago, and OAuth states whose token
   * is gone. (The edit log is bounded by `stateLimit` instead: `edits_all_time` counts edits of any
   * age.)
   */
  prune(now: number): void {
    for (const [id, session] of this.sessions) {
      const token = this.state.linkTokens.get(session.linkToken);
      const stale =
        !token ||
        now >= token.expiresAt + PRUNE_GRACE_MS ||
        (session.finishedAt !== null && now - session.finishedAt >= FINISHED_SESSION_RETENTION_MS);
      if (stale) this.sessions.delete(id);
    }
    for (const [id, oauth] of this.oauthStates)
      if (!this.state.linkTokens.has(oauth.linkToken)) this.oauthStates.delete(id);
  }

  private returnFromOAuth(
    linkToken: string,
    receivedRedirectUri: string,
  ): { session: LinkSessionRecord; token: LinkTokenRecord } {
    let stateId: string | null = null;
    try {
      stateId = new URL(receivedRedirectUri).searchParams.get('oauth_state_id');
    } catch {
      // Not a URL: no state id either.
    }
    const state = stateId === null ? undefined : this.oauthStates.get(stateId);
    if (!state)
      throw new PlaidApiError('OAUTH_STATE_ID_NOT_FOUND', {
        message: stateId
          ? 'the oauth state id could not be found'
          : 'receivedRedirectUri carries no oauth_state_id',
      });
    if (state.linkToken !== linkToken) throw new PlaidApiError('INCORRECT_LINK_TOKEN');
    if (state.processed) throw new PlaidApiError('OAUTH_STATE_ID_ALREADY_PROCESSED');
    const token = this.usableLinkToken(linkToken);
    const session = this.sessions.get(state.linkSessionId);
    if (!session || session.step !== 'oauth') throw new PlaidApiError('OAUTH_STATE_ID_ALREADY_PROCESSED');
    state.processed = true;
    session.step = 'returned';
    return { session, token };
  }

  private finish(
    session: LinkSessionRecord,
    token: LinkTokenRecord,
    edited: EditedProfile,
    chosen: readonly ReviewAccount[],
  ): WithoutRequestId<SharedResponse> {
    const profile = session.profile!;
    const now = this.options.now();
    const identity = sharedIdentity(profile, edited, this.options.returnEmail);
    const edits = this.recordEdits(profile, edited, now);
    // One Item per institution the user shared accounts from.
    const institutions = [...new Set(chosen.map((account) => account.institution_id))];
    const publicToken = newPublicToken();
    this.state.addPublicToken({
      publicToken,
      expiresAt: now + PUBLIC_TOKEN_LIFETIME_MS,
      used: false,
      identity,
      items: institutions.map(() => ({ item_id: newItemId(), access_token: newAccessToken() })),
      editHistory: edits,
    });
    session.step = 'finished';
    session.finishedAt = now;
    session.pendingShare = null;
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
      result: 'shared',
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

  /**
   * The session, checked to be in one of `steps` and its token still valid. An opened session that
   * took too long ({@link MAX_FLOW_MS}) invalidates its token and ends as `EXITED`.
   */
  private checkedSession(linkSessionId: string, steps: readonly LinkSessionStep[]): LinkSessionRecord {
    const session = this.sessions.get(linkSessionId);
    if (!session)
      throw new PlaidApiError('INVALID_FIELD', { message: `link_session_id ${linkSessionId} not found` });
    if (session.step !== 'failed' && session.step !== 'finished') {
      const token = this.usableLinkToken(session.linkToken);
      if (session.openedAt !== null && this.options.now() - session.openedAt >= MAX_FLOW_MS) {
        token.revoked = true;
        this.exit(linkSessionId);
        throw new PlaidApiError('INVALID_LINK_TOKEN', {
          message: `invalid link_token provided: the Link flow took longer than ${MAX_FLOW_MS / 60_000} minutes`,
        });
      }
    }
    if (!steps.includes(session.step))
      throw new PlaidApiError('INVALID_FIELD', {
        message: `not allowed while the session is ${session.step}`,
      });
    return session;
  }

  /** A usable link token, or `INVALID_LINK_TOKEN` with the reason in the message. */
  private usableLinkToken(linkToken: string): LinkTokenRecord {
    const record = this.state.linkTokens.get(linkToken);
    const invalid = (why: string) =>
      new PlaidApiError('INVALID_LINK_TOKEN', { message: `invalid link_token provided: ${why}` });
    if (!record) throw invalid('not found');
    if (this.options.now() >= record.expiresAt) throw invalid('expired');
    if (record.revoked) throw invalid('revoked after too many failed attempts');
    if (record.used && !this.options.linkTokenReuse) throw invalid('already used');
    return record;
  }

  private templateOf(record: LinkTokenRecord): LayerTemplate | null {
    return record.templateId === null
      ? null
      : (findTemplate(this.options.templates, record.templateId) ?? null);
  }

  private notify(token: LinkTokenRecord, webhook: EmulatorWebhook): void {
    if (token.webhook) this.webhooks.send(token.webhook, webhook);
  }

  /** Logs the groups the user changed and answers the profile's `identity_edit_history`. */
  private recordEdits(profile: LayerProfile, edited: EditedProfile, now: number) {
    const changed = editedGroups(profile, edited, this.options.returnEmail);
    const log = this.edits.get(profile.phone_number) ?? [];
    log.push(...changed.map((group) => ({ group, at: now })));
    // A bound on one profile's log too (emulator choice): counts past it would undercount.
    log.splice(0, Math.max(0, log.length - this.options.stateLimit));
    setBounded(this.edits, profile.phone_number, log, this.options.stateLimit);
    return editHistory(log, changed, now);
  }
}

function plaidLinkError(
  code: string,
  type: string,
  message: string,
  displayMessage: string | null,
): PlaidLinkError {
  return { error_type: type, error_code: code, error_message: message, display_message: displayMessage };
}
