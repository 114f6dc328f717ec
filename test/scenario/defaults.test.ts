import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS, DEFAULT_SCHEDULE_PARAMS } from '../../src/behaviour/index.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS, DEFAULT_TYPING_TRAIT_PARAMS } from '../../src/population/index.js';
import { SCENARIO_DEFAULTS, parseScenario, resolveScenario } from '../../src/scenario/index.js';

describe('defaults and merge rules', () => {
  it('a minimal `name: x` scenario resolves to the library defaults', () => {
    const s = parseScenario('name: x\n', 'x.yaml');
    expect(s.name).toBe('x');
    expect(s.seed).toBe(SCENARIO_DEFAULTS.seed);
    expect(s.fleet.employees).toBe(SCENARIO_DEFAULTS.employees);
    expect(s.population).toEqual(DEFAULT_POPULATION_PARAMS);
    expect(s.behaviour).toEqual(DEFAULT_BEHAVIOUR_PARAMS);
    expect(s.rules).toEqual(DEFAULT_POLICY_RULES);
    expect(s.agent).toEqual(DEFAULT_AGENT_CONFIG);
    expect(s.energy).toEqual(DEFAULT_ENERGY_MODEL);
    expect(s.ingest).toEqual({ kind: 'embedded', store: 'sqlite' });
    expect(s.transport).toBe('http');
    expect(s.simulation).toEqual({ days: 1, startDate: '2026-03-02', speed: 'max', window: null });
    expect(s.faults).toEqual([]);
    expect(s.thresholds).toEqual([]);
    expect(s.outputs).toEqual({ dir: 'reports', csv: true, html: true });
    expect(s.sweep).toBeUndefined();
    expect(s.source).toBe('x.yaml');
  });

  it('every library default, written out in full, is itself valid (ranges include the defaults)', () => {
    const d = parseScenario('name: x\n');
    const full = {
      name: 'x',
      seed: 'abc',
      fleet: { employees: 5, ...d.population },
      behaviour: d.behaviour,
      policy: { ...d.rules, captureHours: { startHour: 8, endHour: 18 }, maxPausesPerDay: 4 },
      agent: d.agent,
      energy: d.energy,
      ingest: { kind: 'url', url: 'http://127.0.0.1:8080', allowRemote: false },
      transport: 'corpus',
      simulation: { days: 3, startDate: '2026-03-04', speed: 1 },
      outputs: d.outputs,
    };
    const s = resolveScenario(JSON.parse(JSON.stringify(full)));
    expect(s.population).toEqual(d.population);
    expect(s.behaviour).toEqual(d.behaviour);
    expect(s.agent).toEqual(d.agent);
    expect(s.rules.captureHours).toEqual({ startHour: 8, endHour: 18 });
    expect(s.simulation.speed).toBe(1);
  });

  it('mappings of settings deep-merge: fields left out keep their defaults', () => {
    const s = parseScenario(
      'name: x\npolicy:\n  pauseCapMinutes: 15\nfleet:\n  typing:\n    wpmMean: 60\nbehaviour:\n  schedule:\n    fridayFactor: 1\nagent:\n  upload:\n    retryBaseMs: 5000\n',
    );
    expect(s.rules).toEqual({ ...DEFAULT_POLICY_RULES, pauseCapMinutes: 15 });
    expect(s.population.typing).toEqual({ ...DEFAULT_TYPING_TRAIT_PARAMS, wpmMean: 60 });
    expect(s.behaviour.schedule).toEqual({ ...DEFAULT_SCHEDULE_PARAMS, fridayFactor: 1 });
    expect(s.agent.upload).toEqual({ ...DEFAULT_AGENT_CONFIG.upload, retryBaseMs: 5000 });
    expect(s.population.keyboardShareByRole).toEqual(DEFAULT_POPULATION_PARAMS.keyboardShareByRole);
  });

  it('never changes the library defaults it merges over', () => {
    const before = JSON.stringify([
      DEFAULT_POPULATION_PARAMS,
      DEFAULT_BEHAVIOUR_PARAMS,
      DEFAULT_POLICY_RULES,
      DEFAULT_AGENT_CONFIG,
      DEFAULT_ENERGY_MODEL,
    ]);
    parseScenario(
      'name: x\nfleet:\n  roleMix: { Sales: { sales: 1 } }\n  pause: { reactionWeights: { give-up: 1 } }\npolicy: { pauseCapMinutes: 5 }\nagent: { codec: gzip, upload: { retryBaseMs: 10 } }\n',
    );
    expect(
      JSON.stringify([
        DEFAULT_POPULATION_PARAMS,
        DEFAULT_BEHAVIOUR_PARAMS,
        DEFAULT_POLICY_RULES,
        DEFAULT_AGENT_CONFIG,
        DEFAULT_ENERGY_MODEL,
      ]),
    ).toBe(before);
  });

  it('mixes of weights replace: names left out weigh 0', () => {
    const s = parseScenario(
      'name: x\nfleet:\n  departmentMix: { Engineering: 3, Sales: 1 }\n  pause:\n    reactionWeights: { give-up: 1 }\n',
    );
    expect(s.population.departmentMix).toEqual({ Engineering: 3, Sales: 1 });
    expect(s.population.pause.reactionWeights).toEqual({ 're-pause': 0, 'give-up': 1, 'ask-exemption': 0 });
  });

  it('roleMix merges by department; each department given replaces its mix', () => {
    const s = parseScenario('name: x\nfleet:\n  roleMix:\n    Engineering: { engineer: 1 }\n');
    expect(s.population.roleMix.Engineering).toEqual({ engineer: 1 });
    expect(s.population.roleMix.Sales).toEqual(DEFAULT_POPULATION_PARAMS.roleMix.Sales);
  });

  it('offices: a new list weighs its offices equally; an officeMix replaces and lists every office', () => {
    const two = '  offices:\n    - { name: A, timezone: Europe/Paris }\n    - { name: B, timezone: Asia/Tokyo }\n';
    expect(parseScenario(`name: x\nfleet:\n${two}`).population.officeMix).toEqual({ A: 1, B: 1 });
    expect(parseScenario(`name: x\nfleet:\n${two}  officeMix: { B: 2 }\n`).population.officeMix).toEqual({ A: 0, B: 2 });
    const london = parseScenario('name: x\nfleet:\n  officeMix: { London: 1 }\n').population.officeMix;
    expect(london.London).toBe(1);
    expect(london['New York']).toBe(0);
  });

  it('lists replace', () => {
    const s = parseScenario(
      'name: x\nbehaviour:\n  schedule:\n    workdays: [1, 2, 3, 4]\nagent:\n  contentFilter:\n    cueWords: [password]\n',
    );
    expect(s.behaviour.schedule.workdays).toEqual([1, 2, 3, 4]);
    expect(s.agent.contentFilter.cueWords).toEqual(['password']);
  });

  it('the compression level goes with the codec', () => {
    expect(parseScenario('name: x\nagent: { compressionLevel: 5 }\n').agent).toMatchObject({ codec: 'br', compressionLevel: 5 });
    const gzip = parseScenario('name: x\nagent: { codec: gzip }\n').agent;
    expect(gzip.codec).toBe('gzip');
    expect(gzip.compressionLevel).toBeUndefined();
    expect(parseScenario('name: x\nagent: { codec: identity }\n').agent.compressionLevel).toBeUndefined();
  });

  it('alternatives replace as a whole', () => {
    expect(parseScenario('name: x\nagent:\n  coalesce: { mode: rate, maxRateHz: 60 }\n').agent.coalesce).toEqual({
      mode: 'rate',
      maxRateHz: 60,
    });
    expect(parseScenario('name: x\nagent:\n  coalesce: { mode: none }\n').agent.coalesce).toEqual({ mode: 'none' });
    expect(parseScenario('name: x\ningest: { kind: url, url: "http://localhost:9000" }\n').ingest).toEqual({
      kind: 'url',
      url: 'http://localhost:9000',
      allowRemote: false,
      protocol: 'fleetsim',
      headers: [],
    });
    expect(parseScenario('name: x\ningest: { kind: url, url: "https://ingest.example.com", allowRemote: true }\n').ingest.kind).toBe('url');
  });

  it('YAML null means the null transport; numeric seeds become text', () => {
    const s = parseScenario('name: x\ntransport: null\nseed: 42\n');
    expect(s.transport).toBe('null');
    expect(s.seed).toBe('42');
  });

  it('faults resolve to ms after the start date’s 00:00 UTC', () => {
    const s = parseScenario(
      'name: x\nsimulation: { days: 2 }\nfaults:\n  - { kind: ingest-outage, day: 2, at: "14:30", durationMinutes: 30 }\n  - { kind: ingest-restart, at: "09:00" }\n  - { kind: duplicate-delivery, share: 0.01 }\n',
    );
    expect(s.faults[0]).toEqual({
      kind: 'ingest-outage',
      day: 2,
      at: '14:30',
      durationMinutes: 30,
      startMs: 86_400_000 + 14.5 * 3_600_000,
      endMs: 86_400_000 + 15 * 3_600_000,
    });
    expect(s.faults[1]).toEqual({ kind: 'ingest-restart', day: 1, at: '09:00', downSeconds: 10, atMs: 9 * 3_600_000 });
    expect(s.faults[2]).toEqual({ kind: 'duplicate-delivery', share: 0.01 });
  });

  it('a sweep lists its axes in file order with the grid size', () => {
    const s = parseScenario(
      'name: x\nsweep:\n  replicas: 2\n  policy:\n    pauseCapMinutes: [15, 30]\n    captureHours: [null, { startHour: 8, endHour: 18 }]\n  fleet:\n    pause:\n      reactionWeights: [{ re-pause: 1 }]\n',
    );
    expect(s.sweep).toEqual({
      replicas: 2,
      points: 4,
      axes: [
        { path: 'policy.pauseCapMinutes', values: [15, 30] },
        { path: 'policy.captureHours', values: [null, { startHour: 8, endHour: 18 }] },
        { path: 'fleet.pause.reactionWeights', values: [{ 're-pause': 1, 'give-up': 0, 'ask-exemption': 0 }] },
      ],
    });
  });

  it('sweep values are checked like the fields they vary', () => {
    expect(() => parseScenario('name: x\nsweep:\n  policy:\n    pauseCapMinutes: [15, 0]\n', 'x.yaml')).toThrow(
      /x\.yaml:4:27 sweep\.policy\.pauseCapMinutes\[1\]: must be a number from 1 to 1440, got 0/,
    );
  });
});
