import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLoadReport } from '../../src/report/load-report.js';
import { formatLoad } from '../../src/report/text.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { loadOptions, runLoad, smallScenario, startReference, writeCorpus } from './helpers.js';

// An outage-recovery run too short for the laptops to drain their spools: the report must say the drain did not
// finish within the run, and how long a --duration would let it.
describe('an outage-recovery run that ends before the spools drained says so and suggests a --duration', () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  let ref: Awaited<ReturnType<typeof startReference>>;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
    ref = await startReference();
  });
  afterAll(async () => {
    await ref?.stop();
    corpus?.cleanup();
  });

  it('reports the batches left, a NOTE that the drain did not finish within --duration, and a longer --duration', async () => {
    // Backoff up to 20 s: after an hour's outage most laptops retry seconds after the recovery, many after the run ends.
    const slow = resolveScenario({
      name: 'load-undrained',
      seed: 'load-undrained',
      fleet: { employees: 8 },
      simulation: { days: 1, startDate: '2026-03-02', speed: 'max' },
      agent: { upload: { retryBaseMs: 1000, retryMaxMs: 20_000 } },
    });
    const r = await runLoad(
      loadOptions(slow, ref.url, corpus.dir, {
        profile: { kind: 'outage-recovery', outageMs: 3600_000, warmupMs: 500, outageScale: 3600 },
        laptops: 100,
        devices: 100,
        rateOverridePerS: 10,
        durationMs: 2500,
        graceMs: 500,
      }),
    );
    const d = r.drain!;
    expect(d.drained).toBe(false);
    expect(d.left).toBeGreaterThan(0);
    expect(d.suggested_duration_s!).toBeGreaterThan(5);
    const note = (r.notes ?? []).find((n) => /spool/.test(n));
    expect(note).toMatch(
      new RegExp(
        `the spools did not drain within the run: ${d.left} of ${d.backlog_batches} spooled batches were still on laptops .*--duration 2\\.5 s.*--grace 0\\.5 s.*rerun with --duration ${d.suggested_duration_s}s or more`,
      ),
    );
    const text = formatLoad(r, [], [], ['report.html']);
    expect(text).toMatch(/NOTE +the spools did not drain within the run/);
    expect(text).toMatch(/drain +\d+ spooled batches on \d+ laptops: \d+ left at the end, not drained within the run/);
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-undrained-'));
    try {
      await writeLoadReport(dir, { result: r, thresholds: [], versions: {} });
      expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('the spools did not drain within the run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
