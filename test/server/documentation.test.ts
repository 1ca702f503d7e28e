// The README documents every code, reason and event the contract and the widget define, with the
// status and kind the contract gives them: a new one fails here until the README says what it means.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

import { API_ERRORS, FALLBACK_REASONS, WIDGET_ERRORS } from '../../contract/index.js';
import { LAYER_EVENT_NAMES } from '../../widget/events.js';

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the first table after `heading`, as arrays of trimmed cells. */
function tableAfter(heading: string): string[][] {
  const start = readme.indexOf(heading);
  assert.ok(start >= 0, `README has "${heading}"`);
  const lines = readme.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

test('the README’s error table lists every backend and widget code with its status and kind', () => {
  const rows = new Map(
    tableAfter('### Errors').map(([code, from, kind, status]) => [code, { from, kind, status }]),
  );
  for (const [code, { status, kind }] of Object.entries(API_ERRORS))
    assert.deepEqual(rows.get(`\`${code}\``), { from: 'backend', kind, status: String(status) }, code);
  for (const [code, { kind }] of Object.entries(WIDGET_ERRORS))
    assert.deepEqual(rows.get(`\`${code}\``), { from: 'widget', kind, status: '—' }, code);
  assert.equal(
    rows.size,
    Object.keys(API_ERRORS).length + Object.keys(WIDGET_ERRORS).length,
    'no stale rows',
  );
});

test('the README explains every fallback reason and lists every event', () => {
  const reasons = tableAfter('| fallback `reason` |').map(([reason]) => reason);
  assert.deepEqual(
    reasons,
    FALLBACK_REASONS.map((reason) => `\`${reason}\``),
  );
  const events = tableAfter('### Events').map(([event]) => event);
  assert.deepEqual(
    events,
    LAYER_EVENT_NAMES.map((event) => `\`${event}\``),
  );
});
