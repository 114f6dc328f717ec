import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyWorkers, BODY_CHUNK } from '../../src/load/bodies.js';
import { maxLoadWorkers } from '../../src/load/index.js';
import { ROOT, fleetsim, fleetsimAsync } from '../helpers/cli.js';
import { smallScenario, startSlowServer, writeCorpus } from './helpers.js';

const LOAD = ['load', '--target', 'http://127.0.0.1:9', '--scenario', resolve(ROOT, 'scenarios/quickstart.yaml'), '--fleet-secret', 'x'];

// --workers of `fleetsim load`: a range the machine can use, and the count reported is the count used.
describe('fleetsim load --workers', () => {
  it('allows 0 (this thread) up to the cores the process may use, and refuses more by name, value and range', () => {
    const most = availableParallelism();
    expect(maxLoadWorkers()).toBe(most);
    const r = fleetsim([...LOAD, '--workers', '99']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`--workers must be a whole number from 0 to ${most} \\(the CPUs this process may use[^)]*\\), got 99`),
    );
    expect(fleetsim([...LOAD, '--workers', '-1']).code).toBe(2);
  });

  it('uses no more threads than there are chunks of bodies to prepare', () => {
    expect(bodyWorkers(2, 10)).toBe(1);
    expect(bodyWorkers(2, BODY_CHUNK + 1)).toBe(2);
    expect(bodyWorkers(4, BODY_CHUNK * 10)).toBe(4);
    expect(bodyWorkers(0, 1000)).toBe(0);
  });

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
