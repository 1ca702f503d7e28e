/**
 * Where `npm start`'s start-up goes, module by module: run under tsx as `npm start` runs
 * (`node --import tsx bench/server/import-times.ts`), it imports what server/main.ts imports
 * before it listens, then what it imports later or only when configured, and prints each part's
 * time in ms as JSON (a part's time excludes what the parts before it loaded).
 */
const times: Record<string, number> = {};
const time = async (name: string, load: () => Promise<unknown>) => {
  const started = performance.now();
  await load();
  times[name] = Math.round((performance.now() - started) * 10) / 10;
};
await time('hono + @hono/node-server', () => Promise.all([import('hono'), import('@hono/node-server')]));
await time('emulator', () => import('../../emulator/index.js'));
await time('the rest of server/ (start-site.ts, environment.ts)', () =>
  Promise.all([import('../../server/start-site.js'), import('../../server/environment.js')]),
);
await time('plaid + axios (after listening, lazily)', () => import('plaid'));
await time('jose (on the first webhook or token check)', () => import('jose'));
await time('redis (only with REDIS_URL)', () => import('redis'));
console.log(JSON.stringify(times));
