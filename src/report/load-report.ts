/**
 * The report of a `fleetsim load` run: summary.json (the result object),
 * latency.csv, errors.csv, timeline.csv, ramp.csv (ramp runs) and one
 * self-contained report.html. Figures come computed from src/load/results.ts.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadResult } from '../load/index.js';
import type { ThresholdOutcome } from '../scenario/index.js';
import { writeCsv } from './csv.js';
import { barChart, esc, lineChart, page, table } from './html.js';
import { writeJson } from './json.js';

export interface LoadReportInput {
  readonly result: LoadResult;
  readonly thresholds: readonly ThresholdOutcome[];
  readonly versions: Readonly<Record<string, string>>;
}

export async function writeLoadReport(dir: string, r: LoadReportInput): Promise<{ files: string[] }> {
  mkdirSync(dir, { recursive: true });
  const x = r.result;
  const files = ['summary.json', 'latency.csv', 'errors.csv', 'timeline.csv'];
  await writeJson(join(dir, 'summary.json'), { fleetsim: r.versions, ...x, thresholds: r.thresholds });
  const latencyRows = Object.entries(x.latency).map(([type, l]) => ({ type, ...l }));
  await writeCsv(join(dir, 'latency.csv'), ['type', 'requests', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'max_ms'], latencyRows);
  const errorRows = [
    ...Object.entries(x.errors.by_status).map(([key, count]) => ({ kind: 'status', key, count })),
    ...Object.entries(x.errors.by_reason).map(([key, count]) => ({ kind: 'reason', key, count })),
  ];
  await writeCsv(join(dir, 'errors.csv'), ['kind', 'key', 'count'], errorRows);
  await writeCsv(join(dir, 'timeline.csv'), ['second', 'sent', 'accepted', 'failed', 'mean_latency_ms', 'max_latency_ms'], x.timeline);
  if (x.ramp) {
    await writeCsv(
      join(dir, 'ramp.csv'),
      ['step', 'rate_per_s', 'requests', 'accepted', 'failed', 'p99_ms', 'error_rate', 'held', 'valid', 'lag_p99_ms', 'cpu_headroom'],
      x.ramp.steps,
    );
    files.push('ramp.csv');
  }
  const dash = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v);
  const html = page(
    `fleetsim load: ${x.profile} against ${x.target}`,
    `${x.mode} model · seed ${x.seed} · started ${x.started_at} · ${x.valid ? 'valid' : 'INVALID'}`,
    [
      {
        title: 'Validity',
        html:
          (x.valid
            ? `<p class="pass">Valid: the generator kept its schedule (p99 lag ${dash(x.schedule_lag.p99_ms)} ms) with CPU headroom ${x.generator.cpu_headroom}.</p>`
            : `<p class="fail">INVALID — these figures flatter the target:</p><ul>${x.invalid_reasons.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>`) +
          (x.notes?.length ? `<p>Notes:</p><ul>${x.notes.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>` : ''),
      },
      {
        title: 'Thresholds',
        html: r.thresholds.length
          ? table(
              ['threshold', 'actual', 'result'],
              r.thresholds.map((t) => [
                t.expression,
                t.actual ?? '—',
                t.not_judged !== undefined ? `not judged: ${t.not_judged}` : t.pass ? 'pass' : 'FAIL',
              ]),
              (i, j) => (j === 2 && r.thresholds[i]!.not_judged === undefined ? (r.thresholds[i]!.pass ? 'pass' : 'fail') : undefined),
            )
          : '<p>No thresholds.</p>',
      },
      {
        title: 'Latency from the intended send time',
        html: table(
          ['type', 'requests', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms'],
          latencyRows.map((l) => [l.type, l.requests, dash(l.p50_ms), dash(l.p90_ms), dash(l.p99_ms), dash(l.p999_ms), dash(l.max_ms)]),
        ),
      },
      {
        title: 'Throughput and requests',
        html:
          table(
            ['figure', 'value'],
            [
              ...Object.entries(x.throughput),
              ...Object.entries(x.requests).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v] as [string, number | string]),
            ],
          ) +
          lineChart(
            'requests per second',
            x.timeline.map((t) => `${t.second}s`),
            [
              { name: 'sent', values: x.timeline.map((t) => t.sent) },
              { name: 'accepted', values: x.timeline.map((t) => t.accepted) },
              { name: 'failed', values: x.timeline.map((t) => t.failed) },
            ],
          ) +
          lineChart(
            'latency per second (ms)',
            x.timeline.map((t) => `${t.second}s`),
            [
              { name: 'mean', values: x.timeline.map((t) => t.mean_latency_ms ?? 0) },
              { name: 'max', values: x.timeline.map((t) => t.max_latency_ms ?? 0) },
            ],
          ),
      },
      {
        title: 'Errors',
        html:
          x.errors.total === 0
            ? '<p>None.</p>'
            : table(
                ['kind', 'key', 'count'],
                errorRows.map((e) => [e.kind, e.key, e.count]),
              ) +
              barChart(
                'errors by reason',
                Object.entries(x.errors.by_reason).map(([label, value]) => ({ label, value })),
              ),
      },
      {
        title: 'Generator',
        html: table(
          ['schedule lag p50 ms', 'p99 ms', 'max ms', 'event loop busy', 'CPU headroom', 'CPU µs per request'],
          [
            [
              dash(x.schedule_lag.p50_ms),
              dash(x.schedule_lag.p99_ms),
              dash(x.schedule_lag.max_ms),
              x.generator.event_loop_utilization,
              x.generator.cpu_headroom,
              dash(x.generator.cpu_us_per_request),
            ],
          ],
        ),
      },
      ...(x.drain
        ? [
            {
              title: 'Backlog drain after the outage',
              html:
                `<p>The target was down for ${x.drain.outage_s} s of fleet time, held as ${x.drain.outage_run_s} s of silence; it came back ${x.drain.recovery_at_s} s into the run. Each laptop's own uploader then drained its spool, paced by the agent's backoff with full jitter.</p>` +
                table(
                  [
                    'laptops with a spool',
                    'spooled batches',
                    'drained',
                    'time to drain s',
                    'left',
                    'lost (spool full / refused)',
                    'peak uploads/s',
                    'steady uploads/s',
                    'peak ÷ steady',
                  ],
                  [
                    [
                      x.drain.laptops,
                      x.drain.backlog_batches,
                      x.drain.drained ? 'yes' : 'no',
                      dash(x.drain.drain_s),
                      x.drain.left,
                      `${x.drain.lost_spool_full} / ${x.drain.lost_rejected}`,
                      dash(x.drain.peak_arrivals_per_s),
                      x.drain.steady_arrivals_per_s,
                      dash(x.drain.peak_to_steady),
                    ],
                  ],
                ),
            },
          ]
        : []),
      ...(x.ramp
        ? [
            {
              title: `Ramp: knee at ${x.ramp.knee_rate_per_s ?? '—'} uploads/s${x.ramp.broke_at_rate_per_s !== null ? `, SLO broken at ${x.ramp.broke_at_rate_per_s}` : `, no valid step broke the SLO (held up to ${x.ramp.held_up_to_rate_per_s ?? '—'})`}`,
              html:
                '<p>The knee is taken from valid steps only: those where the generator kept its schedule (p99 lag) with CPU headroom.</p>' +
                table(
                  [
                    'step',
                    'rate/s',
                    'requests',
                    'accepted',
                    'failed',
                    'p99 ms',
                    'error rate',
                    'held',
                    'generator valid',
                    'lag p99 ms',
                    'CPU headroom',
                  ],
                  x.ramp.steps.map((s) => [
                    s.step,
                    s.rate_per_s,
                    s.requests,
                    s.accepted,
                    s.failed,
                    dash(s.p99_ms),
                    dash(s.error_rate),
                    s.held === null ? (x.stopped_by === 'interrupted' ? 'interrupted' : '—') : s.held ? 'yes' : 'NO',
                    s.valid === null ? '—' : s.valid ? 'yes' : 'NO',
                    dash(s.lag_p99_ms),
                    dash(s.cpu_headroom),
                  ]),
                ),
            },
          ]
        : []),
    ],
  );
  await writeFile(join(dir, 'report.html'), html);
  files.push('report.html');
  return { files: files.map((f) => join(dir, f)) };
}

/**
 * What `fleetsim load --json` and `fleetsim merge --json` of load shards print: the result without its histograms and
 * timeline, its thresholds, and where the report went, in the snake_case of every JSON file fleetsim writes.
 */
export function loadJson(
  reportDir: string,
  result: LoadResult,
  verdict: { readonly outcomes: readonly ThresholdOutcome[]; readonly passed: boolean },
) {
  const { histograms: _h, timeline: _t, ...rest } = result;
  // Thresholds not judged (an interrupted run) neither pass nor fail: null, not a pass beside valid: false.
  const judged = verdict.outcomes.every((o) => o.not_judged === undefined);
  return { ...rest, thresholds: verdict.outcomes, thresholds_passed: judged ? verdict.passed : null, report_dir: reportDir };
}
