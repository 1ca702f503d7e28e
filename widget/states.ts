// The states of `<layer-onboarding>`: the data each carries, and the one table of what each may
// become and what it means for the element. Every set of states (busy, outcome, which submit it
// takes) is read from this table, never listed anywhere else.
import type { ErrorKind } from '../contract/index.js';
import type { EligibleVia, FallbackReason, LayerErrorDetail, LayerSuccessDetail } from './events.js';

/** Every state of `<layer-onboarding>`, in the order a successful flow meets them. */
export const LAYER_STATES = [
  'idle',
  'loading',
  'ready',
  'checking',
  'dob',
  'open',
  'finishing',
  'complete',
  'fallback',
  'error',
] as const;

export type LayerState = (typeof LAYER_STATES)[number];

/** What the visitor gave: replayed on a new handler when Link refuses a token mid-flow. */
export interface Entry {
  /** E.164. */
  readonly phone: string;
  /** `YYYY-MM-DD`, once given in the date-of-birth step. */
  readonly dateOfBirth: string | null;
}

/** What each state knows beside its name. */
interface StateData {
  idle: object;
  /** `resumeOAuth`: the page is an OAuth return, so Link opens as soon as it has loaded. */
  loading: { resumeOAuth: boolean };
  ready: object;
  /** Waiting for Link's answer to the phone number, or to the date of birth after it. */
  checking: { step: EligibleVia; given: Entry };
  dob: { given: Entry };
  /** `given` is null when Link was resumed after an OAuth redirect. */
  open: { given: Entry | null };
  /** `given` is null when Link was resumed after an OAuth redirect. */
  finishing: { linkSessionId: string | null; given: Entry | null };
  complete: { result: LayerSuccessDetail };
  /** `phone`: the E.164 number the visitor gave, if any, so they can correct it or the page prefill it. */
  fallback: { reason: FallbackReason; phone: string | null };
  /** `kind`: which message the visitor reads (errors.ts). */
  error: { error: LayerErrorDetail; kind: ErrorKind; phone: string | null };
}

/** The flow's state: one of {@link LAYER_STATES} by `name`, with that state's data. */
export type FlowState = { [S in LayerState]: { readonly name: S } & Readonly<StateData[S]> }[LayerState];

/** A state by name, e.g. `StateOf<'checking'>`. */
export type StateOf<S extends LayerState> = Extract<FlowState, { name: S }>;

/** What the visitor gave, in a state that holds it (`checking`, `dob`, `open`, `finishing`). */
export function givenIn(state: FlowState): Entry | null {
  return (state as { given?: Entry | null }).given ?? null;
}

export interface StateSpec {
  /** The states that may follow this one. Any other move is a bug (a warning in development). */
  readonly next: readonly LayerState[];
  /** An outcome: the flow is over, nothing is shown but its result, and only `reset()` leaves it. */
  readonly outcome: boolean;
  /** The form waits on Link or the backend and takes no input. */
  readonly busy: boolean;
  /** The submit this state takes from the visitor, if any. */
  readonly accepts: 'phone' | 'date_of_birth' | null;
  /** Link's handler is in charge: its `onExit` changes the flow (in other states it is late news). */
  readonly linkInCharge: boolean;
}

/**
 * The one place the flow's transitions and the states' meanings are written down.
 *
 * Link delivers most events late and in no guaranteed order, so the flow checks that a signal
 * applies before acting on it (a second `onSuccess`, a `LAYER_NOT_AVAILABLE` after Link opened, a
 * timeout after an answer change nothing). Every state may go back to `idle`: that is how
 * `reset()` and removal from the page tear a flow down.
 */
export const STATES: { readonly [S in LayerState]: StateSpec } = {
  // start (eager on connect, intent on first focus or input), or a phone submitted straight away
  // … or, where Plaid does not support Layer (a webview), the partner's form at once
  idle: {
    next: ['loading', 'checking', 'fallback'],
    outcome: false,
    busy: false,
    accepts: 'phone',
    linkInCharge: false,
  },
  // handler created and loaded; a phone may be submitted before that and wait for it; an OAuth
  // return re-opens Link as soon as it loads
  loading: {
    next: ['idle', 'ready', 'checking', 'open', 'error'],
    outcome: false,
    busy: false,
    accepts: 'phone',
    linkInCharge: true,
  },
  // a phone is submitted; an invalid token recreates the handler in the background
  ready: {
    next: ['idle', 'loading', 'checking', 'error'],
    outcome: false,
    busy: false,
    accepts: 'phone',
    linkInCharge: true,
  },
  // an answer from Link, or none in time (a number outside the US needs none: it falls back at
  // once); an invalid token recreates the handler and retries
  checking: {
    next: ['idle', 'loading', 'dob', 'open', 'finishing', 'fallback', 'error'],
    outcome: false,
    busy: true,
    accepts: null,
    linkInCharge: true,
  },
  // a date of birth is submitted, or the user skips the step
  dob: {
    next: ['idle', 'loading', 'checking', 'fallback', 'error'],
    outcome: false,
    busy: false,
    accepts: 'date_of_birth',
    linkInCharge: true,
  },
  // success; a user exit (back to the phone step with a fresh handler); a failed authentication;
  // an invalid token (retried once from the phone step)
  open: {
    next: ['idle', 'loading', 'checking', 'finishing', 'fallback', 'error'],
    outcome: false,
    busy: true,
    accepts: null,
    linkInCharge: true,
  },
  // the backend answered, or failed, or did not answer in time
  finishing: {
    next: ['idle', 'complete', 'error'],
    outcome: false,
    busy: true,
    accepts: null,
    linkInCharge: false,
  },
  complete: { next: ['idle'], outcome: true, busy: false, accepts: null, linkInCharge: false },
  fallback: { next: ['idle'], outcome: true, busy: false, accepts: null, linkInCharge: false },
  error: { next: ['idle'], outcome: true, busy: false, accepts: null, linkInCharge: false },
};

export function canTransition(from: LayerState, to: LayerState): boolean {
  return STATES[from].next.includes(to);
}
