/**
 * Every benchmark prints a human table, or with --json one JSON object of its
 * figures (the keys its issue names), so CI and notes can quote the numbers.
 */
import { readFileSync } from 'node:fs';
import { HAS_THREAD_CPU_USAGE, cpuMicros } from '../../src/metrics/cpu.js';
import { parseSchedstat } from '../../src/observe/proc-parse.js';
export function wantsJson(argv: readonly string[] = process.argv.slice(2)): boolean {
  return argv.includes('--json');
}

export function printTable(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [header, ...rows].map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`\n${title}\n${line(cells[0]!)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of cells.slice(1)) process.stdout.write(`${line(r)}\n`);
}

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000 || Number.isInteger(x)) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(3);
}

/** An integer flag like --employees 200, or the default. */
export function intFlag(name: string, fallback: number, argv: readonly string[] = process.argv.slice(2)): number {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new BenchFlagError(`--${name} takes a whole number, got ${argv[i + 1]}`);
  return v;
}

/** CPU time of this process in seconds (user + system, all its threads). */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * CPU time of the calling thread in seconds: process.threadCpuUsage (Node >= 22.19), else Linux's exact run time
 * of this thread (/proc/thread-self/schedstat), else the process's. For the floor's parts, measured in the bench's
 * own process: its heap holds the whole corpus, and V8's helper threads marking it (about 10 µs per upload on
 * Node 24) are not the work being measured.
 */
export function threadCpuSeconds(): number {
  if (HAS_THREAD_CPU_USAGE) return cpuMicros() / 1e6;
  try {
    const run = parseSchedstat(readFileSync('/proc/thread-self/schedstat', 'utf8'));
    if (run !== null) return run.run_ns / 1e9;
  } catch {
    // Not Linux, or no schedstat: the process's time.
  }
  return cpuSeconds();
}

/** A string flag like --baseline DIR, or undefined when absent; a flag without its value is an error. */
export function stringFlag(name: string, argv: readonly string[] = process.argv.slice(2)): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new BenchFlagError(`--${name} takes a value`);
  return v;
}

/** The median; of an even count, the mean of the middle two (NaN when empty). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
}

/** A bad flag or flag combination: the bench says what was wrong and exits 2, without a stack trace. */
export class BenchFlagError extends Error {
  readonly code = 'BENCH_FLAG' as const;
}

/**
 * Called first by a bench's entry: a BenchFlagError ends the bench with its message and exit code 2 (as the CLI
 * ends on bad flags); any other error is printed with its stack and exits 1, as Node would.
 */
export function exitOnFlagErrors(): void {
  process.on('uncaughtException', (e) => {
    if (e instanceof BenchFlagError) {
      process.stderr.write(`${process.argv[1]?.split('/').pop() ?? 'bench'}: ${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

/** The text of a file's leading block comment, without its comment marks. */
export function headerComment(source: string): string {
  const m = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (m === null) return 'No usage is written at the top of this bench; read its source.\n';
  const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return `${lines.join('\n')}\n`;
}
