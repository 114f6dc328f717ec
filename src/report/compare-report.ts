/**
 * Presents a comparison (src/compare): a text table for the terminal,
 * compare.csv (one row per figure and statistic), compare.json and
 * report.html with both distributions side by side, the difference with its
 * interval and the verdict. Nothing is judged here.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareReport, FigureComparison, GateOutcome, StatisticComparison } from '../compare/index.js';
import { percentText } from '../compare/compare.js';
import { quantileSorted } from '../compare/stats.js';
import { writeCsv } from './csv.js';
import { formatNumber, page, table } from './html.js';
import { writeJson } from './json.js';

export const COMPARE_COLUMNS = [
  'figure',
  'alias',
  'statistic',
  'better',
  'paired',
  'n_baseline',
  'n_candidate',
  'baseline',
  'candidate',
  'diff',
  'diff_low',
  'diff_high',
  'rel_diff',
  'rel_low',
  'rel_high',
  'tolerance',
  'cv_baseline',
  'cv_candidate',
  'verdict',
  'note',
] as const;
type CompareRow = Record<(typeof COMPARE_COLUMNS)[number], string | number | boolean | null>;

const r6 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 1e6) / 1e6);

/** Every comparison as flat rows: the CSV, and the `rows` of compare.json. */
export function compareRows(r: CompareReport): CompareRow[] {
  return r.result.figures.flatMap((f): CompareRow[] => {
    const base = {
      figure: f.figure.key,
      alias: f.figure.alias,
      better: f.figure.better,
      paired: f.paired,
      n_baseline: f.n_baseline,
      n_candidate: f.n_candidate,
      tolerance: f.tolerance,
      cv_baseline: r6(f.replica_cv.baseline),
      cv_candidate: r6(f.replica_cv.candidate),
      note: f.note,
    };
    if (f.statistics.length === 0)
      return [
        {
          ...base,
          statistic: null,
          baseline: null,
          candidate: null,
          diff: null,
          diff_low: null,
          diff_high: null,
          rel_diff: null,
          rel_low: null,
          rel_high: null,
          verdict: 'n/a',
        },
      ];
    return f.statistics.map((s) => ({
      ...base,
      statistic: s.statistic,
      baseline: r6(s.baseline),
      candidate: r6(s.candidate),
      diff: r6(s.diff.estimate),
      diff_low: r6(s.diff.low),
      diff_high: r6(s.diff.high),
      rel_diff: r6(s.rel?.estimate),
      rel_low: r6(s.rel?.low),
      rel_high: r6(s.rel?.high),
      verdict: s.verdict,
    }));
  });
}

/** The JSON of a comparison: everything but the per-unit values (kept in the HTML's charts). */
/** Version of compare.json (and compare --json): a reader can tell which layout it holds. */
export const COMPARE_FORMAT = 'fleetsim-compare/1';

export function compareJson(r: CompareReport): unknown {
  return {
    format: COMPARE_FORMAT,
    kind: r.kind,
    compared: r.compared,
    baseline: r.baseline,
    candidate: r.candidate,
    confidence: r.result.confidence,
    resamples: r.result.resamples,
    seed: r.result.seed,
    erratic_cv: r.result.erratic_cv,
    pairing: r.result.pairing,
    replicas: r.result.replicas,
    gates: r.gates,
    gates_passed: r.gatesPassed,
    history_appended: r.historyAppended,
    rows: compareRows(r),
  };
}

const pct = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
const num = (x: number) => formatNumber(Number(x.toPrecision(4)));

function relText(s: StatisticComparison): string {
  return s.rel
    ? `${pct(s.rel.estimate)} [${pct(s.rel.low)}, ${pct(s.rel.high)}]`
    : `${num(s.diff.estimate)} [${num(s.diff.low)}, ${num(s.diff.high)}]`;
}

export function formatCompare(r: CompareReport, files: readonly string[] = []): string {
  const c = `${Math.round(100 * r.result.confidence)} %`;
  const p = r.result.pairing;
  const lines = [
    `fleetsim compare (${r.kind}): ${r.result.replicas.baseline} baseline × ${r.result.replicas.candidate} candidate replica${r.result.replicas.candidate === 1 ? '' : 's'}; ${p.paired ? `paired over ${p.common} units` : `unpaired (${p.baseline_units} vs ${p.candidate_units} units, ${p.common} in common)`}; ${c} bootstrap intervals (${r.result.resamples} resamples)`,
    `  ${r.compared}`,
    `  ${'figure'.padEnd(34)} ${'stat'.padEnd(6)} ${'baseline'.padStart(10)} ${'candidate'.padStart(10)}  ${'change [interval]'.padEnd(34)} verdict`,
  ];
  for (const f of r.result.figures) {
    if (f.statistics.length === 0) {
      lines.push(`  ${f.figure.key.padEnd(34)} ${'—'.padEnd(6)} ${''.padStart(10)} ${''.padStart(10)}  ${''.padEnd(34)} n/a (${f.note})`);
      continue;
    }
    for (const s of f.statistics)
      lines.push(
        `  ${(s.statistic === 'mean' ? f.figure.key : '').padEnd(34)} ${s.statistic.padEnd(6)} ${num(s.baseline).padStart(10)} ${num(s.candidate).padStart(10)}  ${relText(s).padEnd(34)} ${s.verdict}`,
      );
    if (f.erratic && f.note) lines.push(`  ${''.padEnd(34)} ${f.note}`);
  }
  for (const g of r.gates) lines.push(`  gate ${gateVerdict(g)}  --fail-on "${g.expression}"${gateDetail(g, '')}`);
  if (r.historyAppended.length)
    lines.push(
      `  history: appended the candidate's ${r.historyAppended.length} replica${r.historyAppended.length === 1 ? '' : 's'} (ids ${r.historyAppended.join(', ')})`,
    );
  const html = files.find((f) => f.endsWith('report.html'));
  if (html) lines.push(`report: ${html}`);
  return `${lines.join('\n')}\n`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** Two box plots (5th, 25th, 50th, 75th, 95th percentile; dots at the means) on one axis, and the difference's interval. */
function sideBySide(f: FigureComparison): string {
  const W = 900;
  const rowH = 26;
  const H = 3 * rowH + 30;
  const L = 110;
  const R = 20;
  const sorted = [f.baseline_values, f.candidate_values].map((v) => Float64Array.from(v).sort());
  const all = [...sorted[0]!, ...sorted[1]!];
  if (all.length === 0) return '';
  let lo = quantileSorted(sorted[0]!.length ? sorted[0]! : sorted[1]!, 0.05);
  let hi = lo;
  for (const s of sorted)
    if (s.length) {
      lo = Math.min(lo, quantileSorted(s, 0.05));
      hi = Math.max(hi, quantileSorted(s, 0.95));
    }
  if (hi === lo) {
    hi = lo + Math.max(1e-9, Math.abs(lo) * 0.1);
    lo -= Math.max(1e-9, Math.abs(lo) * 0.1);
  }
  const x = (v: number) => L + ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (W - L - R);
  const parts: string[] = [];
  ['baseline', 'candidate'].forEach((name, i) => {
    const s = sorted[i]!;
    if (!s.length) return;
    const q = [0.05, 0.25, 0.5, 0.75, 0.95].map((p) => quantileSorted(s, p));
    const y = 10 + i * rowH;
    const colour = i === 0 ? '#2f6fdf' : '#e0803a';
    const m = s.reduce((a, b) => a + b, 0) / s.length;
    parts.push(
      `<text x="4" y="${y + 14}">${name} (n=${s.length})</text>`,
      `<line x1="${x(q[0]!)}" x2="${x(q[4]!)}" y1="${y + 10}" y2="${y + 10}" stroke="${colour}"/>`,
      `<rect x="${x(q[1]!)}" y="${y + 2}" width="${Math.max(1, x(q[3]!) - x(q[1]!))}" height="16" fill="${colour}" fill-opacity=".25" stroke="${colour}"/>`,
      `<line x1="${x(q[2]!)}" x2="${x(q[2]!)}" y1="${y + 2}" y2="${y + 18}" stroke="${colour}" stroke-width="2"/>`,
      `<circle cx="${x(m)}" cy="${y + 10}" r="3" fill="${colour}"/>`,
    );
  });
  parts.push(
    `<text x="${L}" y="${H - 4}">${esc(num(lo))} ${esc(f.figure.unit)}</text>`,
    `<text x="${W - R}" y="${H - 4}" text-anchor="end">${esc(num(hi))} ${esc(f.figure.unit)}</text>`,
  );
  const box = `<svg width="${W}" height="${H - rowH}" viewBox="0 0 ${W} ${H - rowH}" role="img" aria-label="${esc(f.figure.label)}">${parts.join('')}</svg>`;
  // The relative difference of the mean with its interval, on a symmetric axis around 0.
  const mean = f.statistics.find((s) => s.statistic === 'mean');
  if (!mean?.rel) return box;
  const span = Math.max(f.tolerance * 2, Math.abs(mean.rel.low), Math.abs(mean.rel.high), 1e-6) * 1.1;
  const dx = (v: number) => L + ((v + span) / (2 * span)) * (W - L - R);
  const colour = mean.verdict === 'better' ? '#17803d' : mean.verdict === 'worse' ? '#b42318' : '#5a6478';
  const diff =
    `<svg width="${W}" height="34" viewBox="0 0 ${W} 34" role="img" aria-label="difference">` +
    `<text x="4" y="16">mean change</text>` +
    `<rect x="${dx(-f.tolerance)}" y="2" width="${dx(f.tolerance) - dx(-f.tolerance)}" height="18" fill="#eef"/>` +
    `<line x1="${dx(0)}" x2="${dx(0)}" y1="0" y2="22" stroke="#999"/>` +
    `<line x1="${dx(mean.rel.low)}" x2="${dx(mean.rel.high)}" y1="11" y2="11" stroke="${colour}" stroke-width="3"/>` +
    `<circle cx="${dx(mean.rel.estimate)}" cy="11" r="4" fill="${colour}"/>` +
    `<text x="${L}" y="32">${pct(-span)}</text><text x="${dx(0)}" y="32" text-anchor="middle">0 (shaded: ± tolerance)</text><text x="${W - R}" y="32" text-anchor="end">${pct(span)}</text></svg>`;
  return box + diff;
}

export async function writeCompareReport(dir: string, r: CompareReport): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files = ['compare.csv', 'compare.json', 'report.html'].map((f) => join(dir, f));
  await writeCsv(files[0]!, COMPARE_COLUMNS, compareRows(r));
  await writeJson(files[1]!, compareJson(r));
  const c = `${Math.round(100 * r.result.confidence)} %`;
  const verdictClass = (v: string) => (v === 'better' ? 'pass' : v === 'worse' || v === 'erratic' ? 'fail' : undefined);
  const summaryRows = r.result.figures.map((f) => {
    const m = f.statistics.find((s) => s.statistic === 'mean');
    return [
      f.figure.label,
      f.figure.better,
      m ? num(m.baseline) : '—',
      m ? num(m.candidate) : '—',
      m ? relText(m) : '—',
      m ? m.verdict : `n/a: ${f.note}`,
    ];
  });
  const html = page(
    `fleetsim compare (${r.kind})`,
    `baseline ${r.baseline.folders.join(', ')} · candidate ${r.candidate.folders.join(', ')} · ${c} intervals`,
    [
      {
        title: 'What is compared',
        html: `<p>${esc(r.compared)}</p><p>Verdict: <b>no change</b> when the ${c} bootstrap interval of the difference includes 0 or the relative effect is below the figure's tolerance; otherwise <b>better</b> or <b>worse</b> by the figure's direction (<b>changed</b> for figures with no better direction). A figure whose replicas' means vary by more than ${percentText(r.result.erratic_cv)} (sd ÷ mean) on either side is <b>erratic</b> and not judged: a worse, better or changed gate on it is NOT JUDGED, never passed.</p>`,
      },
      ...(r.gates.length
        ? [
            {
              title: 'Gates',
              html: table(
                ['--fail-on', 'result', 'tripped by (or what could not be judged)'],
                r.gates.map((g) => [g.expression, gateVerdict(g), gateDetail(g, '—').replace(/^: /, '')]),
                (i, j) => (j === 1 ? (r.gates[i]!.pass ? 'pass' : 'fail') : undefined),
              ),
            },
          ]
        : []),
      {
        title: 'Means',
        html: table(['figure', 'better', 'baseline', 'candidate', 'change [interval]', 'verdict'], summaryRows, (i, j) =>
          j === 5 ? verdictClass(String(summaryRows[i]![5])) : undefined,
        ),
      },
      ...r.result.figures
        .filter((f) => f.statistics.length > 0)
        .map((f) => ({
          title: `${f.figure.label} (${f.figure.key})`,
          html:
            sideBySide(f) +
            table(
              ['statistic', 'baseline', 'candidate', 'change [interval]', 'verdict'],
              f.statistics.map((s) => [s.statistic, num(s.baseline), num(s.candidate), relText(s), s.verdict]),
              (i, j) => (j === 4 ? verdictClass(f.statistics[i]!.verdict) : undefined),
            ) +
            (f.note ? `<p>${esc(f.note)}</p>` : ''),
        })),
    ],
  );
  await writeFile(files[2]!, html);
  return files;
}

/** A gate's verdict in words: one that could not be judged is neither a pass nor a trip. */
function gateVerdict(g: GateOutcome): string {
  return g.pass ? 'pass' : g.judged ? 'FAIL' : 'NOT JUDGED';
}

/** What tripped a gate, or what it could not judge and why; `none` when there is nothing to say. */
function gateDetail(g: GateOutcome, none: string): string {
  if (g.pass) return none;
  return `: ${(g.judged ? g.tripped : g.unjudged).join(', ')}`;
}
