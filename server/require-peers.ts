/**
 * The server and emulator entries need packages a front-end-only install leaves out (`hono`,
 * `plaid`, `jose`, `redis`: optional peer dependencies). The published entries
 * (dist/server.js, dist/emulator.js, dist/server-redis.js, written by scripts/build.mjs) call this
 * before they load anything else, so a missing one is named at import, together with the command
 * that installs all that are missing, instead of a bare "Cannot find package" for the first one.
 *
 * Each package comes with its own `import()` written out, so bundlers see every one. Loading them all
 * here would cost a partner's server their whole start-up up front (`plaid` alone is ~0.7 s, while
 * the server loads it in the background once the API is created), so a package is first only resolved, which
 * reads a package.json or two; the `import()` runs only for one that does not resolve on disk: a
 * bundled deployment (the package is inlined, nothing to resolve) or a runtime without
 * `import.meta.resolve`, where loading it is the only way to know, as before.
 */
export type PeerImports = Record<string, () => Promise<unknown>>;

/** Node, Bun and Deno say a package is missing in these words; anything else is a real failure. */
function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
    return typeof message !== 'string' || message.includes(`'${name}'`) || message.includes(`"${name}"`);
  return (
    typeof message === 'string' && /cannot find (package|module)/i.test(message) && message.includes(name)
  );
}

export class MissingPeersError extends Error {
  constructor(
    readonly entry: string,
    readonly missing: readonly string[],
  ) {
    super(
      `${entry} needs ${missing.length === 1 ? 'a package' : 'packages'} that ${missing.length === 1 ? 'is' : 'are'} not installed: ${missing.join(', ')}. ` +
        `Install ${missing.length === 1 ? 'it' : 'them'} next to layer-onboarding: npm install ${missing.join(' ')}`,
    );
    this.name = 'MissingPeersError';
  }
}

/**
 * Whether `name` resolves from here as `import()` would resolve it (the same "import" conditions;
 * this module sits in the same package as the entries that call it). Any failure, including a
 * runtime or bundle without `import.meta.resolve`, leaves the answer to `import()`.
 */
function resolves(name: string): boolean {
  try {
    import.meta.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Checks every peer; throws one {@link MissingPeersError} naming all that are missing. */
export async function requirePeers(entry: string, peers: PeerImports): Promise<void> {
  const missing: string[] = [];
  for (const [name, load] of Object.entries(peers)) {
    if (resolves(name)) continue;
    try {
      await load();
    } catch (error) {
      if (!isMissing(error, name)) throw error;
      missing.push(name);
    }
  }
  if (missing.length) throw new MissingPeersError(entry, missing);
}
