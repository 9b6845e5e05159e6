/**
 * How every figure is shown and checked: several runs (min/median/max), the ratio to a peer or a
 * floor measured in the same run, and a limit that fails the run (exit code 1, FAIL on the line):
 *   `name: min/median/max unit (ratio min/median/max× vs peer, limit ≤ 1.1) PASS`
 * The limit is checked against the median (of the ratio when there is one, else of the figure).
 */
export type Print = (name: string, value: number, unit: string) => void;

export interface Limit {
  /** The median must be at most this… */
  max?: number;
  /** …or at least this. */
  min?: number;
  /** What the limit is on: the ratio (default when there is a peer) or the figure itself. */
  on?: 'ratio' | 'value';
}

export interface FigureSpec {
  name: string;
  unit: string;
  runs: readonly number[];
  /** The same runs of the peer or floor, measured in the same run (paired with `runs` by index). */
  peer?: { name: string; runs: readonly number[] };
  limit: Limit;
  /** Anything else worth a word on the line (CPU per request, counts). */
  note?: string;
}

const failures: string[] = [];

export function shown(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-GB');
  return value.toPrecision(3);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
}

const triple = (xs: readonly number[]): string =>
  `${shown(Math.min(...xs))}/${shown(median(xs))}/${shown(Math.max(...xs))}`;

/** Print one figure as min/median/max, with its ratio and limit; a figure out of its limit fails the run. */
export function figure(spec: FigureSpec): boolean {
  const ratios = spec.peer ? spec.runs.map((r, i) => r / (spec.peer?.runs[i] ?? NaN)) : undefined;
  const on = spec.limit.on ?? (ratios ? 'ratio' : 'value');
  const checked = median(on === 'ratio' && ratios ? ratios : spec.runs);
  const ok =
    Number.isFinite(checked) &&
    (spec.limit.max === undefined || checked <= spec.limit.max) &&
    (spec.limit.min === undefined || checked >= spec.limit.min);
  const limitWords = [
    spec.limit.max !== undefined ? `≤ ${shown(spec.limit.max)}` : '',
    spec.limit.min !== undefined ? `≥ ${shown(spec.limit.min)}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const parts = [
    ratios && spec.peer ? `ratio ${triple(ratios)}× vs ${spec.peer.name} ${triple(spec.peer.runs)} ${spec.unit}` : '',
    `limit ${on === 'ratio' ? 'ratio ' : ''}${limitWords}${on === 'value' ? ` ${spec.unit}` : '×'}`,
    spec.note ?? '',
  ].filter(Boolean);
  const line = `${spec.name}: ${triple(spec.runs)} ${spec.unit} (${parts.join('; ')}) ${ok ? 'PASS' : 'FAIL'}`;
  process.stdout.write(`${line}\n`);
  if (!ok) failures.push(spec.name);
  return ok;
}

/** A figure that could not be measured at all (a peer failed): it fails the run. */
export function broken(name: string, why: string): void {
  process.stdout.write(`${name}: not measured (${why}) FAIL\n`);
  failures.push(name);
}

/** A figure shown for information only, with no limit (a component of one that has a limit). */
export const info: Print = (name, value, unit) => process.stdout.write(`  ${name}: ${shown(value)} ${unit}\n`);

export function failed(): readonly string[] {
  return failures;
}
