/**
 * The ask-exemption reaction takes effect: an ask is an exemption
 * request, approved at policy.exemptionApprovalRate, in effect from the start
 * of the employee's local day policy.exemptionReviewDays later, for the rest
 * of the run — in fast mode, in the agent path, and at the ingest service.
 */
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureAgent, DEFAULT_AGENT_CONFIG, ManualClock } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS, simulateEmployeeDay } from '../../src/behaviour/index.js';
import { EventType, allocateBlock } from '../../src/events/index.js';
import { createIngestServer } from '../../src/ingest/index.js';
import { DEFAULT_POLICY_RULES, type PolicyRules } from '../../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee, employeeId, type PopulationParams } from '../../src/population/index.js';
import { createStream } from '../../src/random/index.js';
import { createTransport } from '../../src/run/index.js';
import { createCalendar, localDayStartMs } from '../../src/time/index.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { runFastTask, runSweep, type CellResult } from '../../src/sweep/index.js';
import { expectAgentDropsWhatFastDrops, fleetCalendar, runAgentFleet } from './agent-and-fast.js';

const START = '2026-03-03';
/** Everyone who pauses wants 2 hours (> any cap here) about 20 times a day, and asks for an exemption when cut short. */
function askers(neverPauseShare: number): PopulationParams {
  const p = DEFAULT_POPULATION_PARAMS;
  return {
    ...p,
    activeMinutesLogMu: Math.log(30),
    exemptionRequestShare: 0,
    pause: {
      ...p.pause,
      neverPauseShare,
      occasionalShare: 0,
      frequentGammaShape: 100,
      frequentGammaScale: 0.2,
      longPrivacyShare: 1,
      longPrivacyLogMuMinutes: Math.log(120),
      longPrivacyLogSigma: 0,
      reactionWeights: { 're-pause': 0, 'give-up': 0, 'ask-exemption': 1 },
    },
  };
}

describe('asking for an exemption when the cap cuts a pause short', () => {
  it('by hand: everyone who pauses asks on day 1 and is approved (rate 1), so from day 2 the yield is exactly the never-pausers’ share of the events', () => {
    const population = askers(0.4);
    const calendar = createCalendar(
      START,
      population.offices.map((o) => o.timezone),
    );
    const n = 60;
    for (const seed of ['by-hand-a', 'by-hand-b']) {
      const task = (days: number, rules: PolicyRules) =>
        runFastTask({
          seed,
          from: 0,
          to: n,
          days,
          calendar,
          population,
          behaviour: DEFAULT_BEHAVIOUR_PARAMS,
          cells: [{ rules, pause: population.pause, exemptionRequestShare: 0 }],
        }).tallies[0]!;
      const rules = { ...DEFAULT_POLICY_RULES, pauseCapMinutes: 30, exemptionApprovalRate: 1 };
      const one = task(1, rules);
      const two = task(2, rules);
      // By hand, from the employees' traits and their day-2 events alone (no policy code):
      let pausers = 0;
      let day2All = 0;
      let day2NeverPausers = 0;
      for (let i = 0; i < n; i++) {
        const e = createEmployee(seed, i, population);
        let events = 0;
        simulateEmployeeDay(
          e,
          1,
          { seed, calendar, behaviour: DEFAULT_BEHAVIOUR_PARAMS, pauseTraits: population.pause, rules },
          { push: () => events++ },
        );
        day2All += events;
        if (e.pause.pausesPerDay > 0) pausers++;
        else day2NeverPausers += events;
      }
      expect(pausers).toBeGreaterThan(n / 4);
      expect(pausers).toBeLessThan(n);
      expect(two.produced - one.produced).toBe(day2All);
      expect(two.captured - one.captured).toBe(day2NeverPausers);
      expect(one.exempt).toBe(0); // approved on day 1, in effect from day 2: not within a one-day run
      expect(two.exempt).toBe(pausers);
      // Two review days: nobody is exempt within two days, and day 2 only loses pauses again.
      const slow = task(2, { ...rules, exemptionReviewDays: 2 });
      expect(slow.exempt).toBe(0);
      expect(slow.captured - one.captured).toBeGreaterThan(day2NeverPausers);
    }
  });

  it('sweeping the reaction weights moves yield the expected way: asking costs whole days once approved, and nothing when never approved', async () => {
    const s = resolveScenario({
      name: 'reactions',
      seed: 'reactions',
      fleet: {
        employees: 30,
        activeMinutesLogMu: Math.log(30),
        exemptionRequestShare: 0,
        pause: { neverPauseShare: 0.2, longPrivacyShare: 0.5 },
      },
      simulation: { days: 3, startDate: START },
      transport: 'null',
      sweep: {
        replicas: 3,
        policy: { pauseCapMinutes: [15], exemptionApprovalRate: [0, 1] },
        fleet: { pause: { reactionWeights: [{ 'give-up': 1 }, { 'ask-exemption': 1 }, { 'give-up': 0.5, 'ask-exemption': 0.5 }] } },
      },
    });
    const r = await runSweep(s, { mode: 'fast', workers: 0 });
    const [giveUp0, ask0, half0, giveUp1, ask1, half1] = r.cells as CellResult[] as [
      CellResult,
      CellResult,
      CellResult,
      CellResult,
      CellResult,
      CellResult,
    ];
    for (let k = 0; k < r.replicas; k++) {
      // Never approved, an ask ends the pause like giving up does: event for event the same capture.
      expect(ask0.replicas[k]!.captured).toBe(giveUp0.replicas[k]!.captured);
      expect(half0.replicas[k]!.captured).toBe(giveUp0.replicas[k]!.captured);
      expect(ask0.replicas[k]!.exempt_share).toBe(0);
      // Always approved: each replica (same people, same days) loses more the more people ask.
      expect(giveUp1.replicas[k]!.captured).toBe(giveUp0.replicas[k]!.captured);
      expect(half1.replicas[k]!.captured).toBeLessThan(giveUp1.replicas[k]!.captured);
      expect(ask1.replicas[k]!.captured).toBeLessThan(half1.replicas[k]!.captured);
    }
    expect(ask1.exempt_share.mean).toBeGreaterThan(half1.exempt_share.mean);
    expect(half1.exempt_share.mean).toBeGreaterThan(0);
    expect(ask1.yield.mean).toBeLessThan(giveUp1.yield.mean - 0.1);
  }, 60_000);

  it('the agent path drops exactly what fast mode does over days when asks take effect (transport null, ledger vs tally)', async () => {
    const population = { ...askers(0.3), pause: { ...askers(0.3).pause, longPrivacyShare: 0.3, frequentGammaScale: 0.02 } };
    const rules = { ...DEFAULT_POLICY_RULES, pauseCapMinutes: 15, exemptionApprovalRate: 0.5 };
    const employees = 12;
    // askers() requests no exemption at enrolment: population.exemptionRequestShare is 0.
    const same = { seed: 'ask-agent', employees, days: 3, startDate: START, population, rules };
    const { fleet, tally: t } = await expectAgentDropsWhatFastDrops(same);
    const l = fleet.ledger;
    // Nobody requested at enrolment: every exempt event comes from an approved ask.
    expect(l.dropped_exempt).toBeGreaterThan(0);
    expect(t.exempt).toBeGreaterThan(0);
    expect(t.exempt).toBeLessThan(employees);
  }, 60_000);

  it('the ingest service learns of an approved ask (the agent’s exempt record) and refuses that device’s later uploads itself', async () => {
    const population = askers(0);
    const rules = { ...DEFAULT_POLICY_RULES, pauseCapMinutes: 30, exemptionApprovalRate: 1 };
    const employees = 3;
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-ask-ingest-'));
    const fleetSecret = randomBytes(32).toString('hex');
    const server = createIngestServer({
      store: `sqlite:${join(dir, 'ingest.sqlite')}`,
      fleetSecret,
      rules,
      limits: { rate: { perSecond: 1e9, burst: 1e9 }, maxAgeMs: 100 * 365 * 86_400_000, maxFutureMs: 100 * 365 * 86_400_000 },
    });
    const { url } = await server.start();
    try {
      const keys: Record<string, string> = {};
      for (let i = 0; i < employees; i++) keys[employeeId(i)] = Buffer.from((await server.enroll(employeeId(i))).key).toString('hex');
      const same = { seed: 'ask-ingest', employees, days: 2, startDate: START, population, rules };
      const fleet = await runAgentFleet(same, { kind: 'http', url, keys });
      const calendar = fleetCalendar(same);
      const exemptions = await server.store.loadExemptions();
      expect(fleet.laptops.every((x) => x.exempt)).toBe(true);
      expect(exemptions).toHaveLength(employees);
      for (let i = 0; i < employees; i++) {
        const e = createEmployee('ask-ingest', i, population);
        const fromMs = calendar.epochUtcMs + localDayStartMs(calendar, e.timezone, 1);
        // Recorded from the start of the employee's second local day, open-ended.
        expect(exemptions.find((x) => x.deviceId === e.id)).toMatchObject({ fromMs, untilMs: null });
        for (const row of await server.store.listBatches(e.id)) expect(row.windowEndMs).toBeLessThan(fromMs);
      }
      expect(fleet.ledger.stored).toBeGreaterThan(0);

      // A laptop that goes on capturing after its exemption started is refused by the service: 403, nothing stored.
      const e = createEmployee('ask-ingest', 0, population);
      const atMs = calendar.epochUtcMs + localDayStartMs(calendar, e.timezone, 1) + 10 * 3_600_000;
      const clock = new ManualClock(atMs);
      const transport = createTransport({ kind: 'http', url, keys }, e.id);
      const agent = new CaptureAgent(
        { clock, transport, rng: createStream('late'), deviceId: e.id, rules, inputTimeOffsetMs: 0 },
        { ...DEFAULT_AGENT_CONFIG, batchMaxEvents: 10 },
      );
      const block = allocateBlock(10);
      for (let k = 0; k < 10; k++) {
        block.t_ms[k] = atMs + k * 100;
        block.type[k] = k % 2 === 0 ? EventType.keydown : EventType.keyup;
        block.key[k] = 65;
      }
      const before = (await server.store.listBatches(e.id)).length;
      agent.capture(block);
      await agent.finish();
      await agent.close();
      await transport.close?.();
      expect(agent.ledger.dropped_exempt).toBe(10);
      expect(agent.ledger.stored).toBe(0);
      expect((await server.store.listBatches(e.id)).length).toBe(before);
    } finally {
      await server.stop({ drainTimeoutMs: 5_000 });
    }
  }, 60_000);
});
