import { describe, expect, it } from 'vitest';
import type { Transport, UploadOutcome, UploadRequest } from '../../src/agent/index.js';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { createCalendar } from '../../src/time/index.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../../src/population/index.js';
import { utcOffsetMinutes } from '../../src/time/index.js';
import { DEFAULT_POLICY_RULES, type PolicyRules } from '../../src/policy/index.js';
import { runLaptopDay } from '../../src/run/index.js';
import { codecFromContentEncoding, decodeBatch, decompress } from '../../src/wire/index.js';

class Keep implements Transport {
  times: number[] = [];
  async send(req: UploadRequest): Promise<UploadOutcome> {
    const b = decodeBatch(decompress(codecFromContentEncoding(req.headers['content-encoding']), req.body, { maxOutputBytes: 64 << 20 }));
    for (let i = 0; i < b.events.length; i++) this.times.push(b.events.t_ms[i]!);
    return { kind: 'response', status: 200, requestBytes: req.body.byteLength };
  }
}

describe('capture hours (a policy rule in local time)', () => {
  it('keeps nothing outside 09:00–17:00 in each laptop’s own timezone and counts the rest as a scheduled pause', async () => {
    const P = { ...DEFAULT_POPULATION_PARAMS, workStartMeanMinutes: 7 * 60, workStartSdMinutes: 10 };
    const rules: PolicyRules = { ...DEFAULT_POLICY_RULES, captureHours: { startHour: 9, endHour: 17 }, exemptionApprovalRate: 0 };
    const calendar = createCalendar(
      '2026-03-03',
      P.offices.map((o) => o.timezone),
    );
    const env = { seed: 'hours', calendar, behaviour: DEFAULT_BEHAVIOUR_PARAMS, pauseTraits: { ...P.pause, neverPauseShare: 1 }, rules };
    let outside = 0;
    for (let i = 0; i < 4; i++) {
      const employee = createEmployee('hours', i, P);
      const transport = new Keep();
      const r = await runLaptopDay({ employee, day: 0, env, agentConfig: DEFAULT_AGENT_CONFIG, transport });
      expect(ledgerImbalance(r.agent.ledger)).toBe(0);
      for (const t of transport.times) {
        const local = new Date(t + utcOffsetMinutes(employee.timezone, t) * 60_000);
        const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
        expect(hour >= 9 && hour < 17).toBe(true);
      }
      // People who start around 7:00 work outside the window: those events were produced and not captured.
      outside += r.agent.ledger.dropped_paused;
      expect(transport.times.length).toBeGreaterThan(0);
    }
    expect(outside).toBeGreaterThan(0);
  });
});
