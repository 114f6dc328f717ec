import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRun } from '../../src/report/text.js';
import { writeScenarioReport } from '../../src/report/index.js';
import { mergeRuns, runScenario, type ScenarioRunResult } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { ROOT, fleetsim } from '../helpers/cli.js';

// Two employees over four shards: shards 1 and 3 get one laptop each, shards 0 and 2 none. Over HTTP, so ingest.p99_ms is a
// figure the run has, and one an empty shard cannot produce (no upload to time).
const scenario = resolveScenario({
  name: 'empty-shard',
  seed: 'empty-shard',
  fleet: { employees: 2 },
  simulation: { days: 1, startDate: '2026-03-03' },
  transport: 'http',
  thresholds: ['ledger.lost == 0', 'ingest.p99_ms < 1000', 'bandwidth.mb_per_laptop_day.p95 < 1'],
});
const root = mkdtempSync(join(tmpdir(), 'fleetsim-empty-shard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const shards: ScenarioRunResult[] = [];
const files: string[][] = [];

describe('an empty shard (--shard K/N with no laptops)', () => {
  beforeAll(async () => {
    for (let index = 0; index < 4; index++) {
      const r = await runScenario(scenario, { reportDir: join(root, `s${index}`), workers: 0, shard: { index, count: 4 } });
      files.push((await writeScenarioReport(r.reportDir, r)).files);
      shards.push(r);
    }
  }, 60_000);

  it('does not fail its thresholds: it reports each as not judged, with why', () => {
    const empty = shards[2]!;
    expect(empty.fleet.laptops).toHaveLength(0);
    expect(empty.thresholdsPassed).toBe(true);
    expect(empty.thresholds).toHaveLength(3);
    for (const t of empty.thresholds) {
      expect(t.actual).toBeNull();
      expect(t.not_judged).toMatch(
        /^shard 2\/4 has no laptops \(the fleet's 2 employees fall in other shards\): nothing to judge; `fleetsim merge` of the shards judges the whole run$/,
      );
    }
    const text = formatRun(empty, files[2]!);
    expect(text).toContain('  threshold   not judged  ingest.p99_ms < 1000  (shard 2/4 has no laptops');
    expect(text).not.toContain('FAIL');
    const summary = JSON.parse(readFileSync(join(empty.reportDir, 'summary.json'), 'utf8'));
    expect(summary.thresholds[1]).toMatchObject({
      expression: 'ingest.p99_ms < 1000',
      actual: null,
      not_judged: expect.stringMatching(/no laptops/),
    });
    expect(readFileSync(join(empty.reportDir, 'report.html'), 'utf8')).toContain('not judged');
  });

  it('leaves shards with laptops judged as before', () => {
    expect(shards.map((r) => r.fleet.laptops.length)).toEqual([0, 1, 0, 1]);
    for (const r of [shards[1]!, shards[3]!]) {
      expect(r.thresholds.every((t) => t.not_judged === undefined && t.pass)).toBe(true);
      expect(r.thresholds[1]!.actual).toBeGreaterThan(0);
    }
    expect(formatRun(shards[1]!, files[1]!)).toMatch(/^fleetsim run empty-shard: 1 laptop, /);
  });

  it('shows its figures as n/a, not zeros that read as a free agent and a yield of 0 %', () => {
    const text = formatRun(shards[2]!, files[2]!);
    expect(text).toContain('  figures     n/a: shard 2/4 has no laptops');
    expect(text).not.toMatch(/^ {2}(bandwidth|battery|yield) /m);
    expect(text).not.toContain('0.00 %');
    // A shard with laptops keeps its figures.
    expect(formatRun(shards[3]!, files[3]!)).toMatch(/^ {2}yield {7}captured \d/m);
  });

  it('says in its text that it is a shard, and which', () => {
    expect(formatRun(shards[3]!, files[3]!)).toContain('  shard       3/4 of the laptops (merge the shards with `fleetsim merge`)\n');
    expect(formatRun(shards[2]!, files[2]!)).toContain('  shard       2/4 of the laptops');
  });

  it('merges with the others, and the merge judges every threshold on the whole fleet', async () => {
    const merged = await mergeRuns(
      shards.map((r) => r.reportDir),
      join(root, 'merged'),
    );
    expect(merged.fleet.laptops).toHaveLength(2);
    expect(merged.thresholdsPassed).toBe(true);
    expect(merged.thresholds.map((t) => t.not_judged)).toEqual([undefined, undefined, undefined]);
    expect(merged.thresholds[1]!.actual).toBeGreaterThan(0);
  });

  it('exits 0 from the CLI', () => {
    const r = fleetsim([
      'run',
      resolve(ROOT, 'scenarios/quickstart.yaml'),
      '--employees',
      '2',
      '--shard',
      '2/4',
      '--quiet',
      '--out',
      join(root, 'cli'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/threshold {3}not judged {2}ingest\.p99_ms < 200 {2}\(shard 2\/4 has no laptops/);
  });
});
