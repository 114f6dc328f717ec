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
import { ScenarioError, loadScenarioFile, parseSetFlag, resolveScenario } from '../../src/scenario/index.js';
import { referenceAgentCommand, writeAgentSettings } from '../../src/run/process/agent-command.js';
import { runCli } from '../../src/cli/cli.js';
import { availableCodecs } from '../../src/wire/index.js';
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
    [
      'a number given as text',
      ['agent', 'batchMaxAgeMs'],
      '900000',
      /settings\.agent\.batchMaxAgeMs must be a whole number from 1000 to 3600000, got "900000"/,
    ],
    [
      'a fraction where a count goes',
      ['agent', 'inputReadIntervalMs'],
      2.5,
      /settings\.agent\.inputReadIntervalMs must be a whole number from 0 to 60000, got 2\.5/,
    ],
    ['a negative amount', ['policy', 'cooldownMinutes'], -1, /settings\.policy\.cooldownMinutes must be a number from 0 to 1440, got -1/],
    [
      'an unknown codec',
      ['agent', 'codec'],
      'lz4',
      new RegExp(`settings\\.agent\\.codec must be one of ${availableCodecs().join(', ')}, got "lz4"`),
    ],
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
      /settings\.agent\.upload\.retryableStatuses\[1\] must be a whole number from 100 to 599, got "503"/,
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
    // The file holds the seed as the scenario resolved it: always a text, though seed: 42 is a scenario's own.
    ['a seed given as a number', ['seed'], 42, /settings\.seed must be a text of 1 to 200 characters, got 42/],
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

  /** A spoiled field, its new value, and the message: the allowed range (or rule) and what was given. */
  const outOfRange: [string, string[], unknown, string][] = [
    ['an approval rate above 1', ['policy', 'exemptionApprovalRate'], 5, 'policy.exemptionApprovalRate must be a share from 0 to 1, got 5'],
    ['a pause cap above a day', ['policy', 'pauseCapMinutes'], 1_441, 'policy.pauseCapMinutes must be a number from 1 to 1440, got 1441'],
    ['a pause cap of 0', ['policy', 'pauseCapMinutes'], 0, 'policy.pauseCapMinutes must be a number from 1 to 1440, got 0'],
    ['a fraction of pauses', ['policy', 'maxPausesPerDay'], 2.5, 'policy.maxPausesPerDay must be a whole number from 0 to 1000, got 2.5'],
    ['a review of 0 days', ['policy', 'exemptionReviewDays'], 0, 'policy.exemptionReviewDays must be a whole number from 1 to 365, got 0'],
    [
      'a capture hour past 24',
      ['policy', 'captureHours'],
      { startHour: 30, endHour: 8 },
      'policy.captureHours.startHour must be a number from 0 to 24, got 30',
    ],
    [
      'capture hours that start and end at once',
      ['policy', 'captureHours'],
      { startHour: 8, endHour: 8 },
      'policy.captureHours.endHour must differ from startHour (use captureHours: null for any hour), got 8',
    ],
    ['a level no codec has', ['agent', 'compressionLevel'], 99, 'agent.compressionLevel must be a whole number from 0 to 22, got 99'],
    [
      'a level brotli does not have',
      ['agent', 'compressionLevel'],
      12,
      'agent.compressionLevel must be a whole number from 0 to 11 for codec br, got 12',
    ],
    [
      'a level with no compression',
      ['agent', 'codec'],
      'identity',
      'agent.compressionLevel must be left out with codec identity (no compression), got 5',
    ],
    [
      'a batch age under a second',
      ['agent', 'batchMaxAgeMs'],
      999,
      'agent.batchMaxAgeMs must be a whole number from 1000 to 3600000, got 999',
    ],
    [
      'a move rate above 1000 Hz',
      ['agent', 'coalesce'],
      { mode: 'rate', maxRateHz: 1_001 },
      'agent.coalesce.maxRateHz must be a number from 1 to 1000, got 1001',
    ],
    [
      'a fractional source rate',
      ['agent', 'sourceMoveRateHz'],
      2.5,
      'agent.sourceMoveRateHz must be a whole number from 0 to 1000, got 2.5',
    ],
    ['an empty agent version', ['agent', 'agentVersion'], '', 'agent.agentVersion must be a text of 1 to 100 characters, got ""'],
    ['an empty seed', ['seed'], '', 'seed must be a text of 1 to 200 characters, got ""'],
    ['a seed of 10,000 characters', ['seed'], 's'.repeat(10_000), `seed must be a text of 1 to 200 characters, got "${'s'.repeat(56)}...`],
    [
      'a context code above 255',
      ['agent', 'contentFilter', 'extraSensitiveContexts'],
      [3, 256],
      'agent.contentFilter.extraSensitiveContexts[1] must be a whole number from 0 to 255, got 256',
    ],
    [
      'a cue word of 41 characters',
      ['agent', 'contentFilter', 'cueWords'],
      ['x'.repeat(41)],
      'agent.contentFilter.cueWords[0] must be a text of 1 to 40 characters, got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
    ],
    [
      '201 cue words',
      ['agent', 'contentFilter', 'cueWords'],
      Array.from({ length: 201 }, (_, i) => `w${i}`),
      'agent.contentFilter.cueWords must be a list of 0 to 200 words, got a list of 201',
    ],
    [
      'a secret length under 4',
      ['agent', 'contentFilter', 'secretMinLength'],
      3,
      'agent.contentFilter.secretMinLength must be a whole number from 4 to 128, got 3',
    ],
    [
      'a status that is not HTTP',
      ['agent', 'upload', 'retryableStatuses'],
      [503, 600],
      'agent.upload.retryableStatuses[1] must be a whole number from 100 to 599, got 600',
    ],
    [
      'a first retry later than the ceiling',
      ['agent', 'upload', 'retryBaseMs'],
      3_600_000,
      'agent.upload.retryBaseMs must be at most retryMaxMs (300000), got 3600000',
    ],
  ];

  it.each(outOfRange)('refuses %s as the scenario does, naming the file, the field and what is allowed', (_what, path, value, message) => {
    const data = spoil(validData(), path, value);
    const file = join(tempDir(), 'agent-settings.json');
    writeFileSync(file, JSON.stringify(data));
    expect(() => readAgentSettingsFile(file)).toThrow(new UsageError(`--settings: ${file}: settings.${message}`));
    // The scenario refuses the same sections at the same field.
    const field = message.slice(0, message.indexOf(' '));
    let issues: readonly { path: string }[] = [];
    try {
      resolveScenario({ name: 'spoiled', seed: data.seed, agent: data.agent, policy: data.policy });
    } catch (e) {
      issues = (e as ScenarioError).issues;
    }
    expect(issues.map((i) => i.path)).toEqual([field]);
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
