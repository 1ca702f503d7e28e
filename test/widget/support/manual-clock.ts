import type { Clock } from '../../../widget/timers.js';

/** A clock that moves only when told, so a 10 s timeout or a 4 h token runs in no time. */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  constructor(start = Date.parse('2030-01-01T00:00:00Z')) {
    this.time = start;
  }

  /** Timers set and neither fired nor cleared. */
  get pending(): number {
    return this.timers.size;
  }

  /** How long from now until each pending timer is due, soonest first (negative: overdue). */
  get due(): number[] {
    return [...this.timers.values()].map((timer) => timer.at - this.time).sort((a, b) => a - b);
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(id: number): void {
    this.timers.delete(id);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers]
        .filter(([, timer]) => timer.at <= end)
        .sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [id, timer] = due;
      this.timers.delete(id);
      this.time = timer.at;
      timer.callback();
    }
    this.time = end;
  }

  /**
   * The machine sleeps (a closed laptop) or the page waits in the back/forward cache: the clock on
   * the wall moves on, and the timers stand still (browsers time them on a clock that stops in
   * sleep), so each pending one is due that much later.
   */
  sleep(ms: number): void {
    this.time += ms;
    for (const timer of this.timers.values()) timer.at += ms;
  }
}
