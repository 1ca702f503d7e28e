// Tests print nothing on success: what the widget writes to the console on purpose (a setup
// error's hint, a development warning) is caught here. A test takes the lines it expects; any
// other line fails the test after it, so a stray warning (an illegal move) cannot go unnoticed.

type Method = 'warn' | 'error';

export interface CaughtConsole {
  /** The current test's lines so far, which count as expected from then on. */
  take(): string[];
}

/** Catches `console[method]` around every test of the current `describe`. */
export function catchConsole(method: Method): CaughtConsole {
  const lines: string[] = [];
  let original: Console[Method] | undefined;
  beforeEach(() => {
    lines.length = 0;
    original = console[method];
    console[method] = (...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    };
  });
  afterEach(() => {
    if (original) console[method] = original;
    const unexpected = lines.splice(0);
    if (unexpected.length) throw new Error(`unexpected console.${method}:\n${unexpected.join('\n')}`);
  });
  return { take: () => lines.splice(0) };
}
