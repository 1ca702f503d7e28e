import { expect } from '@open-wc/testing';

import { SYSTEM_CLOCK, Timers } from '../../widget/timers.js';
import { ManualClock } from './support/manual-clock.js';
import { until } from './support/wait.js';

describe('Timers', () => {
  it('runs a timer once, after its delay', () => {
    const clock = new ManualClock();
    const timers = new Timers<'a'>(clock);
    const fired: number[] = [];
    timers.start('a', 100, () => fired.push(clock.now()));
    clock.advance(99);
    expect(fired).to.deep.equal([]);
    expect(clock.pending).to.equal(1);
    clock.advance(1);
    expect(fired).to.have.length(1);
    expect(clock.pending).to.equal(0);
    clock.advance(1_000);
    expect(fired).to.have.length(1);
  });

  it('keeps one timer per name: starting it again replaces it', () => {
    const clock = new ManualClock();
    const timers = new Timers<'a'>(clock);
    const fired: string[] = [];
    timers.start('a', 100, () => fired.push('first'));
    timers.start('a', 200, () => fired.push('second'));
    clock.advance(1_000);
    expect(fired).to.deep.equal(['second']);
    expect(clock.pending).to.equal(0);
  });

  it('clears one timer, or all of them', () => {
    const clock = new ManualClock();
    const timers = new Timers<'a' | 'b' | 'c'>(clock);
    const fired: string[] = [];
    for (const name of ['a', 'b', 'c'] as const) timers.start(name, 10, () => fired.push(name));
    timers.clear('a');
    expect(clock.pending).to.equal(2);
    timers.clearAll();
    expect(clock.pending).to.equal(0);
    clock.advance(100);
    expect(fired).to.deep.equal([]);
  });

  it('clamps a delay beyond setTimeout’s range instead of firing at once', () => {
    const clock = new ManualClock();
    const timers = new Timers<'far'>(clock);
    let fired = false;
    timers.start('far', 2 ** 40, () => (fired = true));
    clock.advance(2 ** 31 - 2);
    expect(fired).to.equal(false);
    clock.advance(1);
    expect(fired).to.equal(true);
  });

  it('uses the page’s timers by default', async () => {
    const timers = new Timers<'soon' | 'never'>(SYSTEM_CLOCK);
    let fired = false;
    let cleared = false;
    timers.start('soon', 1, () => (fired = true));
    timers.start('never', 1, () => (cleared = true));
    timers.clear('never');
    await until(() => fired, 'the timer never fired');
    expect(cleared).to.equal(false);
  });
});
