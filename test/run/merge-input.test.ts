import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { writeScenarioReport } from '../../src/report/index.js';
import { runScenario } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';

const scenario = resolveScenario({
  name: 'merge-input',
  seed: 'merge-input',
  fleet: { employees: 4 },
  simulation: { days: 1, startDate: '2026-03-03' },
  transport: 'null',
});
const root = mkdtempSync(join(tmpdir(), 'fleetsim-merge-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const shard0 = join(root, 'shard0');
const shard1 = join(root, 'shard1');
beforeAll(async () => {
  for (const [index, dir] of [shard0, shard1].entries()) {
    const r = await runScenario(scenario, { reportDir: dir, workers: 0, shard: { index, count: 2 } });
    await writeScenarioReport(dir, r);
  }
});

let copies = 0;
/** A copy of shard 1 with one of its files replaced (or removed, when `text` is null). */
function damaged(file: string, text: (original: string) => string | null): string {
  const dir = join(root, `damaged-${copies++}`);
  cpSync(shard1, dir, { recursive: true });
  const t = text(readFileSync(join(dir, file), 'utf8'));
  if (t === null) rmSync(join(dir, file));
  else writeFileSync(join(dir, file), t);
  return dir;
}

async function merge(dirs: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(['merge', ...dirs, '--out', join(root, `merged-${copies++}`)], { stderr: (s) => (stderr += s) });
  return { code, stderr };
}

describe('merge names a damaged or foreign shard file and what is wrong with it (exit 2)', () => {
  it('merges the two intact shards', async () => {
    expect((await merge([shard0, shard1])).code).toBe(0);
  });

  it.each([
    [
      'a truncated results.json',
      'results.json',
      (t: string) => t.slice(0, 31),
      /results\.json is not JSON \(.*\): a truncated or edited copy\?/,
    ],
    ['a results.json that is a list', 'results.json', () => '[]', /results\.json is not a fleetsim results file: not a JSON object/],
    [
      'a results.json without its result',
      'results.json',
      (t: string) => JSON.stringify({ ...JSON.parse(t), result: undefined }),
      /results\.json is not a fleetsim results file: "result" is not an object/,
    ],
    [
      'a results.json without its seed',
      'results.json',
      (t: string) => JSON.stringify({ ...JSON.parse(t), seed: 7 }),
      /results\.json is not a fleetsim results file: "seed" is not a text/,
    ],
    [
      'a results.json whose pacing is damaged',
      'results.json',
      (t: string) => JSON.stringify({ ...JSON.parse(t), result: { ...JSON.parse(t).result, paced: { speed: 600 } } }),
      /results\.json is not a fleetsim results file: "result\.paced" is not/,
    ],
    ['no results.json', 'results.json', () => null, /has no results\.json: is it a report folder of fleetsim run\?/],
    ['a truncated summary.json', 'summary.json', (t: string) => t.slice(0, 40), /summary\.json is not JSON/],
    ['no summary.json', 'summary.json', () => null, /has no summary\.json/],
  ])('%s', async (_what, file, text, message) => {
    const dir = damaged(file, text);
    const r = await merge([shard0, dir]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(dir);
    expect(r.stderr).not.toMatch(/internal error|different scenario or seed/);
    expect(r.code).toBe(2);
  });
});
