/**
 * Calls an integrator's callback. An exception in it must not leave Link half-way through a step,
 * so it is reported as an uncaught error (the page and test runners still see it) and Link goes on.
 */
export function callSafely<A extends unknown[]>(
  callback: ((...args: A) => void) | undefined,
  ...args: A
): void {
  if (!callback) return;
  try {
    callback(...args);
  } catch (error) {
    reportError(error);
  }
}
