import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { loadScenarioFile, parseScenario } from '../../src/scenario/index.js';

const DIR = join(import.meta.dirname, '../../scenarios');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('shipped scenarios', () => {
  it('ships the five documented scenarios, and the process fleet the Kubernetes Job runs', () => {
    expect(FILES).toEqual([
      'agent-metered-battery.yaml',
      'morning-surge-outage.yaml',
      'policy-comparison.yaml',
      'process-fleet.yaml',
      'quickstart.yaml',
      'rollout-10k.yaml',
    ]);
  });

  it('process fleet: reference agent processes over Xvfb on the real clock, a window, the embedded ingest', () => {
    const s = loadScenarioFile(join(DIR, 'process-fleet.yaml'));
    expect(s.agentUnderTest).toMatchObject({ kind: 'process', input: 'x11', command: null });
    expect(s.simulation.speed).toBe(1);
    expect(s.simulation.window).not.toBeNull();
    expect(s.ingest.kind).toBe('embedded');
  });

  it.each(FILES)('%s validates, and reads the same as JSON', (f) => {
    const s = loadScenarioFile(join(DIR, f));
    expect(s.name).toBe(f.replace(/\.yaml$/, ''));
    expect(s.description.length).toBeGreaterThan(10);
    const asJson = JSON.stringify(parse(readFileSync(join(DIR, f), 'utf8')), null, 2);
    expect({ ...parseScenario(asJson, f), source: '' }).toEqual({ ...s, source: '' });
  });

  it('quickstart: 200 employees, one day, embedded ingest with SQLite over HTTP, CI gates', () => {
    const s = loadScenarioFile(join(DIR, 'quickstart.yaml'));
    expect(s.fleet.employees).toBe(200);
    expect(s.simulation).toEqual({ days: 1, startDate: '2026-03-02', speed: 'max', window: null });
    expect(s.ingest).toEqual({ kind: 'embedded', store: 'sqlite' });
    expect(s.transport).toBe('http');
    expect(s.thresholds.map((t) => t.metric)).toEqual(
      expect.arrayContaining([
        'ledger.lost',
        'leaks.canaries',
        'ingest.p99_ms',
        'bandwidth.mb_per_laptop_day.p95',
        'battery.pct_per_day.p95',
      ]),
    );
  });

  it('rollout: 10,000 employees for a day', () => {
    const s = loadScenarioFile(join(DIR, 'rollout-10k.yaml'));
    expect(s.fleet.employees).toBe(10_000);
    expect(s.simulation.days).toBe(1);
  });

  it('agent comparison: several agent configurations, the default among them', () => {
    const s = loadScenarioFile(join(DIR, 'agent-metered-battery.yaml'));
    expect(s.agents?.map((a) => a.name)).toEqual(['default', 'metered', 'battery-saver', 'low-cpu']);
    expect(s.agents?.[0]?.agent).toEqual(DEFAULT_AGENT_CONFIG);
    expect(s.agents?.[3]?.agent).toMatchObject({ codec: 'gzip', coalesce: { mode: 'rate', maxRateHz: 30 } });
    expect(s.transport).toBe('null');
  });

  it('morning surge: one timezone, an outage at the peak, an error storm after it', () => {
    const s = loadScenarioFile(join(DIR, 'morning-surge-outage.yaml'));
    expect(s.population.offices).toEqual([{ name: 'New York', timezone: 'America/New_York' }]);
    expect(s.faults.map((f) => f.kind)).toEqual(['ingest-outage', 'http-errors', 'slow-responses']);
    expect(s.faults[0]).toMatchObject({ startMs: 14.5 * 3_600_000, endMs: 15 * 3_600_000 });
  });

  it('policy comparison: a grid over policy rules and pause propensity, with replicas', () => {
    const s = loadScenarioFile(join(DIR, 'policy-comparison.yaml'));
    expect(s.sweep?.replicas).toBe(3);
    expect(s.sweep?.axes.map((a) => a.path)).toEqual([
      'policy.pauseCapMinutes',
      'policy.maxPausesPerDay',
      'policy.exemptionApprovalRate',
      'fleet.pause.neverPauseShare',
    ]);
    expect(s.sweep?.points).toBe(24);
  });
});
