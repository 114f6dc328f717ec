import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetsimAsync } from '../helpers/cli.js';
import { smallScenario, startSlowServer, writeCorpus } from './helpers.js';

/** The built CLI as a user runs it, with no terminal; asynchronous, because the target lives in this process. */
const fleetsim = (args: readonly string[]) => fleetsimAsync(args);

// What the CLI says about the bounds of a run: a cap that cuts the schedule is said, before and after.
describe('fleetsim load says what bounded the run', () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  let srv: Awaited<ReturnType<typeof startSlowServer>>;
  let base: string[];
  beforeAll(async () => {
    corpus = await writeCorpus(s);
    srv = await startSlowServer({ delayMs: 1 });
    const scenario = join(corpus.dir, '..', 'limits.yaml');
    writeFileSync(scenario, 'name: limits\nseed: limits\nfleet: { employees: 8 }\nsimulation: { days: 1, startDate: "2026-03-02" }\n');
    base = ['load', '--target', srv.url, '--scenario', scenario, '--corpus', corpus.dir, '--fleet-secret', 'x', '--workers', '0'];
  });
  afterAll(async () => {
    await srv?.stop();
    corpus?.cleanup();
  });

  it('--max-requests that cuts the schedule is announced, shown while bodies are prepared, and noted in the result', async () => {
    const out = join(corpus.dir, '..', 'cut');
    const r = await fleetsim([...base, '--rate', '100', '--duration', '5s', '--max-requests', '10', '--laptops', '50', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/--max-requests 10 cuts the schedule: the profile plans more uploads over --duration 5 s; only the first 10/);
    expect(r.stderr).toMatch(/load: preparing bodies: 10\/10 \(100%\)/);
    expect(r.stdout).toMatch(/NOTE +--max-requests cut the schedule at 10 uploads/);
  });
});
