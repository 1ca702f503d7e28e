import { expect } from '@open-wc/testing';

import { canTransition, LAYER_STATES, STATES, type LayerState } from '../../widget/states.js';

/** Every state reachable from `from` through the table. */
function reachable(from: LayerState): Set<LayerState> {
  const seen = new Set<LayerState>([from]);
  for (const state of seen) for (const next of STATES[state].next) seen.add(next);
  return seen;
}

describe('states', () => {
  it('describes every state, and names only states in its transitions', () => {
    expect(Object.keys(STATES)).to.have.members([...LAYER_STATES]);
    for (const state of LAYER_STATES)
      for (const next of STATES[state].next) expect(LAYER_STATES, `${state} → ${next}`).to.include(next);
  });

  it('reaches every state from idle, and idle from every state', () => {
    expect([...reachable('idle')]).to.have.members([...LAYER_STATES]);
    for (const state of LAYER_STATES) expect(reachable(state).has('idle'), state).to.equal(true);
  });

  it('leaves an outcome only for idle (reset), and every flow can end in one', () => {
    const outcomes = LAYER_STATES.filter((state) => STATES[state].outcome);
    expect(outcomes).to.deep.equal(['complete', 'fallback', 'error']);
    for (const outcome of outcomes) expect(STATES[outcome].next).to.deep.equal(['idle']);
    for (const state of LAYER_STATES.filter((name) => !STATES[name].outcome))
      expect(
        [...reachable(state)].some((next) => STATES[next].outcome),
        state,
      ).to.equal(true);
  });

  it('never lists a state as its own successor (new data in the same state is no transition)', () => {
    for (const state of LAYER_STATES) expect(canTransition(state, state), state).to.equal(false);
  });

  it('takes a phone number before any submit, a date of birth only in dob, nothing while busy', () => {
    const accepting = (what: string) => LAYER_STATES.filter((state) => STATES[state].accepts === what);
    expect(accepting('phone')).to.deep.equal(['idle', 'loading', 'ready']);
    expect(accepting('date_of_birth')).to.deep.equal(['dob']);
    for (const state of LAYER_STATES.filter((name) => STATES[name].busy))
      expect(STATES[state].accepts, state).to.equal(null);
    expect(LAYER_STATES.filter((state) => STATES[state].busy)).to.deep.equal([
      'checking',
      'open',
      'finishing',
    ]);
  });

  it('lets Link’s exit change the flow only while its handler is in charge', () => {
    expect(LAYER_STATES.filter((state) => STATES[state].linkInCharge)).to.deep.equal([
      'loading',
      'ready',
      'checking',
      'dob',
      'open',
    ]);
  });

  it('finishes only after Link succeeded, and completes only from finishing', () => {
    expect(LAYER_STATES.filter((state) => canTransition(state, 'finishing'))).to.deep.equal([
      'checking',
      'open',
    ]);
    expect(LAYER_STATES.filter((state) => canTransition(state, 'complete'))).to.deep.equal(['finishing']);
  });
});
