import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { DEFAULT_BEHAVIOUR_PARAMS } from '../../src/behaviour/index.js';
import { EventType, allocateBlock, capMoveRate, sliceBlock } from '../../src/events/index.js';
import { DeliveredKinds, countEventKinds, deliveryCost } from '../../src/metrics/delivery.js';
import { DEFAULT_ENERGY_MODEL, estimateEnergy } from '../../src/metrics/energy.js';
import { DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { computeRunFigures, runFleet, type FleetRunOptions } from '../../src/run/index.js';
import { parseScenario } from '../../src/scenario/index.js';

describe('the energy model’s input-delivery term', () => {
  it('counts events by what an OS delivers and prices each kind', () => {
    const b = allocateBlock(7);
    [
      EventType.keydown,
      EventType.keyup,
      EventType.mousedown,
      EventType.mouseup,
      EventType.mousemove,
      EventType.mousemove,
      EventType.wheel,
    ].forEach((t, i) => (b.type[i] = t));
    const k = countEventKinds(b);
    expect(k).toEqual({ key: 2, click: 2, move: 2, wheel: 1 });
    const c = {
      deliveryCpuUsPerRead: 0,
      deliveryWakeupsPerRead: 0,
      deliveryCpuUsPerUnbatchedRead: 0,
      deliveryWakeupsPerUnbatchedRead: 0,
      deliveryCpuUsPerKeyEvent: 100,
      deliveryCpuUsPerClickEvent: 10,
      deliveryCpuUsPerMoveEvent: 1,
      deliveryCpuUsPerWheelEvent: 1000,
      deliveryWakeupsPerEvent: 0.5,
    };
    expect(deliveryCost(k, 0, c, 1000)).toEqual({ cpuSeconds: (200 + 20 + 2 + 1000) / 1e6, wakeups: 3.5 });
  });

  it('is in every virtual-time figure: rows carry it apart, CPU, wake-ups and battery include it', async () => {
    const base: FleetRunOptions = {
      seed: 'delivery',
      employees: 2,
      days: 1,
      startDate: '2026-03-03',
      population: DEFAULT_POPULATION_PARAMS,
      behaviour: DEFAULT_BEHAVIOUR_PARAMS,
      rules: DEFAULT_POLICY_RULES,
      agent: DEFAULT_AGENT_CONFIG,
      transport: { kind: 'null' },
      workers: 0,
      energy: {
        ...DEFAULT_ENERGY_MODEL,
        deliveryCpuUsPerRead: 1000,
        deliveryWakeupsPerRead: 2,
        deliveryCpuUsPerKeyEvent: 50,
        deliveryCpuUsPerClickEvent: 50,
        deliveryCpuUsPerMoveEvent: 50,
        deliveryCpuUsPerWheelEvent: 50,
        deliveryWakeupsPerEvent: 0,
      },
    };
    const off = await runFleet({
      ...base,
      energy: {
        ...base.energy,
        deliveryCpuUsPerRead: 0,
        deliveryWakeupsPerRead: 0,
        deliveryCpuUsPerUnbatchedRead: 0,
        deliveryWakeupsPerUnbatchedRead: 0,
        deliveryCpuUsPerKeyEvent: 0,
        deliveryCpuUsPerClickEvent: 0,
        deliveryCpuUsPerMoveEvent: 0,
        deliveryCpuUsPerWheelEvent: 0,
        deliveryWakeupsPerEvent: 0,
      },
    });
    const on = await runFleet(base);
    for (let i = 0; i < on.laptops.length; i++) {
      const a = on.laptops[i]!;
      const b = off.laptops[i]!;
      expect(b.delivery_cpu_seconds).toBe(0);
      // The default reader reads what queued once per interval (seconds): far fewer reads than events, at most 60 per active minute.
      expect(a.delivery_reads).toBe(b.delivery_reads);
      if (a.produced > 0) expect(a.delivery_reads).toBeGreaterThan(0);
      expect(a.delivery_reads).toBeLessThan(a.produced / 5 + 1);
      expect(a.delivery_reads).toBeLessThanOrEqual(a.active_minutes * 60);
      expect(a.delivery_cpu_seconds).toBeCloseTo((a.produced * 50 + a.delivery_reads * 1000) / 1e6, 9);
      expect(a.delivery_wakeups).toBeCloseTo(2 * a.delivery_reads, 6);
      // Wake-ups are counted, not timed: exactly the agent's own plus two per read.
      expect(a.wakeups).toBeCloseTo(b.wakeups + 2 * a.delivery_reads, 6);
      expect(a.agent_cpu_seconds).toBeGreaterThan(a.delivery_cpu_seconds);
      if (a.days_worked > 0) expect(a.battery_pct_per_day).toBeGreaterThan(b.battery_pct_per_day);
    }
    // A day of ~10^5 events at 50 µs and thousands of reads at two wake-ups each: seconds of CPU and a visible share of the battery.
    const f = computeRunFigures(on, DEFAULT_ENERGY_MODEL.batteryWh);
    const g = computeRunFigures(off, DEFAULT_ENERGY_MODEL.batteryWh);
    expect(f.battery.wakeups_per_min.p50).toBeGreaterThan(10 * g.battery.wakeups_per_min.p50);
    const joules = estimateEnergy({ cpuSeconds: 0, wakeups: on.laptops[0]!.produced, radioBytes: 0, transmissions: 0 }).joules;
    expect(joules).toBeGreaterThan(0);
  });

  it('counts only the moves that survive a move cap at the source, over blocks in order', () => {
    // 2 s of a 125 Hz pointer, a click every 25th event, cut into uneven blocks.
    const b = allocateBlock(250);
    for (let i = 0; i < 250; i++) {
      b.t_ms[i] = 8 * i;
      b.type[i] = i % 25 === 24 ? EventType.mousedown : EventType.mousemove;
    }
    const capped = new DeliveredKinds({ sourceMoveRateHz: 30, inputReadIntervalMs: 0 });
    const all = new DeliveredKinds();
    for (const [from, to] of [
      [0, 7],
      [7, 100],
      [100, 101],
      [101, 250],
    ] as const) {
      capped.add(sliceBlock(b, from, to));
      all.add(sliceBlock(b, from, to));
    }
    expect(all.delivered()).toEqual(countEventKinds(b));
    expect(capped.produced).toEqual(countEventKinds(b));
    expect(capped.delivered()).toEqual(countEventKinds(capMoveRate(b, 30).events));
    expect(capped.movesRemoved).toBeGreaterThan(100);
  });

  it('in virtual time, agent.sourceMoveRateHz takes the merged moves out of the delivery term: reads and events for a reader woken per event, events only for a batched one', async () => {
    const base: FleetRunOptions = {
      seed: 'delivery-cap',
      employees: 2,
      days: 1,
      startDate: '2026-03-03',
      population: DEFAULT_POPULATION_PARAMS,
      behaviour: DEFAULT_BEHAVIOUR_PARAMS,
      rules: DEFAULT_POLICY_RULES,
      agent: DEFAULT_AGENT_CONFIG,
      transport: { kind: 'null' },
      workers: 0,
      energy: {
        ...DEFAULT_ENERGY_MODEL,
        // A batched read costs more than one woken per event, as measured: each reader gets its own.
        deliveryCpuUsPerRead: 2000,
        deliveryWakeupsPerRead: 3,
        deliveryCpuUsPerUnbatchedRead: 50,
        deliveryWakeupsPerUnbatchedRead: 1,
        deliveryCpuUsPerKeyEvent: 5,
        deliveryCpuUsPerClickEvent: 5,
        deliveryCpuUsPerMoveEvent: 5,
        deliveryCpuUsPerWheelEvent: 5,
        deliveryWakeupsPerEvent: 0,
      },
    };
    const perEvent = { ...DEFAULT_AGENT_CONFIG, inputReadIntervalMs: 0 };
    const uncapped = await runFleet({ ...base, agent: perEvent });
    const capped = await runFleet({ ...base, agent: { ...perEvent, sourceMoveRateHz: 30 } });
    // A reader batched at 1 s pays mostly per read, and a second of moving still has moves after a whole-Hz cap: reads
    // stay but for a few whose timer the cap shifted (a burst's first move is delivered up to 1000/N ms later); the
    // per-event part drops (bench:delivery measured 0.94x).
    const batchedCapped = await runFleet({ ...base, agent: { ...DEFAULT_AGENT_CONFIG, sourceMoveRateHz: 30 } });
    const batched = await runFleet(base);
    for (let i = 0; i < batched.laptops.length; i++) {
      const a = batchedCapped.laptops[i]!;
      const b = batched.laptops[i]!;
      expect(a.delivery_reads).toBeLessThanOrEqual(b.delivery_reads);
      expect(a.delivery_reads).toBeGreaterThanOrEqual(0.99 * b.delivery_reads);
      expect(a.delivery_wakeups).toBeCloseTo(3 * a.delivery_reads, 9);
      const cut = b.delivery_cpu_seconds - a.delivery_cpu_seconds;
      if (b.produced > 0) expect(cut).toBeGreaterThan(0);
      // What the cut is: 2,000 µs per read the shift saved, and 5 µs per removed move (the moves the reader woken per event no longer reads).
      const removedMoves = uncapped.laptops[i]!.delivery_reads - capped.laptops[i]!.delivery_reads;
      expect(cut).toBeCloseTo(((b.delivery_reads - a.delivery_reads) * 2000 + removedMoves * 5) / 1e6, 9);
    }
    let worked = 0;
    for (let i = 0; i < capped.laptops.length; i++) {
      const a = capped.laptops[i]!;
      const b = uncapped.laptops[i]!;
      // The agent saw the same events and did the same with them.
      expect(a.produced).toBe(b.produced);
      expect(a.stored).toBe(b.stored);
      expect(a.radio_bytes).toBe(b.radio_bytes);
      if (b.produced === 0) continue;
      worked++;
      // A read and a wake-up per delivered event: the removed moves are the difference, a large share of the day's events.
      expect(b.delivery_reads).toBe(b.produced);
      expect(a.delivery_wakeups).toBe(a.delivery_reads);
      const removed = b.delivery_reads - a.delivery_reads;
      expect(removed).toBeGreaterThan(0.2 * b.produced);
      expect(a.delivery_cpu_seconds).toBeCloseTo(((b.produced - removed) * 55) / 1e6, 9);
      if (a.days_worked > 0) expect(a.battery_pct_per_day).toBeLessThan(b.battery_pct_per_day);
    }
    expect(worked).toBeGreaterThan(0);
  });

  it('defaults name their source, and a scenario can set them', () => {
    expect(DEFAULT_ENERGY_MODEL.deliverySource).toMatch(/bench:delivery/);
    const s = parseScenario('name: x\nenergy:\n  deliveryCpuUsPerMoveEvent: 12\n  deliverySource: "my laptop, 2026"\n');
    expect(s.energy.deliveryCpuUsPerMoveEvent).toBe(12);
    expect(s.energy.deliveryCpuUsPerKeyEvent).toBe(DEFAULT_ENERGY_MODEL.deliveryCpuUsPerKeyEvent);
    expect(s.energy.deliverySource).toBe('my laptop, 2026');
  });
});
