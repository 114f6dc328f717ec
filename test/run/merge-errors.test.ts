import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { writeScenarioReport } from '../../src/report/index.js';
import { runScenario } from '../../src/run/index.js';
import { resolveScenario, type Scenario } from '../../src/scenario/index.js';

const base = {
  name: 'merge-errors',
  seed: 'merge-errors',
  fleet: { employees: 6 },
  simulation: { days: 1, startDate: '2026-03-03' },
  transport: 'null',
} as const;
const root = mkdtempSync(join(tmpdir(), 'fleetsim-merge-errors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function shard(name: string, scenario: Scenario, index: number, count: number): Promise<string> {
  const dir = join(root, name);
  const r = await runScenario(scenario, { reportDir: dir, workers: 0, shard: { index, count } });
  await writeScenarioReport(dir, r);
  return dir;
}

let merges = 0;
async function merge(dirs: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(['merge', ...dirs, '--out', join(root, `merged-${merges++}`)], { stderr: (s) => (stderr += s) });
  return { code, stderr };
}

const of6: string[] = [];
let a: string;
let b: string;
let moreEmployees: string;
let otherPauseCap: string;
let otherSeed: string;
beforeAll(async () => {
  const s = resolveScenario(base);
  for (const k of [0, 1, 2]) of6.push(await shard(`s${k}of6`, s, k, 6));
  a = await shard('a0of2', s, 0, 2);
  b = await shard('b1of2', s, 1, 2);
  moreEmployees = await shard('n8', resolveScenario({ ...base, fleet: { employees: 8 } }), 1, 2);
  otherPauseCap = await shard('cap15', resolveScenario({ ...base, policy: { pauseCapMinutes: 15 } }), 1, 2);
  otherSeed = await shard('seed7', resolveScenario({ ...base, seed: '7' }), 1, 2);
}, 60_000);

describe('merge says what is wrong with the shards it was given (exit 2)', () => {
  it('names the shards missing from the set', async () => {
    const r = await merge(of6);
    expect(r.stderr).toMatch(/missing shards? 3\/6, 4\/6, 5\/6/);
    expect(r.code).toBe(2);
  });

  it('names a shard given twice', async () => {
    const r = await merge([of6[0]!, of6[0]!]);
    expect(r.stderr).toMatch(/shard 0\/6 given twice/);
    expect(r.code).toBe(2);
  });

  it.each([
    ['--employees', () => moreEmployees, /fleet\.employees is 6 in .*, 8 in /],
    ['--set policy.pauseCapMinutes', () => otherPauseCap, /policy\.pauseCapMinutes is 30 in .*, 15 in /],
    ['the seed', () => otherSeed, /seed is "merge-errors" in .*, "7" in /],
  ])('names the field that differs between shards of runs differing in %s', async (_what, other, message) => {
    const r = await merge([a, other()]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/different scenario or seed/);
    expect(r.code).toBe(2);
  });

  it('says a folder does not exist', async () => {
    const missing = join(root, 'no-such-shard');
    for (const dirs of [
      [missing, a],
      [a, missing],
    ]) {
      const r = await merge(dirs);
      expect(r.stderr).toContain(`${missing} does not exist`);
      expect(r.code).toBe(2);
    }
  });

  it('says a folder holds an interrupted run, which has nothing to merge', async () => {
    const interrupted = join(root, 'interrupted');
    mkdirSync(interrupted);
    writeFileSync(join(interrupted, 'interrupted.json'), JSON.stringify({ format: 'fleetsim-interrupted/1' }));
    for (const dirs of [
      [interrupted, a],
      [a, interrupted],
    ]) {
      const r = await merge(dirs);
      expect(r.stderr).toMatch(new RegExp(`${interrupted} holds an interrupted run \\(interrupted\\.json, no summary\\.json\\)`));
      expect(r.code).toBe(2);
    }
  });

  it('merges shards that read the scenario file from different paths (machines of one job)', async () => {
    const elsewhere = join(root, 'b-elsewhere');
    cpSync(b, elsewhere, { recursive: true });
    const path = join(elsewhere, 'summary.json');
    const summary = JSON.parse(readFileSync(path, 'utf8')) as { scenario_resolved: { source: string } };
    summary.scenario_resolved.source = '/mnt/job/scenarios/merge-errors.yaml';
    writeFileSync(path, JSON.stringify(summary));
    const r = await merge([a, elsewhere]);
    expect(r.code, r.stderr).toBe(0);
  });
});
