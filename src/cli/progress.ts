import cliProgress from 'cli-progress';
import type { ConfigurationStep, FleetRunProgress } from '../run/index.js';
import { wholeNumber } from './options.js';

export interface Progress {
  /** `left`: the time left as the caller knows it (e.g. from a plan); default: estimated from the pace so far. */
  update(done: number, detail: string, left?: string): void;
  /** The total becomes known late (a shard's laptops are counted by the run). */
  setTotal(total: number): void;
  stop(): void;
}

/** Without a terminal, the longest a run stays silent: CI logs must never look hung. */
export const PLAIN_LINE_EVERY_MS = 10_000;

/** The heartbeat: PLAIN_LINE_EVERY_MS, or shorter from $FLEETSIM_PROGRESS_EVERY_MS (for denser CI logs). */
export function plainLineEveryMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.FLEETSIM_PROGRESS_EVERY_MS;
  return v === undefined || v === ''
    ? PLAIN_LINE_EVERY_MS
    : wholeNumber('FLEETSIM_PROGRESS_EVERY_MS (environment)', v, 100, PLAIN_LINE_EVERY_MS);
}

/**
 * A progress bar with the time left on a terminal; otherwise (CI logs, a
 * pipe) a plain line whenever progress is reported, at most every
 * `intervalMs`, and at least every PLAIN_LINE_EVERY_MS even when nothing
 * finished in between (a slow shard), each with an estimate of the time
 * left once there is progress to estimate from. Writes to stderr: stdout
 * stays clean for --json.
 */
export function createProgress(
  label: string,
  total: number,
  /** startedAtMs: when the work began (Date.now() clock), if before the bar is made. */
  opts: { quiet?: boolean; intervalMs?: number; startedAtMs?: number } = {},
): Progress {
  if (opts.quiet) return { update() {}, setTotal() {}, stop() {} };
  const everyMs = plainLineEveryMs();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      // etaBuffer: the rate over the last 20 updates, so the estimate follows a run whose speed changes.
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {left} | {detail}`,
        stream: process.stderr,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = opts.startedAtMs ?? Date.now();
    bar.start(total, 0, { detail: '', left: 'estimating time left' });
    return {
      update: (done, detail, left) => bar.update(done, { detail, left: left ?? timeLeft(Date.now() - started, done, total) }),
      setTotal: (n) => {
        total = n;
        bar.setTotal(n);
      },
      stop: () => bar.stop(),
    };
  }
  const interval = Math.min(opts.intervalMs ?? 5_000, everyMs);
  const started = opts.startedAtMs ?? Date.now();
  let lastPrint = Date.now();
  let last: { done: number; detail: string; left?: string | undefined } = { done: 0, detail: 'starting' };
  let printedAll = false;
  const print = (now: number): void => {
    lastPrint = now;
    const pct = total > 0 ? Math.floor((100 * last.done) / total) : 100;
    process.stderr.write(
      `${label}: ${last.done}/${total} (${pct}%) after ${formatSeconds((now - started) / 1000)}, ${last.left ?? timeLeft(now - started, last.done, total)}, ${last.detail}\n`,
    );
  };
  // unref: the heartbeat never keeps a finished process alive.
  const heartbeat = setInterval(
    () => {
      const now = Date.now();
      if (now - lastPrint >= everyMs - 50) print(now);
    },
    Math.min(1_000, everyMs / 4),
  ).unref();
  return {
    update(done, detail, left) {
      last = { done, detail, left };
      const now = Date.now();
      // The line that reaches the total prints at once; after it (work still finishing), the interval applies again.
      const reached = done >= total && !printedAll;
      if (done >= total) printedAll = true;
      if (now - lastPrint < interval && !reached) return;
      print(now);
    },
    stop() {
      clearInterval(heartbeat);
    },
    setTotal(n) {
      total = n;
    },
  };
}

/** "about 3 min left" from the pace so far; "estimating time left" before anything is done. */
export function timeLeft(elapsedMs: number, done: number, total: number): string {
  if (done >= total) return 'done';
  if (done <= 0 || elapsedMs <= 0) return 'estimating time left';
  return `about ${formatSeconds(((elapsedMs / done) * (total - done)) / 1000)} left`;
}

/** 42 s, 3 min 05 s, 1 h 12 min. */
export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, '0')} s`;
  return `${Math.floor(t / 3600)} h ${String(Math.floor((t % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * Where `fleetsim run` is, as one display over the whole run: a scenario of
 * several agent configurations runs its fleet once per configuration, so the
 * total is every configuration's laptops and each starts where the one before
 * ended (a bar that restarted per configuration read as a run going back).
 * A paced run counts by its clock: a windowed run ends with its window.
 */
export function runPosition(p: FleetRunProgress, step: ConfigurationStep | null): { done: number; total: number; prefix: string } {
  let done = p.laptopsDone;
  if (p.paced) {
    const { virtualMs, fromUtcMs, untilUtcMs } = p.paced;
    if (untilUtcMs !== null && Number.isFinite(virtualMs))
      done = Math.min(p.laptopsTotal, Math.round((p.laptopsTotal * Math.max(0, virtualMs - fromUtcMs)) / (untilUtcMs - fromUtcMs)));
  }
  if (step === null) return { done, total: p.laptopsTotal, prefix: '' };
  return {
    done: step.index * p.laptopsTotal + done,
    total: step.count * p.laptopsTotal,
    prefix: `config ${step.index + 1}/${step.count} ${step.name}`,
  };
}

/** Where a run stood when it was stopped, as the CLI tracked it. */
export interface RunStanding {
  readonly scenario: string;
  /** Laptops of one pass over the fleet: the fleet's, or with --shard the shard's part of it. */
  readonly laptops: number;
  readonly shard: { readonly index: number; readonly count: number } | null;
  /** The progress of the fleet run under way (of the configuration under way). */
  readonly last: FleetRunProgress | null;
  /** The configuration under way, for a scenario of agent configurations. */
  readonly step: ConfigurationStep | null;
  /** The configurations finished, whose reports are kept. */
  readonly completed: readonly string[];
}

/**
 * What interrupted.json says of a run stopped part-way. Its laptops and
 * laptops_done count the whole run (every configuration's pass over the
 * fleet, or the shard's part of it), so the two are read together; for a
 * scenario of agent configurations it names those completed (their reports
 * are in configurations/) and the one cut short, with that one's own count.
 */
export function interruptedRunState(r: RunStanding): Record<string, unknown> {
  const each = r.last?.laptopsTotal ?? r.laptops;
  const cutDone = r.last?.laptopsDone ?? 0;
  const shard = r.shard ? { shard: `${r.shard.index}/${r.shard.count}` } : {};
  if (!r.step) return { scenario: r.scenario, ...shard, laptops: each, laptops_done: cutDone };
  const cut = r.completed.includes(r.step.name) ? null : r.step.name;
  return {
    scenario: r.scenario,
    ...shard,
    laptops: each * r.step.count,
    laptops_done: each * r.completed.length + (cut === null ? 0 : cutDone),
    configurations: {
      count: r.step.count,
      laptops_each: each,
      completed: r.completed,
      ...(cut === null ? {} : { cut_short: { name: cut, laptops: each, laptops_done: cutDone } }),
    },
  };
}
