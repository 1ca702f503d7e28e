import type { BenchRow } from './table.js';
export async function measureColdStart({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  void quick;
  return [];
}
