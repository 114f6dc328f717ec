import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetsimAsync } from '../helpers/cli.js';
import { smallScenario, startSlowServer, writeCorpus } from './helpers.js';

// The worker threads a `fleetsim load` run announces and reports are the ones it used.
describe('fleetsim load --workers in a run', () => {
  describe('against a loopback target', () => {
    const s = smallScenario();
    let corpus: Awaited<ReturnType<typeof writeCorpus>>;
    let srv: Awaited<ReturnType<typeof startSlowServer>>;
    let base: string[];
    beforeAll(async () => {
      corpus = await writeCorpus(s);
      srv = await startSlowServer({ delayMs: 1 });
      const scenario = join(corpus.dir, '..', 'workers.yaml');
      writeFileSync(scenario, 'name: workers\nseed: workers\nfleet: { employees: 8 }\nsimulation: { days: 1, startDate: "2026-03-02" }\n');
      base = ['load', '--target', srv.url, '--scenario', scenario, '--corpus', corpus.dir, '--fleet-secret', 'x'];
      base.push('--rate', '10', '--duration', '1s', '--laptops', '20');
    });
    afterAll(async () => {
      await srv?.stop();
      corpus?.cleanup();
    });

    it.skipIf(availableParallelism() < 2)(
      'announces and reports the one thread a few bodies use, says once why it is fewer than asked, in the singular',
      async () => {
        const r = await fleetsimAsync([...base, '--workers', '2', '--out', join(corpus.dir, '..', 'two')]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(
          /preparing \d+ request bodies .* on 1 worker thread \(2 asked for: \d+ bodies make 1 task of up to 256, one thread each\)/,
        );
        expect(r.stderr).not.toMatch(/\(2 workers\)/);
        expect(r.stdout).toMatch(/ms per body on 1 worker\b/);
        expect(r.stdout).not.toMatch(/workers asked|asked for/);
      },
    );

    it('says the main thread for --workers 0', async () => {
      const r = await fleetsimAsync([...base, '--workers', '0', '--out', join(corpus.dir, '..', 'zero')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/preparing \d+ request bodies .* in the main thread \(--workers 0\)/);
      expect(r.stdout).toMatch(/ms per body in the main thread/);
    });
  });
});
