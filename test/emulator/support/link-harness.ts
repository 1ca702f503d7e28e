/**
 * Browser-test harness for the emulated Link script: loads it from the emulator that
 * web-test-runner serves at /plaid (the page's origin, so tests can reach into the Link iframe),
 * creates link tokens through the emulator's API, and records every callback a handler makes, in
 * order.
 */
import {
  LINK_SCRIPT_PATH,
  type PlaidHandler,
  type PlaidLinkError,
  type PlaidLinkOnEventMetadata,
  type PlaidLinkOnExitMetadata,
  type PlaidLinkOnSuccessMetadata,
  type PlaidLinkOptions,
} from '../../../contract/index.js';
import { LINK_FRAME_TITLE } from '../../../emulator/link/frame-messages.js';
import type { EmulatorPlaidGlobal } from '../../../emulator/link/types.js';
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET } from '../../../emulator/options.js';
import { EMULATOR_TEMPLATE_ID } from '../../../emulator/templates.js';

export const EMULATOR_BASE = '/plaid';
export const LINK_SCRIPT_SRC = EMULATOR_BASE + LINK_SCRIPT_PATH;

export type Call =
  | { kind: 'load' }
  | { kind: 'event'; name: string; metadata: PlaidLinkOnEventMetadata }
  | { kind: 'success'; publicToken: string; metadata: PlaidLinkOnSuccessMetadata }
  | { kind: 'exit'; error: PlaidLinkError | null; metadata: PlaidLinkOnExitMetadata };

/** `window.Plaid` as the emulated script defines it. */
export function plaid(): EmulatorPlaidGlobal {
  const global = (window as unknown as { Plaid?: EmulatorPlaidGlobal }).Plaid;
  if (!global) throw new Error('window.Plaid is not defined: call loadLinkScript() first');
  return global;
}

/** Adds the Link script tag once per page and waits for it. */
export async function loadLinkScript(src = LINK_SCRIPT_SRC): Promise<EmulatorPlaidGlobal> {
  if (!(window as unknown as { Plaid?: EmulatorPlaidGlobal }).Plaid) await addScript(src);
  return plaid();
}

export function addScript(src: string): Promise<HTMLScriptElement> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.addEventListener('load', () => resolve(script));
    script.addEventListener('error', () => reject(new Error(`could not load ${src}`)));
    document.head.append(script);
  });
}

/** POSTs to the emulator's Plaid API with the emulator's credentials. */
export async function plaidApi(
  path: string,
  body: object,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(EMULATOR_BASE + path, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'PLAID-CLIENT-ID': EMULATOR_CLIENT_ID,
      'PLAID-SECRET': EMULATOR_SECRET,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Every Link iframe on the page (one per handler, from `create()` to `destroy()`). */
export function linkFrames(): HTMLIFrameElement[] {
  return [...document.querySelectorAll<HTMLIFrameElement>(`iframe[title="${LINK_FRAME_TITLE}"]`)];
}

export async function createLinkToken(
  templateId = EMULATOR_TEMPLATE_ID,
  extra: { redirect_uri?: string } = {},
): Promise<string> {
  const { status, body } = await plaidApi('/session/token/create', {
    template_id: templateId,
    user: { client_user_id: `browser-test-${crypto.randomUUID()}` },
    ...extra,
  });
  if (status !== 200) throw new Error(`session/token/create answered ${status}: ${JSON.stringify(body)}`);
  return (body.link as { link_token: string }).link_token;
}

export interface RecordedLink {
  handler: PlaidHandler;
  calls: Call[];
  /** Names of the events so far, in order. */
  eventNames: () => string[];
  /** Resolves once `condition` holds, checking after every recorded call. */
  until: (condition: () => boolean) => Promise<void>;
  /** Resolves with the first recorded call of `kind` (already made or yet to come). */
  next: <K extends Call['kind']>(kind: K) => Promise<Extract<Call, { kind: K }>>;
  /** Resolves with the `occurrence`-th event named `name`. */
  event: (name: string, occurrence?: number) => Promise<Extract<Call, { kind: 'event' }>>;
}

/** `Plaid.create` with every callback recorded. */
export function createRecordedLink(token: string, extra: Partial<PlaidLinkOptions> = {}): RecordedLink {
  const calls: Call[] = [];
  const waiters: Array<() => void> = [];
  const record = (call: Call) => {
    calls.push(call);
    waiters.splice(0).forEach((wake) => wake());
  };
  const handler = plaid().create({
    token,
    onLoad: () => record({ kind: 'load' }),
    onEvent: (name, metadata) => record({ kind: 'event', name, metadata }),
    onSuccess: (publicToken, metadata) => record({ kind: 'success', publicToken, metadata }),
    onExit: (error, metadata) => record({ kind: 'exit', error, metadata }),
    ...extra,
  });
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (condition() ? resolve() : waiters.push(check));
      check();
    });
  const find = <K extends Call['kind']>(kind: K, occurrence = 1, name?: string) =>
    calls.filter(
      (call): call is Extract<Call, { kind: K }> =>
        call.kind === kind && (name === undefined || (call.kind === 'event' && call.name === name)),
    )[occurrence - 1];
  return {
    handler,
    calls,
    eventNames: () => calls.flatMap((call) => (call.kind === 'event' ? [call.name] : [])),
    until,
    next: async (kind) => {
      await until(() => find(kind) !== undefined);
      return find(kind)!;
    },
    event: async (name, occurrence = 1) => {
      await until(() => find('event', occurrence, name) !== undefined);
      return find('event', occurrence, name)!;
    },
  };
}
