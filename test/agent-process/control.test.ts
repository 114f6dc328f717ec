import { describe, expect, it } from 'vitest';
import { RealClock, parseUiAction } from '../../src/agent-process/index.js';
import { LineSplitter } from '../../src/agent-process/control.js';

describe('control lines', () => {
  it('reads the two UI actions as src/input/types.ts spells them', () => {
    expect(parseUiAction('{"kind":"pause","atMs":1000,"wantedMs":60000,"dayStartMs":0}')).toEqual({
      ok: true,
      action: { kind: 'pause', atMs: 1000, wantedMs: 60000, dayStartMs: 0 },
    });
    expect(parseUiAction('{"kind":"exempt","atMs":5}')).toEqual({ ok: true, action: { kind: 'exempt', atMs: 5 } });
  });

  it('says what is wrong with a bad line', () => {
    const error = (line: string) => {
      const r = parseUiAction(line);
      return r.ok ? 'accepted' : r.error;
    };
    expect(error('pause please')).toMatch(/not JSON/);
    expect(error('[1]')).toMatch(/a JSON object with "kind"/);
    expect(error('{"kind":"resume","atMs":1}')).toMatch(/"kind" must be "pause" or "exempt", got "resume"/);
    expect(error('{"kind":"exempt","atMs":"soon"}')).toMatch(/"atMs" must be a number/);
    expect(error('{"kind":"exempt","atMs":1,"untilMs":2}')).toMatch(/unknown field "untilMs" in a exempt action/);
    expect(error('{"kind":"pause","atMs":1,"wantedMs":0,"dayStartMs":0}')).toMatch(/"wantedMs" must be a positive number/);
    expect(error('{"kind":"pause","atMs":1,"wantedMs":5,"dayStartMs":9}')).toMatch(
      /"dayStartMs" must be a number of epoch ms at or before atMs/,
    );
  });

  it('splits lines whatever the chunking, and drops an endless line', () => {
    const lines: string[] = [];
    let tooLong = 0;
    const s = new LineSplitter();
    for (const chunk of ['{"a":', '1}\n\n{"b"', ':2}\n{"c":3'])
      s.push(
        chunk,
        (l) => lines.push(l),
        () => tooLong++,
      );
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    s.push(
      'x'.repeat(5000),
      (l) => lines.push(l),
      () => tooLong++,
    );
    expect(tooLong).toBe(1);
  });
});

describe('real clock', () => {
  it('reads wall time plus its offset and fires timers at their instant on that clock', async () => {
    const clock = new RealClock(-86_400_000);
    expect(Math.abs(clock.now() - (Date.now() - 86_400_000))).toBeLessThan(50);
    const due = clock.now() + 30;
    const firedAt = await new Promise<number>((resolve) => {
      clock.setTimer(due, () => resolve(clock.now()));
      // Unref'd timers do not keep a process alive; this one keeps the test's loop busy meanwhile.
      setTimeout(() => {}, 100);
    });
    expect(firedAt).toBeGreaterThanOrEqual(due - 1);
    expect(firedAt - due).toBeLessThan(50);
    let fired = false;
    const h = clock.setTimer(clock.now() + 10, () => (fired = true));
    clock.clearTimer(h);
    await new Promise((r) => setTimeout(r, 40));
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });
});
