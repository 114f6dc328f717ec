import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { writeScenarioReport } from '../../src/report/index.js';
import { runScenario } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';

const scenario = resolveScenario({
  name: 'merge-out',
  seed: 'merge-out',
  fleet: { employees: 3 },
  simulation: { days: 1, startDate: '2026-03-03' },
  transport: 'null',
});
const root = mkdtempSync(join(tmpdir(), 'fleetsim-merge-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const shards = [join(root, 's0'), join(root, 's1')];
beforeAll(async () => {
  for (const [index, dir] of shards.entries()) {
    const r = await runScenario(scenario, { reportDir: dir, workers: 0, shard: { index, count: 2 } });
    await writeScenarioReport(dir, r);
  }
});

async function cli(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(args, { stderr: (s) => (stderr += s) });
  return { code, stderr };
}

describe('merge --overwrite never replaces the report of one of its own shards', () => {
  it.each([0, 1])('refuses --out at shard %i with exit 2, naming the folder, and leaves the shard intact', async (k) => {
    const target = shards[k]!;
    const before = readFileSync(join(target, 'results.json'), 'utf8');
    const r = await cli(['merge', ...shards, '--out', target, '--overwrite']);
    expect(r.stderr).toContain(target);
    expect(r.stderr).toMatch(/input of this command/);
    expect(r.code).toBe(2);
    expect(readFileSync(join(target, 'results.json'), 'utf8')).toBe(before);
    expect(existsSync(join(target, 'summary.json'))).toBe(true);
  });

  it('still overwrites an earlier merged report', async () => {
    const out = join(root, 'merged');
    expect((await cli(['merge', ...shards, '--out', out])).code).toBe(0);
    expect((await cli(['merge', ...shards, '--out', out, '--overwrite'])).code).toBe(0);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
  });
});
