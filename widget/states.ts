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

/** States the flow does not leave on its own: only `reset()` (or a new element) starts over. */
export const TERMINAL_STATES: readonly LayerState[] = ['complete', 'fallback', 'error'];

/**
 * Which state may follow which — the one place the flow's transitions are written down.
 *
 * Link delivers most events late and in no guaranteed order, so a signal that arrives when its
 * transition is not listed here (a second `onSuccess`, a `LAYER_NOT_AVAILABLE` after Link opened,
 * a timeout after an answer) is simply ignored. Every state may go back to `idle`: that is how
 * `reset()` and removal from the page tear a session down.
 */
export const TRANSITIONS: { readonly [From in LayerState]: readonly LayerState[] } = {
  // start (eager on connect, intent on first focus or input), or a phone submitted straight away
  idle: ['loading', 'checking'],
  // handler created and loaded; a phone may be submitted before that and wait for it; an OAuth
  // return re-opens Link as soon as it loads
  loading: ['idle', 'ready', 'checking', 'open', 'error'],
  // a phone is submitted; a token refresh recreates the handler in the background
  ready: ['idle', 'loading', 'checking', 'error'],
  // an answer from Link, or none in time; an invalid token recreates the handler and retries
  checking: ['idle', 'loading', 'dob', 'open', 'finishing', 'fallback', 'error'],
  // a date of birth is submitted, or the user skips the step
  dob: ['idle', 'loading', 'checking', 'fallback', 'error'],
  // success; a user exit (back to the phone step with a fresh handler); a failed authentication;
  // an invalid token (retried once from the phone step)
  open: ['idle', 'loading', 'checking', 'finishing', 'fallback', 'error'],
  // the backend answered, or failed
  finishing: ['idle', 'complete', 'error'],
  complete: ['idle'],
  fallback: ['idle'],
  error: ['idle'],
};

export function canTransition(from: LayerState, to: LayerState): boolean {
  return TRANSITIONS[from].includes(to);
}
