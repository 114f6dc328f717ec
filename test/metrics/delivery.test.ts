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
      deliveryCpuUsPerKeyEvent: 100,
      deliveryCpuUsPerClickEvent: 10,
      deliveryCpuUsPerMoveEvent: 1,
      deliveryCpuUsPerWheelEvent: 1000,
      deliveryWakeupsPerEvent: 0.5,
    };
    expect(deliveryCost(k, c)).toEqual({ cpuSeconds: (200 + 20 + 2 + 1000) / 1e6, wakeups: 3.5 });
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
        deliveryCpuUsPerKeyEvent: 50,
        deliveryCpuUsPerClickEvent: 50,
        deliveryCpuUsPerMoveEvent: 50,
        deliveryCpuUsPerWheelEvent: 50,
        deliveryWakeupsPerEvent: 1,
      },
    };
    const off = await runFleet({
      ...base,
      energy: {
        ...base.energy,
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
      expect(a.delivery_cpu_seconds).toBeCloseTo((a.produced * 50) / 1e6, 9);
      expect(a.delivery_wakeups).toBeCloseTo(a.produced, 6);
      // Wake-ups are counted, not timed: exactly the agent's own plus one per event.
      expect(a.wakeups).toBeCloseTo(b.wakeups + a.produced, 6);
      expect(a.agent_cpu_seconds).toBeGreaterThan(a.delivery_cpu_seconds);
      if (a.days_worked > 0) expect(a.battery_pct_per_day).toBeGreaterThan(b.battery_pct_per_day);
    }
    // A day of ~10^5 events at 50 µs and one wake-up each: seconds of CPU and a visible share of the battery.
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
    const capped = new DeliveredKinds(30);
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

  it('in virtual time, agent.sourceMoveRateHz takes the merged moves out of the delivery term of an agent reading per event only', async () => {
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
        deliveryCpuUsPerKeyEvent: 50,
        deliveryCpuUsPerClickEvent: 50,
        deliveryCpuUsPerMoveEvent: 50,
        deliveryCpuUsPerWheelEvent: 50,
        deliveryWakeupsPerEvent: 1,
      },
    };
    const perEvent = { ...DEFAULT_AGENT_CONFIG, inputReadIntervalMs: 0 };
    const uncapped = await runFleet({ ...base, agent: perEvent });
    const capped = await runFleet({ ...base, agent: { ...perEvent, sourceMoveRateHz: 30 } });
    // A reader batched at 1 s pays per read, not per event: the model leaves its delivery term as it was (bench:delivery measured 0.94x, not the 0.59x that counting fewer events would claim).
    const batchedCapped = await runFleet({ ...base, agent: { ...DEFAULT_AGENT_CONFIG, sourceMoveRateHz: 30 } });
    const batched = await runFleet(base);
    expect(batchedCapped.laptops.map((l) => l.delivery_wakeups)).toEqual(batched.laptops.map((l) => l.delivery_wakeups));
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
      // One wake-up per delivered event: the removed moves are the difference, a large share of the day's events.
      const removed = b.delivery_wakeups - a.delivery_wakeups;
      expect(removed).toBeGreaterThan(0.2 * b.produced);
      expect(a.delivery_cpu_seconds).toBeCloseTo(((b.produced - removed) * 50) / 1e6, 9);
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
