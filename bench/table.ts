/**
 * One row of `npm run bench`'s table: a figure of ours, what it is measured beside (the floor, the
 * alternative a partner would otherwise ship), the ratio the goal is stated in, and the goal.
 * Every benchmark module returns rows; bench/run.ts prints them as one table and writes them to
 * bench/results/latest.json.
 */
export interface BenchRow {
  /** Which benchmark (a heading): 'size', 'page', 'server', 'cold start', 'lifecycle'. */
  group: string;
  /** What is measured, e.g. 'IIFE gzip', 'POST /link-token req/s'. */
  figure: string;
  /** Our figure, formatted with its unit, e.g. '9,812 B', '1,234 ms', '1,602 req/s'. */
  ours: string;
  /** The floor and the alternative, measured in the same run, formatted with their units. */
  beside: string;
  /** The ratio the goal is stated in, e.g. '0.93 × floor', or '' when the goal is absolute. */
  ratio: string;
  /** The goal as written in issue 15, e.g. '≤ 10 KB', '≥ 0.9 × floor'. */
  goal: string;
  /** Whether the figure meets its goal; undefined when the row has no goal (context only). */
  met?: boolean;
  /** The raw numbers behind the row, for latest.json. */
  data?: Record<string, unknown>;
}

export const bytes = (n: number) => `${n.toLocaleString('en-US')} B`;
export const ms = (n: number) => `${n.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;
export const times = (n: number) => `${n.toFixed(2)} ×`;

/** Median of a list of numbers (the list is not changed). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value below which a fraction `q` of the list falls (nearest rank). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The table as fixed-width text: one line a row, grouped, with ✓ / ✗ by each goal. */
export function formatTable(rows: BenchRow[]): string {
  const head = ['figure', 'ours', 'beside it (same run)', 'ratio', 'goal', ''];
  const cells = rows.map((r) => [
    r.figure,
    r.ours,
    r.beside,
    r.ratio,
    r.goal,
    r.met === undefined ? '' : r.met ? '✓' : '✗',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out: string[] = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  let group = '';
  rows.forEach((row, i) => {
    if (row.group !== group) {
      group = row.group;
      out.push(`[${group}]`);
    }
    out.push(line(cells[i]!));
  });
  return out.join('\n');
}

/** The same table in Markdown, for BENCHMARKS.md. */
export function markdownTable(rows: BenchRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const out = [
    '| benchmark | figure | ours | beside it (same run) | ratio | goal | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows)
    out.push(
      `| ${[r.group, r.figure, r.ours, r.beside, r.ratio, r.goal, r.met === undefined ? '' : r.met ? '✓' : '✗'].map(esc).join(' | ')} |`,
    );
  return out.join('\n');
}
