/**
 * Whether the tests run in CI, where a missing runtime fails instead of skipping
 * (runtimes.test.ts). CI services set `CI=true` (or `1`); a developer may set `CI=false` or `CI=0`
 * to say the opposite, which must not count as CI.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runningInCI } from '../support/ci.js';

test('CI set to true, 1 or any other word counts as CI', () => {
  for (const value of ['true', 'TRUE', '1', 'yes', 'woodpecker'])
    assert.equal(runningInCI({ CI: value }), true, `CI=${value}`);
});

test('CI unset, empty, false or 0 does not count as CI', () => {
  assert.equal(runningInCI({}), false, 'unset');
  for (const value of ['', ' ', 'false', 'FALSE', 'False', '0', 'no'])
    assert.equal(runningInCI({ CI: value }), false, `CI=${JSON.stringify(value)}`);
});
