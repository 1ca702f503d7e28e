// The flow's timers: named, on an injectable clock (a test runs a 10 s timeout or a 4-hour token in
// no time), and all cleared by one call, so tear-down leaves nothing running.

/** Time and timers, the page's own by default. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
}

/** The page's own timers, looked up on each call (never at import, for server-side rendering). */
export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms) as unknown as number,
  clearTimeout: (id) => globalThis.clearTimeout(id),
};

/** setTimeout's longest delay; a longer one would fire at once. A 4-hour token is far below it. */
const MAX_DELAY = 2 ** 31 - 1;

/** At most one timer per name: starting one again replaces it. */
export class Timers<Name extends string> {
  readonly #clock: Clock;
  readonly #ids = new Map<Name, number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Runs `callback` once after `ms`, replacing a timer of that name. A delay past setTimeout's
   * range is clamped; a negative one setTimeout itself takes as 0.
   */
  start(name: Name, ms: number, callback: () => void): void {
    this.clear(name);
    const id = this.#clock.setTimeout(
      () => {
        this.#ids.delete(name);
        callback();
      },
      Math.min(ms, MAX_DELAY),
    );
    this.#ids.set(name, id);
  }

  clear(name: Name): void {
    const id = this.#ids.get(name);
    if (id === undefined) return;
    this.#clock.clearTimeout(id);
    this.#ids.delete(name);
  }

  clearAll(): void {
    for (const name of [...this.#ids.keys()]) this.clear(name);
  }
}
