/**
 * Where `npm start`'s start-up goes, module by module: run with plain node as `npm start` runs
 * (`node bench/server/import-times.mjs`, after the build), it imports the compiled modules
 * server/main.ts imports before it listens (dist/), then what it imports later or only when
 * configured, and prints each part's time in ms as JSON (a part's time excludes what the parts
 * before it loaded). JavaScript, so no TypeScript loader adds to what it times.
 */
const times = {};
const time = async (name, load) => {
  const started = performance.now();
  await load();
  times[name] = Math.round((performance.now() - started) * 10) / 10;
};
await time('hono + @hono/node-server', () => Promise.all([import('hono'), import('@hono/node-server')]));
await time('emulator', () => import('../../dist/emulator/index.js'));
await time('the rest of server/ (start-site.js, environment.js)', () =>
  Promise.all([import('../../dist/server/start-site.js'), import('../../dist/server/environment.js')]),
);
await time('plaid + axios (after listening, lazily)', () => import('plaid'));
await time('jose (on the first webhook or token check)', () => import('jose'));
await time('redis (only with REDIS_URL)', () => import('redis'));
console.log(JSON.stringify(times));
