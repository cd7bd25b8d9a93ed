/** One line of the benchmark table: a figure beside the ceiling measured in the same run. */
export interface BenchRow {
  scenario: string;
  database: 'sqlite' | 'postgres' | '-';
  clients?: number;
  value: number;
  unit: 'ops/s' | 'ms' | 'MiB';
  p50Ms?: number;
  p99Ms?: number;
  ceiling?: { name: string; value: number; p50Ms?: number; p99Ms?: number };
  note?: string;
}

const fmt = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? '' : n >= 100 ? Math.round(n).toString() : n.toFixed(digits));

export function ratio(row: BenchRow): string {
  if (!row.ceiling || row.ceiling.value === 0) return '';
  // For throughput a higher figure is better; for times and memory a lower one.
  const r = row.unit === 'ops/s' ? row.value / row.ceiling.value : row.ceiling.value / row.value;
  return `${(r * 100).toFixed(0)}%`;
}

export function printTable(rows: BenchRow[]): string {
  const header = ['scenario', 'db', 'clients', 'figure', 'p50 ms', 'p99 ms', 'ceiling', 'ceiling figure', 'of ceiling', 'note'];
  const lines = rows.map((r) => [
    r.scenario,
    r.database,
    r.clients?.toString() ?? '',
    `${fmt(r.value)} ${r.unit}`,
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    r.ceiling?.name ?? '',
    r.ceiling ? `${fmt(r.ceiling.value)} ${r.unit}` : '',
    ratio(r),
    r.note ?? '',
  ]);
  const table = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...table.map((l) => l[i]!.length)));
  const render = (l: string[]) => `| ${l.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}
