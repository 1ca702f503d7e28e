/**
 * Whether the tests run in CI: `CI` set to anything but empty, `false`, `0` or `no` (CI services
 * set `true` or `1`; a developer may set `CI=false` to say the opposite, as npm's ci-info reads it).
 */
export function runningInCI(env: Record<string, string | undefined>): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0' && value !== 'no';
}
