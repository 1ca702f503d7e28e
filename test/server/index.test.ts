/** The backend's public entry: runtime-neutral, and it depends on neither the widget nor the emulator. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

/** server/main.ts alone reads the environment, serves files, listens and mounts the emulator. */
const ENTRY_POINT = 'server/main.ts';

test('server/ (but main.ts) imports no Node built-in, touches no process, and never imports widget/ or emulator/', () => {
  const root = new URL('../../', import.meta.url);
  const files = readdirSync(new URL('server', root), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `server/${name}`)
    .filter((path) => path !== ENTRY_POINT);
  assert.ok(files.length > 15);
  for (const path of files) {
    const source = readFileSync(new URL(path, root), 'utf8');
    assert.doesNotMatch(source, /from '(node:|fs|path|url|os)/, `${path} imports Node`);
    // environment.ts is handed process.env by main.ts; it only names it in a comment.
    assert.doesNotMatch(source, /^(?!\s*(\/\/|\*)).*process\.(env|argv|exit)/m, `${path} reads the process`);
    assert.doesNotMatch(
      source,
      /from '\.\.?\/(\.\.\/)*(widget|emulator)\//,
      `${path} imports widget/ or emulator/`,
    );
  }
});
