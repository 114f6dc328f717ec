import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_RULES,
  afterExemptionAsks,
  enrolmentExemption,
  exemptAtEnd,
  exemptionOnDay,
  type ExemptionStatus,
} from '../../src/policy/index.js';

const rules = (o: Partial<typeof DEFAULT_POLICY_RULES> = {}) => ({ ...DEFAULT_POLICY_RULES, ...o });

describe('exemptions over a run', () => {
  it('an enrolment request approved at the policy rate is exempt every day; refused or not made, never by itself', () => {
    const enrolled = enrolmentExemption(true, 0.3, rules({ exemptionApprovalRate: 0.5 }));
    expect(enrolled).toEqual({ kind: 'enrolled' });
    expect([0, 1, 9].map((d) => exemptionOnDay(enrolled, d).kind)).toEqual(['exempt', 'exempt', 'exempt']);
    expect(enrolmentExemption(true, 0.5, rules({ exemptionApprovalRate: 0.5 }))).toEqual({ kind: 'none' });
    expect(enrolmentExemption(false, 0, rules({ exemptionApprovalRate: 1 }))).toEqual({ kind: 'none' });
  });

  it('an approved ask on day d takes effect at the start of day d + exemptionReviewDays, announced that day, and lasts', () => {
    const r = rules({ exemptionApprovalRate: 0.4, exemptionReviewDays: 2 });
    const s = afterExemptionAsks({ kind: 'none' }, 3, [0.39], r);
    expect(s).toEqual({ kind: 'approved', fromDay: 5 });
    expect([3, 4, 5, 6, 30].map((d) => exemptionOnDay(s, d).kind)).toEqual(['none', 'none', 'starts', 'exempt', 'exempt']);
    expect(exemptAtEnd(s, 5)).toBe(false);
    expect(exemptAtEnd(s, 6)).toBe(true);
  });

  it('each ask is its own draw: a refused ask changes nothing, the first approved one of the day decides', () => {
    const r = rules({ exemptionApprovalRate: 0.4 });
    expect(afterExemptionAsks({ kind: 'none' }, 0, [0.4, 0.9], r)).toEqual({ kind: 'none' });
    expect(afterExemptionAsks({ kind: 'none' }, 0, [], r)).toEqual({ kind: 'none' });
    expect(afterExemptionAsks({ kind: 'none' }, 2, [0.9, 0.1, 0.2], r)).toEqual({ kind: 'approved', fromDay: 3 });
    expect(afterExemptionAsks({ kind: 'none' }, 0, [0.999], rules({ exemptionApprovalRate: 1 }))).toEqual({ kind: 'approved', fromDay: 1 });
    expect(afterExemptionAsks({ kind: 'none' }, 0, [0], rules({ exemptionApprovalRate: 0 }))).toEqual({ kind: 'none' });
  });

  it('asks made while exempt or already approved do not move the start', () => {
    const r = rules({ exemptionApprovalRate: 1 });
    const approved: ExemptionStatus = { kind: 'approved', fromDay: 2 };
    expect(afterExemptionAsks(approved, 1, [0.1], r)).toBe(approved);
    expect(afterExemptionAsks(approved, 5, [0.1], r)).toBe(approved);
    expect(afterExemptionAsks({ kind: 'enrolled' }, 0, [0.1], r)).toEqual({ kind: 'enrolled' });
  });
});
