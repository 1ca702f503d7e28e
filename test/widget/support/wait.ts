// Waiting for a condition, with limits generous enough for a busy machine: web-test-runner runs two
// files at once, and other test suites may share the cores. Nothing here sleeps a fixed time.
import { waitUntil } from '@open-wc/testing';

/** The longest a test waits for one condition. */
export const WAIT_MS = 20_000;

/** Resolves once `condition()` is truthy; fails the test with `message` after {@link WAIT_MS}. */
export function until(condition: () => unknown, message = `never true: ${String(condition)}`): Promise<void> {
  return waitUntil(condition, message, { timeout: WAIT_MS, interval: 10 });
}
