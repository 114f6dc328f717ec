/**
 * npm run bench:compare [-- --json] [--employees N] [--runs N] [--replicas N] [--trials N]
 *
 * What `fleetsim compare` can see in agent CPU per laptop-hour, from real figures:
 * `--runs` real runs of one small scenario (same seed, so the same laptops) give each
 * laptop's CPU per hour and the run-to-run noise of that measurement on this machine
 * (sd of the per-laptop log ratio between runs ÷ √2). Synthetic fleets are then drawn
 * from those figures: a paired design (the same laptops on both sides, as with one seed)
 * against an unpaired one (each side's laptops drawn independently from the same
 * population, as with different seeds), with `--replicas` replicas per side, and
 * compared `--trials` times with the real compare code:
 *
 * - false_positive_rate_aa: share of A/A trials (paired) whose verdict is not "no change"
 * - aa_interval_excludes_zero: share of A/A trials whose 90 % interval excludes 0 (≈ 0.1 expected)
 * - paired_ci_width, unpaired_ci_width: mean width of the 90 % interval of the relative
 *   difference of mean CPU per laptop-hour (A/A), and their ratio (goal ≤ 0.5)
 * - min_detectable_effect_pct: the smallest CPU increase found "worse" in ≥ 80 % of
 *   paired trials with the default 5 % tolerance; _no_tolerance: with tolerance 0
 */
import './lib/flag-errors.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSides, readSide, RUN_FIGURES, type FigureSpec, type Replica, type Side } from '../src/compare/index.js';
import { createStream, normal, uniformInt } from '../src/random/index.js';
import { writeScenarioReport } from '../src/report/run-report.js';
import { runScenario } from '../src/run/index.js';
import { resolveScenario } from '../src/scenario/index.js';
import { intFlag, printTable, wantsJson } from './lib/output.js';

const employees = intFlag('employees', 40);
const runs = intFlag('runs', 3);
const replicas = intFlag('replicas', 5);
const trials = intFlag('trials', 200);
const CPU = RUN_FIGURES.find((f) => f.alias === 'cpu') as FigureSpec;

const scenario = resolveScenario({
  name: 'bench-compare',
  seed: 'bench-compare',
  fleet: { employees },
  simulation: { days: 1, startDate: '2026-03-03' },
  transport: 'null',
});
const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-bench-compare-'));
const perRun: Map<string, number>[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const dir = join(tmp, `run${i}`);
    await writeScenarioReport(dir, await runScenario(scenario, { reportDir: dir, workers: 0 }));
    const side = readSide([dir], 'bench');
    perRun.push(
      new Map([...side.replicas[0]!.units].map(([id, f]) => [id, f[CPU.key]!] as const).filter(([, v]) => Number.isFinite(v) && v > 0)),
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const ids = [...perRun[0]!.keys()].filter((id) => perRun.every((m) => m.has(id)));
const level = ids.map((id) => perRun.reduce((a, m) => a + m.get(id)!, 0) / runs);
// Run-to-run noise of one laptop's measured CPU: log ratios between consecutive runs, ÷ √2 for one run's share.
const logRatios = ids.flatMap((id) => perRun.slice(1).map((m, i) => Math.log(m.get(id)! / perRun[i]!.get(id)!)));
const noiseSd = Math.sqrt(logRatios.reduce((a, x) => a + x * x, 0) / Math.max(1, logRatios.length)) / Math.SQRT2;

function sideOf(levels: readonly number[], effect: number, tag: string): Side {
  const s = createStream('bench-compare', tag);
  const reps: Replica[] = Array.from({ length: replicas }, (_, r) => ({
    name: `${tag}-${r}`,
    units: new Map(levels.map((l, i) => [`l${i}`, { [CPU.key]: l * (1 + effect) * Math.exp(normal(s, 0, noiseSd)) }])),
  }));
  return { replicas: reps, pairable: true };
}
const draw = (tag: string) => {
  const s = createStream('bench-compare', 'laptops', tag);
  return level.map(() => level[uniformInt(s, level.length)]!);
};
const opts = (tolerance: number, seed: string) => ({
  confidence: 0.9,
  resamples: 500,
  seed,
  tolerance: () => tolerance,
  erraticCv: Number.POSITIVE_INFINITY,
});
const meanOf = (r: ReturnType<typeof compareSides>) => r.figures[0]!.statistics.find((x) => x.statistic === 'mean')!;

let fp = 0;
let excl = 0;
let pairedWidth = 0;
let unpairedWidth = 0;
for (let t = 0; t < trials; t++) {
  const p = meanOf(compareSides([CPU], sideOf(level, 0, `a${t}`), sideOf(level, 0, `b${t}`), opts(0.05, `p${t}`)));
  if (p.verdict !== 'no change') fp++;
  if (p.diff.low > 0 || p.diff.high < 0) excl++;
  pairedWidth += (p.rel!.high - p.rel!.low) / trials;
  const a = { ...sideOf(draw(`ua${t}`), 0, `ua${t}`), pairable: false };
  const b = { ...sideOf(draw(`ub${t}`), 0, `ub${t}`), pairable: false };
  const u = meanOf(compareSides([CPU], a, b, opts(0.05, `u${t}`)));
  unpairedWidth += (u.rel!.high - u.rel!.low) / trials;
}

function power(effect: number, tolerance: number): number {
  const n = Math.max(50, Math.round(trials / 2));
  let hits = 0;
  for (let t = 0; t < n; t++)
    if (
      meanOf(compareSides([CPU], sideOf(level, 0, `pa${t}`), sideOf(level, effect, `pb${t}`), opts(tolerance, `w${t}`))).verdict === 'worse'
    )
      hits++;
  return hits / n;
}
function mde(tolerance: number): number | null {
  for (const pct of [0.5, 1, 1.5, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50]) if (power(pct / 100, tolerance) >= 0.8) return pct;
  return null;
}

const figures = {
  laptops: ids.length,
  runs,
  replicas_per_side: replicas,
  trials,
  cpu_s_per_hour_mean: Number((level.reduce((a, b) => a + b, 0) / level.length).toPrecision(4)),
  run_noise_sd_log: Number(noiseSd.toPrecision(3)),
  false_positive_rate_aa: fp / trials,
  aa_interval_excludes_zero: excl / trials,
  paired_ci_width: Number(pairedWidth.toPrecision(3)),
  unpaired_ci_width: Number(unpairedWidth.toPrecision(3)),
  paired_over_unpaired_ci_width: Number((pairedWidth / unpairedWidth).toPrecision(3)),
  min_detectable_effect_pct: mde(0.05),
  min_detectable_effect_pct_no_tolerance: mde(0),
};
if (wantsJson()) process.stdout.write(`${JSON.stringify(figures)}\n`);
else
  printTable(
    `compare: agent CPU per laptop-hour, ${ids.length} laptops from ${runs} real runs, ${replicas} replicas per side, ${trials} trials`,
    ['figure', 'value'],
    Object.entries(figures).map(([k, v]) => [k, v ?? 'none ≤ 50 %']),
  );
