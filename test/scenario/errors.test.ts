import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, formatIssue, loadScenarioFile, parseScenario, resolveScenario } from '../../src/scenario/index.js';
import { scenarioIssues } from './problems.js';

/** The issues a text gives, as printed lines. */
function problems(text: string, file = 'x.yaml'): string[] {
  return issues(text, file).map(formatIssue);
}

const issues = scenarioIssues;

describe('scenario errors name the file, line, field, what was given and what is allowed', () => {
  it('out of range: the example from the issue', () => {
    expect(problems('name: x\npolicy:\n  pauseCapMinutes: -5\n')).toEqual([
      'x.yaml:3:3 policy.pauseCapMinutes: must be a number from 1 to 1440, got -5',
    ]);
  });

  it('unknown key, with a did-you-mean and the allowed names', () => {
    const [i] = issues('name: x\nfleet:\n  employes: 200\n');
    expect(i).toMatchObject({ kind: 'unknown_field', line: 3, column: 3, path: 'fleet.employes', given: '"employes"' });
    expect(formatIssue(i!)).toMatch(
      /^x\.yaml:3:3 fleet\.employes: unknown field "employes"; did you mean "employees"\? \(allowed here: employees, departmentMix/,
    );
  });

  it('unknown top-level key and unknown keys in mixes', () => {
    expect(problems('name: x\nsimulaton:\n  days: 2\n')[0]).toMatch(
      /^x\.yaml:2:1 simulaton: unknown field "simulaton"; did you mean "simulation"\?/,
    );
    expect(problems('name: x\nfleet:\n  departmentMix: { Enginering: 1 }\n')[0]).toMatch(
      /^x\.yaml:3:20 fleet\.departmentMix\.Enginering: unknown field "Enginering"; did you mean "Engineering"\?/,
    );
    expect(problems('name: x\nfleet:\n  pause:\n    reactionWeights: { giveup: 1 }\n')[0]).toMatch(
      /fleet\.pause\.reactionWeights\.giveup: unknown field "giveup"; did you mean "give-up"\?/,
    );
  });

  it('a field at the wrong level is pointed to where it belongs', () => {
    expect(problems('name: x\npauseCapMinutes: 20\n')[0]).toMatch(
      /^x\.yaml:2:1 pauseCapMinutes: unknown field "pauseCapMinutes"; did you mean "policy\.pauseCapMinutes"\?/,
    );
    expect(problems('name: x\nfleet:\n  days: 2\n')[0]).toMatch(
      /^x\.yaml:3:3 fleet\.days: unknown field "days"; did you mean "simulation\.days"\?/,
    );
  });

  it('wrong type', () => {
    expect(problems('name: x\nfleet:\n  employees: lots\n')).toEqual([
      'x.yaml:3:3 fleet.employees: must be a whole number from 1 to 10000000, got "lots"',
    ]);
    expect(problems('name: x\noutputs:\n  csv: "yes"\n')).toEqual(['x.yaml:3:3 outputs.csv: must be true or false, got "yes"']);
    expect(problems('name: x\npolicy: 30\n')).toEqual([
      'x.yaml:2:1 policy: must be a mapping of fields (pauseCapMinutes, maxPausesPerDay, cooldownMinutes, exemptionApprovalRate, exemptionReviewDays, captureHours), got 30',
    ]);
  });

  it('whole numbers and shares', () => {
    expect(problems('name: x\nsimulation:\n  days: 2.5\n')).toEqual([
      'x.yaml:3:3 simulation.days: must be a whole number from 1 to 366, got 2.5',
    ]);
    expect(problems('name: x\npolicy:\n  exemptionApprovalRate: 1.5\n')).toEqual([
      'x.yaml:3:3 policy.exemptionApprovalRate: must be a share from 0 to 1, got 1.5',
    ]);
    expect(problems('name: x\nagent:\n  batchMaxAgeMs: 500\n')).toEqual([
      'x.yaml:3:3 agent.batchMaxAgeMs: must be a whole number from 1000 to 3600000, got 500',
    ]);
  });

  it('a window for a paced run: only with a numeric speed, inside the simulated days, a UTC time', () => {
    expect(problems('name: x\nsimulation:\n  window: { day: 1, at: "09:00", durationMinutes: 30 }\n')).toEqual([
      'x.yaml:3:3 simulation.window: only applies to paced runs: set simulation.speed to a number (1 = real time), or remove the window to run every day as fast as possible',
    ]);
    expect(problems('name: x\nsimulation:\n  speed: 1\n  window: { day: 3, at: "09:00", durationMinutes: 30 }\n')).toEqual([
      'x.yaml:4:13 simulation.window.day: must be a simulated day from 1 to 1 (simulation.days), got 3',
    ]);
    expect(problems('name: x\nsimulation:\n  speed: 1\n  window: { day: 1, at: "9am", durationMinutes: 30 }\n')[0]).toMatch(
      /^x\.yaml:4:\d+ simulation\.window\.at: must be a UTC time of day like "09:30"/,
    );
    expect(problems('name: x\nsimulation:\n  speed: 1\n  window: { day: 1, at: "09:00", durationMinutes: 30, minutes: 3 }\n')[0]).toMatch(
      /simulation\.window\.minutes: unknown field/,
    );
  });

  it('a window that ends after the last simulated day is refused with the latest end and the days it would need', () => {
    const paced = (window: string, days = 1) => `name: x\nsimulation:\n  days: ${days}\n  speed: 60\n  window: ${window}\n`;
    expect(problems(paced('{ day: 1, at: "14:00", durationMinutes: 2000 }'))).toEqual([
      'x.yaml:5:34 simulation.window.durationMinutes: must end by the end of the last simulated day (day 1, so by day 2 00:00 UTC), got 2000 minutes from day 1 14:00 UTC, which end on day 2 at 23:20 UTC: make it at most 600 minutes, or raise simulation.days to 2',
    ]);
    expect(problems(paced('{ day: 1, at: "14:00", durationMinutes: 1440 }'))[0]).toMatch(
      /simulation\.window\.durationMinutes: must end by the end of the last simulated day .* at most 600 minutes, or raise simulation\.days to 2$/,
    );
    expect(problems(paced('{ day: 2, at: "23:59", durationMinutes: 2 }', 2))[0]).toMatch(
      /got 2 minutes from day 2 23:59 UTC, which end on day 3 at 00:01 UTC: make it at most 1 minute, or raise simulation\.days to 3$/,
    );
    // Windows that fit, up to the last instant of the last day.
    for (const [w, days] of [
      ['{ day: 1, at: "00:00", durationMinutes: 1440 }', 1],
      ['{ day: 1, at: "14:00", durationMinutes: 600 }', 1],
      ['{ day: 1, at: "14:00", durationMinutes: 2000 }', 2],
    ] as const) {
      expect(() => parseScenario(paced(w, days), 'x.yaml')).not.toThrow();
    }
  });

  it('bad enum value, with a did-you-mean', () => {
    expect(problems('name: x\nagent:\n  codec: gzp\n')[0]).toMatch(
      /^x\.yaml:3:3 agent\.codec: must be one of identity, gzip, br.*, got "gzp"; did you mean "gzip"\?$/,
    );
    expect(problems('name: x\ntransport: htp\n')).toEqual([
      'x.yaml:2:1 transport: must be one of http, corpus, null, got "htp"; did you mean "http"?',
    ]);
    expect(problems('name: x\nagent:\n  coalesce: { mode: rat }\n')[0]).toMatch(
      /^x\.yaml:3:15 agent\.coalesce\.mode: must be \{mode: none\}, \{mode: rate, maxRateHz\} or \{mode: path, maxErrorPx\}, got "rat"; did you mean "rate"\?$/,
    );
  });

  it('bad threshold metric path and operator', () => {
    const text = 'name: x\nthresholds:\n  - ingest.p99 < 200\n  - ledger.lost = 0\n  - leaks.canaries == none\n  - just words\n';
    expect(problems(text)).toEqual([
      'x.yaml:3:5 thresholds[0]: unknown metric "ingest.p99"; did you mean "ingest.p99_ms"? (metrics: ledger.*, ingest.*, bandwidth.*, battery.*, freshness.*, yield.*, leaks.*, laptops, events, faults.*, paced.*, process.*, simulation.*)',
      'x.yaml:4:5 thresholds[1]: comparator must be one of < <= > >= == !=, got "="',
      'x.yaml:5:5 thresholds[2]: must end with a number after ==, got "none"',
      'x.yaml:6:5 thresholds[3]: must read "<metric> <comparator> <number>", e.g. "ingest.p99_ms < 200"',
    ]);
    expect(issues(text).every((i) => i.kind === 'threshold')).toBe(true);
  });

  it('a threshold on a figure the run will not have is refused up front, not failed as n/a after the run', () => {
    const text =
      'name: x\nthresholds:\n  - paced.schedule_lag_p99_ms < 100\n  - process.fleet.cpu_us_per_event < 5\n' +
      '  - faults.peak_to_steady < 3\n  - ingest.p99_ms < 200\n  - ledger.lost == 0\ntransport: corpus\n';
    expect(problems(text)).toEqual([
      'x.yaml:3:5 thresholds[0]: names paced.schedule_lag_p99_ms, which this run will not have: paced figures come from paced runs only (simulation.speed a number), and this one runs at speed max; the threshold could only fail',
      'x.yaml:4:5 thresholds[1]: names process.fleet.cpu_us_per_event, which this run will not have: process figures come from process agents only (agent.kind: process), and this run drives the reference agent in virtual time; the threshold could only fail',
      'x.yaml:5:5 thresholds[2]: names faults.peak_to_steady, which this run will not have: it measures the return after an ingest outage, and faults lists no ingest-outage; the threshold could only fail',
      'x.yaml:6:5 thresholds[3]: names ingest.p99_ms, which this run will not have: upload latency is timed only when uploads travel over HTTP (transport: http); the threshold could only fail',
    ]);
    // The same thresholds on runs that produce those figures are fine.
    const fine =
      'name: x\nthresholds:\n  - paced.schedule_lag_p99_ms < 100\n  - faults.peak_to_steady < 3\n  - ingest.p99_ms < 200\n' +
      'simulation: { speed: 60, window: { day: 1, at: "14:00", durationMinutes: 20 } }\n' +
      'faults: [{ kind: ingest-outage, day: 1, at: "14:30", durationMinutes: 30 }]\n';
    expect(parseScenario(fine, 'x.yaml').thresholds.map((t) => t.metric)).toEqual([
      'paced.schedule_lag_p99_ms',
      'faults.peak_to_steady',
      'ingest.p99_ms',
    ]);
  });

  it('YAML syntax errors have a line', () => {
    const [i, ...rest] = issues('name: x\npolicy:\n  pauseCapMinutes: [30\n  cooldownMinutes: 5\n');
    expect(i).toMatchObject({ kind: 'syntax', file: 'x.yaml' });
    expect(i!.line).toBeGreaterThanOrEqual(3);
    expect(formatIssue(i!)).toMatch(/^x\.yaml:\d+:\d+: YAML syntax: /);
    expect(rest.every((r) => r.kind === 'syntax')).toBe(true);
    expect(problems('name: x\nname: y\n')[0]).toMatch(/^x\.yaml:2:1: YAML syntax: Map keys must be unique/);
    expect(problems('{"name": "x",, }', 'x.json')[0]).toMatch(/^x\.json:1:\d+: YAML syntax: /);
  });

  it('a missing file is a clear error', () => {
    expect(() => loadScenarioFile('/nonexistent/scenario.yaml')).toThrow(ScenarioError);
    try {
      loadScenarioFile('/nonexistent/scenario.yaml');
    } catch (err) {
      expect((err as ScenarioError).issues.map(formatIssue)).toEqual([
        '/nonexistent/scenario.yaml: cannot read the scenario file: no such file',
      ]);
      expect((err as ScenarioError).exitCode).toBe(2);
      expect((err as ScenarioError).code).toBe('SCENARIO_INVALID');
    }
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-scenario-'));
    expect(() => loadScenarioFile(dir)).toThrow(/is a folder, not a file/);
  });

  it('an empty file, or one with only comments, says what a scenario needs', () => {
    for (const text of ['', '\n\n', '# just a comment\n']) {
      expect(problems(text)).toEqual(['x.yaml:1:1: the file is empty: a scenario needs at least `name: …`']);
    }
  });

  it('a file that is not a mapping, and a missing name', () => {
    expect(problems('- name: x\n')[0]).toMatch(
      /^x\.yaml:1:1: must be a mapping of fields \(name, description, seed, fleet, behaviour, …\), got a list of 1$/,
    );
    expect(problems('seed: 3\n')).toEqual([
      'x.yaml:1:1 name: is required: must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit (it names the report folder)',
    ]);
    expect(problems('name: ../../etc\n')[0]).toMatch(/^x\.yaml:1:1 name: must be 1 to 100 letters.*, got "\.\.\/\.\.\/etc"$/);
  });

  it('a seed out of range says what its form allows, and a seed of neither form says both', () => {
    const text = 'must be a text of 1 to 200 characters';
    const whole = 'must be a whole number from 0 to 9007199254740991';
    expect(problems('name: x\nseed: ""\n')).toEqual([`x.yaml:2:1 seed: ${text}, got ""`]);
    expect(problems(`name: x\nseed: ${'s'.repeat(201)}\n`)).toEqual([`x.yaml:2:1 seed: ${text}, got "${'s'.repeat(57)}..."`]);
    expect(problems('name: x\nseed: -1\n')).toEqual([`x.yaml:2:1 seed: ${whole}, got -1`]);
    expect(problems('name: x\nseed: 2.5\n')).toEqual([
      'x.yaml:2:1 seed: must be a text of 1 to 200 characters or a whole number from 0 to 9007199254740991, got 2.5',
    ]);
    expect(parseScenario(`name: x\nseed: ${'s'.repeat(200)}\n`).seed).toHaveLength(200);
  });

  it('reports every problem at once, sorted by line', () => {
    const text = [
      'name: x',
      'simulation:',
      '  days: 0',
      'policy:',
      '  pauseCapMinutes: 0',
      '  cooldwn: 5',
      'agent:',
      '  codec: zip',
      '',
    ].join('\n');
    const found = issues(text);
    expect(found.map((i) => [i.line, i.path])).toEqual([
      [3, 'simulation.days'],
      [5, 'policy.pauseCapMinutes'],
      [6, 'policy.cooldwn'],
      [8, 'agent.codec'],
    ]);
    expect(() => parseScenario(text, 'x.yaml')).toThrow(/invalid scenario x\.yaml \(4 problems\):\n {2}x\.yaml:3:3 simulation\.days/);
  });

  it('list items and nested faults are located at the item', () => {
    const text = 'name: x\nfaults:\n  - kind: ingest-outage\n    at: "25:00"\n    durationMinutes: 30\n  - kind: outage\n';
    expect(problems(text)).toEqual([
      'x.yaml:4:5 faults[0].at: must be a UTC time of day like "09:30", got "25:00"',
      'x.yaml:6:5 faults[1].kind: must be a fault with kind one of ingest-outage, http-errors, slow-responses, connection-resets, ingest-restart, laptops-offline, clock-skew, duplicate-delivery, got "outage"',
    ]);
    expect(problems('name: x\nsimulation: {days: 2}\nfaults:\n  - {kind: ingest-restart, day: 3, at: "10:00"}\n')).toEqual([
      'x.yaml:4:28 faults[0].day: must be a simulated day from 1 to 2 (simulation.days), got 3',
    ]);
  });

  it('checks across fields: ordered pairs, office names, codec levels, remote URLs, timezones', () => {
    expect(problems('name: x\nfleet:\n  typing:\n    wpmMin: 200\n')).toEqual([
      'x.yaml:4:5 fleet.typing.wpmMin: must be at most wpmMax (150), got 200',
    ]);
    expect(problems('name: x\nfleet:\n  officeMix: { Londn: 1 }\n')[0]).toMatch(
      /^x\.yaml:3:16 fleet\.officeMix\.Londn: unknown office "Londn"; did you mean "London"\?/,
    );
    expect(problems('name: x\nagent:\n  codec: gzip\n  compressionLevel: 11\n')).toEqual([
      'x.yaml:4:3 agent.compressionLevel: must be a whole number from 0 to 9 for codec gzip, got 11',
    ]);
    expect(problems('name: x\ningest: { kind: url, url: "https://ingest.example.com" }\n')[0]).toMatch(
      /^x\.yaml:2:22 ingest\.url: must be on loopback .* unless ingest\.allowRemote is true, got "https:\/\/ingest\.example\.com"$/,
    );
    expect(problems('name: x\nfleet:\n  offices:\n    - { name: Mars, timezone: Mars/Olympus }\n')[0]).toMatch(
      /^x\.yaml:4:21 fleet\.offices\[0\]\.timezone: must be an IANA timezone/,
    );
    expect(problems('name: x\nfleet:\n  pause: { neverPauseShare: 0.8, occasionalShare: 0.5 }\n')[0]).toMatch(
      /fleet\.pause\.occasionalShare: must be at most 1 − neverPauseShare/,
    );
  });

  it('values not read from a file have a path but no line', () => {
    expect(() => resolveScenario({ name: 'x', policy: { pauseCapMinutes: 0 } })).toThrow(
      /<scenario> policy\.pauseCapMinutes: must be a number from 1 to 1440, got 0/,
    );
  });

  it('JSON files get the same lines and messages', () => {
    const json = '{\n  "name": "x",\n  "policy": {\n    "pauseCapMinutes": 5000\n  }\n}\n';
    expect(problems(json, 'x.json')).toEqual(['x.json:4:5 policy.pauseCapMinutes: must be a number from 1 to 1440, got 5000']);
  });

  it('YAML alias bombs are refused, not expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    lines.push('name: x');
    expect(problems(lines.join('\n'))[0]).toMatch(/^x\.yaml:1:1: YAML: /);
  });
});
