import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { parseScenario } from '../../src/scenario/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-compare-scn-'));
const SCENARIO = `name: batching
seed: batching
fleet: { employees: 8 }
simulation: { days: 1, startDate: "2026-03-03" }
transport: "null"
agent: { batchMaxAgeMs: 300000 }
# The agent's own wake-ups alone: input delivery is the same on both sides.
energy: { deliveryCpuUsPerRead: 0, deliveryWakeupsPerRead: 0, deliveryCpuUsPerUnbatchedRead: 0, deliveryWakeupsPerUnbatchedRead: 0, deliveryCpuUsPerKeyEvent: 0, deliveryCpuUsPerClickEvent: 0, deliveryCpuUsPerMoveEvent: 0, deliveryCpuUsPerWheelEvent: 0, deliveryWakeupsPerEvent: 0, deliverySource: "none" }
compare:
  replicas: 2
  candidate:
    agent: { batchMaxAgeMs: 900000 }
`;

async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await runCli(args, { stderr: (x) => (stderr += x) });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('fleetsim compare --scenario: one command runs both sides', () => {
  it('resolves each side as the scenario with its overrides merged in, same seed', () => {
    const s = parseScenario(SCENARIO, 'batching.yaml');
    expect(s.compare!.replicas).toBe(2);
    expect(s.compare!.baseline.agent.batchMaxAgeMs).toBe(300_000);
    expect(s.compare!.candidate.agent.batchMaxAgeMs).toBe(900_000);
    // Merged field by field: the rest of the agent section and of the file is shared.
    expect(s.compare!.candidate.agent.codec).toBe(s.agent.codec);
    expect(s.compare!.candidate.seed).toBe('batching');
    expect(s.compare!.candidate.fleet.employees).toBe(8);
  });

  it('two agent commands for process agents: each side runs its own command over the same laptops and input', () => {
    const s = parseScenario(
      `name: two-agents\nseed: ab\ntransport: http\nsimulation: { speed: 1, window: { day: 1, at: "09:30", durationMinutes: 1 } }\n` +
        `agent: { kind: process, input: tap }\n` +
        `compare:\n  replicas: 2\n  baseline:\n    agent: { command: [node, agent-a.js, "{tapSocket}", "{uploadUrl}"] }\n  candidate:\n    agent: { command: [node, agent-b.js, "{tapSocket}", "{uploadUrl}"] }\n`,
      'two-agents.yaml',
    );
    const side = (x: 'baseline' | 'candidate') => s.compare![x].agentUnderTest;
    expect(side('baseline')).toMatchObject({
      kind: 'process',
      input: 'tap',
      command: ['node', 'agent-a.js', '{tapSocket}', '{uploadUrl}'],
    });
    expect(side('candidate')).toMatchObject({
      kind: 'process',
      input: 'tap',
      command: ['node', 'agent-b.js', '{tapSocket}', '{uploadUrl}'],
    });
    expect(s.compare!.candidate.seed).toBe(s.compare!.baseline.seed);
    expect(s.compare!.candidate.simulation.window).toEqual(s.compare!.baseline.simulation.window);
  });

  it('points a bad override at its line in the compare section, and refuses overriding the seed', () => {
    const bad = SCENARIO.replace('batchMaxAgeMs: 900000', 'batchMaxAgeMs: 5').replace(
      '  replicas: 2\n',
      '  replicas: 2\n  baseline: { seed: other }\n',
    );
    let message = '';
    try {
      parseScenario(bad, 'batching.yaml');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/batching\.yaml:\d+:\d+ compare\.candidate\.agent\.batchMaxAgeMs/);
    expect(message).toMatch(/compare\.baseline\.seed.*cannot be overridden/);
  });

  it('runs baseline and candidate interleaved and finds 15-minute batches better on wake-ups', async () => {
    const file = join(tmp, 'batching.yaml');
    writeFileSync(file, SCENARIO);
    const out = join(tmp, 'cmp');
    const r = await cli(['compare', '--scenario', file, '--workers', '0', '--out', out, '--fail-on', 'wakeups worse']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/fleetsim compare: (baseline|candidate) \d/g)).toEqual([
      'fleetsim compare: baseline 1',
      'fleetsim compare: candidate 1',
      'fleetsim compare: baseline 2',
      'fleetsim compare: candidate 2',
    ]);
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.replicas).toEqual({ baseline: 2, candidate: 2 });
    expect(json.pairing.paired).toBe(true);
    expect(
      json.rows.find((x: { figure: string; statistic: string }) => x.figure === 'battery.wakeups_per_min' && x.statistic === 'mean')
        .verdict,
    ).toBe('better');
    const none = await cli(['compare', '--scenario', join(tmp, 'missing.yaml')]);
    expect(none.code).toBe(2);
  }, 60_000);

  it("keeps each side's outputs as the scenario says: no CSVs with outputs.csv: false, compared from results.json", async () => {
    const file = join(tmp, 'no-csv.yaml');
    writeFileSync(file, `${SCENARIO}outputs: { csv: false, html: false }\n`);
    const out = join(tmp, 'cmp-no-csv');
    const r = await cli(['compare', '--scenario', file, '--replicas', '1', '--workers', '0', '--out', out, '--fail-on', 'wakeups worse']);
    expect(r.code, r.stderr).toBe(0);
    for (const side of ['baseline-1', 'candidate-1']) {
      expect(existsSync(join(out, side, 'results.json')), side).toBe(true);
      expect(existsSync(join(out, side, 'laptops.csv')), side).toBe(false);
      expect(existsSync(join(out, side, 'report.html')), side).toBe(false);
    }
    const json = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    expect(json.pairing.paired).toBe(true);
    expect(
      json.rows.find((x: { figure: string; statistic: string }) => x.figure === 'battery.wakeups_per_min' && x.statistic === 'mean')
        .verdict,
    ).toBe('better');
  }, 60_000);
});
