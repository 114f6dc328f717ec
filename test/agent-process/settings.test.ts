/**
 * The agent's settings file (`fleetsim agent --settings`): what a run writes
 * reads back as the scenario's own agent: and policy: sections, and a file
 * that does not fit is refused with its path and the field, never read as
 * defaults.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentSettingsJson, readAgentSettingsFile, resolveAgentOptions } from '../../src/agent-process/index.js';
import { UsageError } from '../../src/errors.js';
import { loadScenarioFile, parseSetFlag } from '../../src/scenario/index.js';
import { referenceAgentCommand, writeAgentSettings } from '../../src/run/process/agent-command.js';
import { runCli } from '../../src/cli/cli.js';
import { ROOT } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fleetsim-settings-'));
  dirs.push(d);
  return d;
}

const SCENARIOS = readdirSync(join(ROOT, 'scenarios')).filter((f) => /\.(ya?ml|json)$/.test(f));

type Data = Record<string, unknown>;

/** A valid settings file's data (from quickstart), to spoil one field of. */
function validData(): Data {
  return JSON.parse(agentSettingsJson(loadScenarioFile(join(ROOT, 'scenarios/quickstart.yaml')))) as Data;
}

const REMOVE = Symbol('remove');

/** `data` with the field at `path` set to `value` (or removed). */
function spoil(data: Data, path: readonly string[], value: unknown): Data {
  const parent = path.slice(0, -1).reduce((o, k) => o[k] as Data, data);
  const key = path[path.length - 1]!;
  if (value === REMOVE) delete parent[key];
  else parent[key] = value;
  return data;
}

describe('agent settings file', () => {
  it.each(SCENARIOS)('reads back what a run writes for %s: its agent, policy and seed', (file) => {
    const s = loadScenarioFile(join(ROOT, 'scenarios', file));
    const path = writeAgentSettings(tempDir(), s);
    expect(readAgentSettingsFile(path)).toEqual({ seed: s.seed, agent: s.agent, rules: s.rules });
  });

  it("carries the run's --set overrides, which the scenario file alone does not have", async () => {
    const file = join(ROOT, 'scenarios/quickstart.yaml');
    const s = loadScenarioFile(file, [parseSetFlag('agent.inputReadIntervalMs=250'), parseSetFlag('policy.pauseCapMinutes=15')]);
    expect(loadScenarioFile(file).agent.inputReadIntervalMs).not.toBe(250);
    const path = writeAgentSettings(tempDir(), s);
    const argv = referenceAgentCommand('tap', path).argv;
    expect(argv).toContain(`--settings=${path}`);
    expect(argv.some((a) => a.startsWith('--scenario'))).toBe(false);
    const o = await resolveAgentOptions(
      { url: 'http://127.0.0.1:9', fleetSecret: 'x'.repeat(16), deviceId: 'd-1', input: 'tap', tapSocket: '/t', settings: path },
      {},
    );
    expect(o.agentConfig.inputReadIntervalMs).toBe(250);
    expect(o.rules.pauseCapMinutes).toBe(15);
    expect(o.seed).toBe(s.seed);
  });

  const spoiled: [string, string[], unknown, RegExp][] = [
    ['a missing field', ['agent', 'batchMaxEvents'], REMOVE, /settings\.agent\.batchMaxEvents is missing/],
    ['an unknown field', ['policy', 'pauseCapMinutez'], 15, /settings\.policy has an unknown field "pauseCapMinutez"/],
    ['a number given as text', ['agent', 'batchMaxAgeMs'], '900000', /settings\.agent\.batchMaxAgeMs must be a number ≥ 0, got "900000"/],
    [
      'a fraction where a count goes',
      ['agent', 'inputReadIntervalMs'],
      2.5,
      /settings\.agent\.inputReadIntervalMs must be a whole number ≥ 0, got 2\.5/,
    ],
    ['a negative amount', ['policy', 'cooldownMinutes'], -1, /settings\.policy\.cooldownMinutes must be a number ≥ 0, got -1/],
    ['an unknown codec', ['agent', 'codec'], 'lz4', /settings\.agent\.codec must be one of identity, gzip, br, zstd, got "lz4"/],
    [
      'an unknown coalesce mode',
      ['agent', 'coalesce'],
      { mode: 'fast' },
      /settings\.agent\.coalesce\.mode must be one of none, rate, path, got "fast"/,
    ],
    [
      'a field of another coalesce mode',
      ['agent', 'coalesce'],
      { mode: 'rate', maxErrorPx: 2 },
      /settings\.agent\.coalesce has an unknown field "maxErrorPx"/,
    ],
    [
      'a bad list element',
      ['agent', 'upload', 'retryableStatuses'],
      [429, '503'],
      /settings\.agent\.upload\.retryableStatuses\[1\] must be a whole number ≥ 0, got "503"/,
    ],
    ['a null where an object goes', ['agent', 'contentFilter'], null, /settings\.agent\.contentFilter must be an object, got null/],
    ['capture hours without an end', ['policy', 'captureHours'], { startHour: 8 }, /settings\.policy\.captureHours\.endHour is missing/],
    [
      'another format',
      ['format'],
      'fleetsim-agent-settings/2',
      /settings\.format must be one of fleetsim-agent-settings\/1, got "fleetsim-agent-settings\/2"/,
    ],
    ['no seed', ['seed'], REMOVE, /settings\.seed is missing/],
    ['no policy', ['policy'], REMOVE, /settings\.policy is missing/],
  ];

  it.each(spoiled)('refuses a file with %s, naming the file and the field', (_what, path, value, message) => {
    const file = join(tempDir(), 'agent-settings.json');
    writeFileSync(file, JSON.stringify(spoil(validData(), path, value)));
    const err = (() => {
      try {
        readAgentSettingsFile(file);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(file);
  });

  it('keeps an absent optional field absent, and refuses what is not a settings file', () => {
    const dir = tempDir();
    const ok = join(dir, 'ok.json');
    writeFileSync(ok, JSON.stringify(spoil(validData(), ['agent', 'compressionLevel'], REMOVE)));
    expect('compressionLevel' in readAgentSettingsFile(ok).agent).toBe(false);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'agent:\n  codec: br\n');
    expect(() => readAgentSettingsFile(notJson)).toThrow(/--settings: .*not\.json is not JSON/);
    expect(() => readAgentSettingsFile(join(dir, 'missing.json'))).toThrow(/--settings: cannot read .*missing\.json: ENOENT/);
    const list = join(dir, 'list.json');
    writeFileSync(list, '[]');
    expect(() => readAgentSettingsFile(list)).toThrow(/list\.json: settings must be an object, got \[\]/);
    expect(readFileSync(ok, 'utf8')).toContain('"format"');
  });

  it('fleetsim agent refuses a bad settings file, or --settings with --scenario, with exit 2 before it enrolls', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(spoil(validData(), ['agent', 'x11Capture'], 'xinput')));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(validData()));
    const run = async (extra: string[]) => {
      let stderr = '';
      const base = ['agent', '--fleet-secret', 'x'.repeat(16), '--url', 'http://127.0.0.1:9', '--device-id', 'd-1', '--input', 'tap'];
      const code = await runCli([...base, '--tap-socket', join(dir, 't.tap'), ...extra], { stderr: (s) => (stderr += s) });
      return { code, stderr };
    };
    const r1 = await run(['--settings', bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`--settings: ${bad}: settings.agent.x11Capture must be one of record, xi2, got "xinput" [USAGE]`);
    const r2 = await run(['--settings', good, '--scenario', join(ROOT, 'scenarios/quickstart.yaml')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--settings and --scenario both give the agent its settings/);
    // A good file gets as far as enrolling (nothing listens on port 9).
    const r3 = await run(['--settings', good]);
    expect(r3.code).toBe(3);
    expect(r3.stderr).toMatch(/could not enroll d-1/);
  });
});
