import { percentile } from './measure.js';

/**
 * One benchmark figure, side by side with its anchor, in the shape `pnpm bench --json`
 * prints: ratio = herald / anchor, or the figure itself where the target is absolute.
 */
export interface BenchResult {
  /** What was measured. */
  readonly scenario: string;
  /** The unit of `herald` and `anchorValue`. */
  readonly unit: string;
  /** Herald's figure. */
  readonly herald: number;
  /** What Herald is compared with, or `null` for an absolute target. */
  readonly anchor: string | null;
  /** The anchor's figure, measured in the same run. */
  readonly anchorValue: number | null;
  /** herald / anchorValue (or herald itself for an absolute target). */
  readonly ratio: number;
  /** The target, in words. */
  readonly target: string;
  /** Whether a larger figure is better. */
  readonly higherIsBetter: boolean;
  /** Whether the target is met. */
  readonly met: boolean;
}

/** Prints results as a table, or as JSON. */
export function report(results: readonly BenchResult[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const rows = results.map((r) => [
    r.met ? 'MET' : 'MISS',
    r.scenario,
    `${format(r.herald)} ${r.unit}`,
    r.anchor === null ? '—' : `${r.anchor}: ${format(r.anchorValue ?? 0)} ${r.unit}`,
    r.anchor === null ? '—' : `${r.ratio.toFixed(2)}x`,
    r.target,
  ]);
  const header = ['', 'scenario', 'herald', 'anchor', 'ratio', 'target'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ');
  process.stdout.write(`${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('-|-')}\n${rows.map(line).join('\n')}\n`);
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

/** A p99 latency figure of `samples` (ms) against an absolute limit, `< limitMs`. */
export function p99Result(scenario: string, samples: number[], limitMs: number): BenchResult {
  const p99 = percentile(samples, 99);
  return { scenario, unit: 'ms (p99)', herald: p99, anchor: null, anchorValue: null, ratio: p99, target: `< ${limitMs} ms`, higherIsBetter: false, met: p99 < limitMs };
}
