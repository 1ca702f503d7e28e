/**
 * A partner's logging function (the API's `logger`, the Redis store's `logger`, the Node adapters'
 * `warn`) made unable to break what it logs. A logger fails in the field — a pino transport closed,
 * a stream ended, a serializer meeting a circular object, an async logger that rejects — and the
 * request it was told about has already been answered (against Plaid, too): its failure must not
 * turn that answer into a 500, reject unhandled, or end the process. Its first failure is said once
 * on `console.error`, naming the option and the error's kind only: its message may carry whatever
 * the logger was given or holds (a URL with credentials, a line), so it is not repeated.
 */
export function safeLogger<Args extends unknown[]>(
  log: (...args: Args) => unknown,
  option: string,
): (...args: Args) => void {
  let reported = false;
  const report = (error: unknown) => {
    if (reported) return;
    reported = true;
    try {
      console.error(
        `layer-onboarding: the ${option} option failed (${kindOf(error)}); what it was given is dropped ` +
          'while it fails, and requests are answered as usual. Check the logger.',
      );
    } catch {
      // No console either: nowhere left to say it.
    }
  };
  return (...args) => {
    try {
      const result = log(...args);
      if (isThenable(result)) result.then(undefined, report);
    } catch (error) {
      report(error);
    }
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `TypeError`, `Error`…; never the message. A name that is not a plain identifier is not shown. */
function kindOf(error: unknown): string {
  if (!(error instanceof Error)) return `a thrown ${error === null ? 'null' : typeof error}`;
  const { name } = error;
  return typeof name === 'string' && /^\w{1,40}$/.test(name) ? name : 'Error';
}
