import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY_RULES,
  decidePause,
  isExempt,
  pauseWindowAt,
  withinCaptureHours,
  type PauseWindow,
  type PolicyRules,
} from '../../src/policy/index.js';

const MIN = 60_000;
const rules = (over: Partial<PolicyRules> = {}): PolicyRules => ({ ...DEFAULT_POLICY_RULES, ...over });

describe('pause decisions', () => {
  it('grants a short pause as asked, ended by the employee', () => {
    const d = decidePause([], { atMs: 1000, wantedMs: 10 * MIN, dayStartMs: 0 }, rules());
    expect(d).toEqual({ kind: 'granted', window: { startMs: 1000, endMs: 1000 + 10 * MIN, endedBy: 'resume' } });
  });

  it('caps a long pause at the policy cap and resumes capture by itself', () => {
    const d = decidePause([], { atMs: 0, wantedMs: 120 * MIN, dayStartMs: 0 }, rules({ pauseCapMinutes: 30 }));
    expect(d.kind === 'granted' && d.window).toEqual({ startMs: 0, endMs: 30 * MIN, endedBy: 'auto-resume' });
  });

  it('allows a back-to-back re-pause at the moment of auto-resume when there is no cooldown', () => {
    const first: PauseWindow = { startMs: 0, endMs: 30 * MIN, endedBy: 'auto-resume' };
    const d = decidePause([first], { atMs: 30 * MIN, wantedMs: 30 * MIN, dayStartMs: 0 }, rules());
    expect(d.kind).toBe('granted');
  });

  it('refuses a request while already paused', () => {
    const first: PauseWindow = { startMs: 0, endMs: 30 * MIN, endedBy: 'auto-resume' };
    expect(decidePause([first], { atMs: 29 * MIN, wantedMs: MIN, dayStartMs: 0 }, rules())).toEqual({
      kind: 'refused',
      reason: 'already_paused',
    });
  });

  it('refuses inside the cooldown and grants after it', () => {
    const first: PauseWindow = { startMs: 0, endMs: 30 * MIN, endedBy: 'auto-resume' };
    const r = rules({ cooldownMinutes: 60 });
    expect(decidePause([first], { atMs: 89 * MIN, wantedMs: MIN, dayStartMs: 0 }, r)).toEqual({ kind: 'refused', reason: 'cooldown' });
    expect(decidePause([first], { atMs: 90 * MIN, wantedMs: MIN, dayStartMs: 0 }, r).kind).toBe('granted');
  });

  it('enforces the per-day limit within the local day only', () => {
    const r = rules({ maxPausesPerDay: 2 });
    const w = (h: number): PauseWindow => ({ startMs: h * 60 * MIN, endMs: h * 60 * MIN + 5 * MIN, endedBy: 'resume' });
    const granted = [w(9), w(10)];
    expect(decidePause(granted, { atMs: 11 * 60 * MIN, wantedMs: MIN, dayStartMs: 0 }, r)).toEqual({
      kind: 'refused',
      reason: 'daily_limit',
    });
    expect(decidePause(granted, { atMs: 33 * 60 * MIN, wantedMs: MIN, dayStartMs: 24 * 60 * MIN }, r).kind).toBe('granted');
  });
});

describe('exemption and windows', () => {
  it('exempts only employees who asked, at the approval rate', () => {
    expect(isExempt(false, 0, rules({ exemptionApprovalRate: 1 }))).toBe(false);
    expect(isExempt(true, 0.19, rules({ exemptionApprovalRate: 0.2 }))).toBe(true);
    expect(isExempt(true, 0.2, rules({ exemptionApprovalRate: 0.2 }))).toBe(false);
  });

  it('finds the window containing an instant, half-open at the end', () => {
    const ws: PauseWindow[] = [
      { startMs: 10, endMs: 20, endedBy: 'resume' },
      { startMs: 30, endMs: 40, endedBy: 'resume' },
    ];
    expect([9, 10, 19, 20, 29, 30, 39, 40].map((t) => pauseWindowAt(ws, t))).toEqual([-1, 0, 0, -1, -1, 1, 1, -1]);
  });

  it('applies capture hours, including windows across midnight', () => {
    expect(withinCaptureHours(8.99, rules({ captureHours: { startHour: 9, endHour: 17 } }))).toBe(false);
    expect(withinCaptureHours(9, rules({ captureHours: { startHour: 9, endHour: 17 } }))).toBe(true);
    expect(withinCaptureHours(23, rules({ captureHours: { startHour: 22, endHour: 6 } }))).toBe(true);
    expect(withinCaptureHours(12, rules({ captureHours: { startHour: 22, endHour: 6 } }))).toBe(false);
  });
});
