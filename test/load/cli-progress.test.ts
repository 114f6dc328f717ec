import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetsimAsync } from '../helpers/cli.js';
import { smallScenario, startSlowServer, writeCorpus } from './helpers.js';

// What `fleetsim load` prints while it runs, without a terminal (CI logs): the time left includes the grace period,
// and once the schedule is done it says what it waits for instead of "done".
describe('fleetsim load progress', () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  let srv: Awaited<ReturnType<typeof startSlowServer>>;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
    // Answers take 2.5 s: the last uploads of a 4 s schedule are still in flight for seconds after it.
    srv = await startSlowServer({ delayMs: 2500 });
  });
  afterAll(async () => {
    await srv?.stop();
    corpus?.cleanup();
  });

  it('says it waits for answers in flight during the grace period, and counts the grace period in the time left', async () => {
    const scenario = join(corpus.dir, '..', 'progress.yaml');
    writeFileSync(scenario, 'name: progress\nseed: progress\nfleet: { employees: 8 }\nsimulation: { days: 1, startDate: "2026-03-02" }\n');
    const args = ['load', '--target', srv.url, '--scenario', scenario, '--corpus', corpus.dir, '--fleet-secret', 'x', '--workers', '0'];
    args.push('--rate', '10', '--duration', '4s', '--grace', '10s', '--laptops', '20', '--max-lag-ms', '200');
    args.push('--out', join(corpus.dir, '..', 'progress'));
    const r = await fleetsimAsync(args, { env: { ...process.env, FLEETSIM_PROGRESS_EVERY_MS: '500' } });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('load steady:'));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => /, done,/.test(l))).toEqual([]);
    // Lines come about once a second (at most once per 500 ms here): one while sending, one after the schedule, at least.
    expect(r.stderr).toMatch(
      /load steady: [1-3]\/4 \(\d+%\) after .*, about [1-3] s left, then up to 10 s for answers in flight, sent \d+/,
    );
    expect(r.stderr).toMatch(
      /load steady: 4\/4 \(100%\) after .*, schedule done; waiting up to [1-9] s for \d+ answers? in flight, sent \d+/,
    );
  });
});
