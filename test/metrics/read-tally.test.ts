import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventType, allocateBlock, capMoveRate, sliceBlock, type EventBlock } from '../../src/events/index.js';
import { timedBlock } from '../events/timed-block.js';
import { DeliveredKinds, ReadTally, countEventKinds, deliveryCost } from '../../src/metrics/delivery.js';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { parseScenario } from '../../src/scenario/index.js';
import { scenarioProblems } from '../scenario/problems.js';
import { fitReadCost } from '../../bench/lib/delivery-fit.js';

/** Input as people make it: bursts of moves and keys with pauses of up to a few seconds between them. */
const stream = fc.array(
  fc.record({
    gap: fc.oneof(
      { weight: 9, arbitrary: fc.double({ min: 0, max: 60, noNaN: true }) },
      { weight: 1, arbitrary: fc.double({ min: 0, max: 5_000, noNaN: true }) },
    ),
    type: fc.oneof(
      { weight: 6, arbitrary: fc.constant(EventType.mousemove) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(EventType.keydown, EventType.keyup, EventType.mousedown, EventType.mouseup, EventType.wheel),
      },
    ),
  }),
  { maxLength: 300 },
);

/**
 * The reads of a reader paced as src/input/read-pacing.ts paces one, played out
 * event by event on a timeline: idle, it reads an event at once and then sleeps
 * the interval; waking with input queued it reads it and sleeps again; waking
 * to nothing it goes idle.
 */
function pacedReads(b: EventBlock, intervalMs: number): number {
  if (intervalMs === 0) return b.length;
  const readAt: number[] = [];
  let wakeAt = Number.NEGATIVE_INFINITY;
  let waiting = 0;
  for (let i = 0; i < b.length; i++) {
    const t = b.t_ms[i] as number;
    while (waiting > 0 && wakeAt < t) {
      readAt.push(wakeAt);
      waiting = 0;
      wakeAt += intervalMs;
    }
    if (t <= wakeAt) waiting++;
    else {
      readAt.push(t);
      wakeAt = t + intervalMs;
    }
  }
  if (waiting > 0) readAt.push(wakeAt);
  // Reads are an interval apart at least: the pacing never reads early.
  for (let k = 1; k < readAt.length; k++) expect(readAt[k]! - readAt[k - 1]!).toBeGreaterThanOrEqual(intervalMs);
  return readAt.length;
}

/** Distinct aligned read slots of a block's events; every event its own read at interval 0. */
function slots(b: EventBlock, intervalMs: number): number {
  if (intervalMs === 0) return b.length;
  const s = new Set<number>();
  for (let i = 0; i < b.length; i++) s.add(Math.floor((b.t_ms[i] as number) / intervalMs));
  return s.size;
}

/** The tally over the block cut at the given points (blocks in time order, as a run hands them). */
function tallied(b: EventBlock, intervalMs: number, hz: number, cuts: readonly number[]): number {
  const t = new ReadTally(intervalMs, hz);
  let from = 0;
  for (const c of [...cuts.map((x) => Math.floor(x * b.length)).sort((x, y) => x - y), b.length]) {
    t.add(sliceBlock(b, from, Math.max(from, c)));
    from = Math.max(from, c);
  }
  return t.reads;
}

const interval = fc.constantFrom(0, 1, 250, 1000, 1500);
const rate = fc.constantFrom(0, 7, 30, 60, 125);
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 });

describe('the reads a reader makes of its input', () => {
  it("are the paced reader's reads of what the source delivered, however the input is cut into blocks (fast-check)", () => {
    fc.assert(
      fc.property(stream, interval, rate, cuts, (evs, ms, hz, at) => {
        const b = timedBlock(evs);
        expect(tallied(b, ms, hz, at)).toBe(pacedReads(capMoveRate(b, hz).events, ms));
      }),
    );
  });

  it('are never more than the events delivered nor twice the aligned intervals with input, and a move cap never adds one (fast-check)', () => {
    fc.assert(
      fc.property(stream, interval, rate, (evs, ms, hz) => {
        const b = timedBlock(evs);
        const reads = new ReadTally(ms, hz).add(b).reads;
        expect(reads).toBeLessThanOrEqual(capMoveRate(b, hz).events.length);
        // A read is at an event or at the end of a pause that began within the interval before it.
        expect(reads).toBeLessThanOrEqual(2 * slots(b, ms));
        expect(reads).toBeLessThanOrEqual(new ReadTally(ms, 0).add(b).reads);
        // Something delivered means at least one read; a longer interval never reads more often.
        expect(reads > 0).toBe(b.length > 0);
        if (ms > 0) expect(new ReadTally(ms * 2, hz).add(b).reads).toBeLessThanOrEqual(reads);
      }),
    );
  });

  it('a reader woken per event reads every delivered event; a batched one at its first event and then once per interval while input queues', () => {
    // 3 s of a 125 Hz pointer, then 2 s of nothing, then one key press: reads at 0, 1000, 2000, 3000 (the last moves) and 5000.
    const b = allocateBlock(376);
    for (let i = 0; i < 375; i++) {
      b.t_ms[i] = 8 * i;
      b.type[i] = EventType.mousemove;
    }
    b.t_ms[375] = 5_000;
    b.type[375] = EventType.keydown;
    expect(new ReadTally(0).add(b).reads).toBe(376);
    expect(new ReadTally(1000).add(b).reads).toBe(5);
    // 60 Hz keeps the last move of each 16.7 ms: 180 moves and the key, but the same five reads (from 16 ms on).
    expect(new ReadTally(0, 60).add(b).reads).toBe(181);
    expect(new ReadTally(1000, 60).add(b).reads).toBe(5);
    const k = new DeliveredKinds({ inputReadIntervalMs: 1000, sourceMoveRateHz: 60 });
    k.add(sliceBlock(b, 0, 100));
    k.add(sliceBlock(b, 100, 376));
    expect(k.reads).toBe(5);
    expect(k.delivered()).toEqual({ key: 1, click: 0, move: 180, wheel: 0 });
  });

  it('refuses an interval or a rate that is not a finite number ≥ 0', () => {
    expect(() => new ReadTally(-1)).toThrow(/read interval must be a finite number of ms ≥ 0/);
    expect(() => new ReadTally(Number.NaN)).toThrow(RangeError);
    expect(() => new ReadTally(1000, Number.POSITIVE_INFINITY)).toThrow(/source move rate/);
  });
});

describe('the delivery cost', () => {
  const c = {
    deliveryCpuUsPerRead: 1000,
    deliveryWakeupsPerRead: 2,
    deliveryCpuUsPerUnbatchedRead: 100,
    deliveryWakeupsPerUnbatchedRead: 1,
    deliveryCpuUsPerKeyEvent: 4,
    deliveryCpuUsPerClickEvent: 3,
    deliveryCpuUsPerMoveEvent: 2,
    deliveryCpuUsPerWheelEvent: 1,
    deliveryWakeupsPerEvent: 0.25,
  };

  it('is a cost per read plus a cost per event read, by kind; a read priced by how the agent reads', () => {
    const k = { key: 10, click: 2, move: 100, wheel: 4 };
    expect(deliveryCost(k, 3, c, 1000)).toEqual({ cpuSeconds: (3000 + 40 + 6 + 200 + 4) / 1e6, wakeups: 6 + 116 * 0.25 });
    expect(deliveryCost(k, 116, c, 0)).toEqual({ cpuSeconds: (11_600 + 40 + 6 + 200 + 4) / 1e6, wakeups: 116 + 116 * 0.25 });
    expect(deliveryCost({ key: 0, click: 0, move: 0, wheel: 0 }, 0, c, 1000)).toEqual({ cpuSeconds: 0, wakeups: 0 });
  });

  it('grows with reads and with events, never falls (fast-check)', () => {
    const n = fc.nat({ max: 1e6 });
    fc.assert(
      fc.property(n, n, n, n, n, n, (key, click, move, wheel, reads, more) => {
        const k = { key, click, move, wheel };
        const a = deliveryCost(k, reads, c, 1000);
        const b = deliveryCost(k, reads + more, c, 1000);
        const e = deliveryCost({ ...k, move: move + more }, reads, c, 1000);
        expect(b.cpuSeconds).toBeGreaterThanOrEqual(a.cpuSeconds);
        expect(b.wakeups).toBeGreaterThanOrEqual(a.wakeups);
        expect(e.cpuSeconds).toBeGreaterThanOrEqual(a.cpuSeconds);
      }),
    );
  });

  it('has per-read defaults from measurement, and a scenario can set them', () => {
    expect(DEFAULT_ENERGY_MODEL.deliveryCpuUsPerRead).toBeGreaterThan(DEFAULT_ENERGY_MODEL.deliveryCpuUsPerMoveEvent);
    expect(DEFAULT_ENERGY_MODEL.deliveryWakeupsPerRead).toBeGreaterThan(0);
    // Measured: a read after a second's sleep costs far more than one of a reader kept warm by its input.
    expect(DEFAULT_ENERGY_MODEL.deliveryCpuUsPerRead).toBeGreaterThan(5 * DEFAULT_ENERGY_MODEL.deliveryCpuUsPerUnbatchedRead);
    expect(DEFAULT_ENERGY_MODEL.deliveryWakeupsPerUnbatchedRead).toBeGreaterThan(0);
    expect(DEFAULT_ENERGY_MODEL.deliverySource).toMatch(/per read/);
    const s = parseScenario('name: x\nenergy:\n  deliveryCpuUsPerRead: 800\n  deliveryWakeupsPerRead: 1.5\n');
    expect(s.energy.deliveryCpuUsPerRead).toBe(800);
    expect(s.energy.deliveryWakeupsPerRead).toBe(1.5);
    expect(s.energy.deliveryCpuUsPerMoveEvent).toBe(DEFAULT_ENERGY_MODEL.deliveryCpuUsPerMoveEvent);
  });

  it('a bad per-read coefficient is refused with its file, line and what is allowed', () => {
    const problems = (text: string) => scenarioProblems(text);
    expect(problems('name: x\nenergy:\n  deliveryCpuUsPerRead: -5\n')).toEqual([
      'x.yaml:3:3 energy.deliveryCpuUsPerRead: must be a number from 0 to 1000000, got -5',
    ]);
    expect(problems('name: x\nenergy:\n  deliveryWakeupsPerRead: "one"\n')).toEqual([
      'x.yaml:3:3 energy.deliveryWakeupsPerRead: must be a number from 0 to 100, got "one"',
    ]);
    expect(problems('name: x\nenergy:\n  deliveryWakeupsPerReed: 1\n')[0]).toMatch(
      /^x\.yaml:3:3 energy\.deliveryWakeupsPerReed: unknown field "deliveryWakeupsPerReed"; did you mean "deliveryWakeupsPerRead"\?/,
    );
  });
});

describe('the coefficients bench:delivery fits', () => {
  it('recovers a per-read and a per-event cost from rows whose reads and events vary apart', () => {
    const truth = (reads: number, events: number) => ({ reads, events, cpuUs: 900 * reads + 7 * events, wakeups: 1.8 * reads });
    const fit = fitReadCost([truth(60, 3000), truth(200, 3000), truth(58, 800), truth(55, 500)])!;
    expect(fit.cpuUsPerRead).toBeCloseTo(900, 6);
    expect(fit.cpuUsPerEvent).toBeCloseTo(7, 6);
    expect(fit.wakeupsPerRead).toBeCloseTo(1.8, 9);
    expect(fit.rmsResidualUs).toBeLessThan(1e-6);
  });

  it('never fits a negative cost, and has nothing to say without reads', () => {
    // Noise that would make the unconstrained per-event cost negative.
    const fit = fitReadCost([
      { reads: 60, events: 3000, cpuUs: 50_000, wakeups: 100 },
      { reads: 58, events: 800, cpuUs: 56_000, wakeups: 90 },
    ])!;
    expect(fit.cpuUsPerRead).toBeGreaterThan(0);
    expect(fit.cpuUsPerEvent).toBe(0);
    expect(fitReadCost([])).toBeNull();
    expect(fitReadCost([{ reads: 0, events: 10, cpuUs: 5, wakeups: 1 }])).toBeNull();
  });
});

describe('delivered kinds and reads agree', () => {
  it('kinds after the cap match the capped block (fast-check)', () => {
    fc.assert(
      fc.property(stream, rate, (evs, hz) => {
        const b = timedBlock(evs);
        const k = new DeliveredKinds({ inputReadIntervalMs: 0, sourceMoveRateHz: hz });
        k.add(b);
        const d = k.delivered();
        expect(d).toEqual(countEventKinds(capMoveRate(b, hz).events));
        expect(k.reads).toBe(d.key + d.click + d.move + d.wheel);
      }),
    );
  });
});
