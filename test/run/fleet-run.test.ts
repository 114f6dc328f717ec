import { readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENERGY_MODEL } from '../../src/metrics/energy.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { computeRunFigures, runFleet, type FleetRunOptions, type LaptopRow } from '../../src/run/index.js';
import { fleetOptions } from '../helpers/fleet.js';

const base: FleetRunOptions = fleetOptions({ seed: 'fleet-run', employees: 8 });

/** Everything but what is measured on this machine (CPU time and the battery figure built on it). */
function simulated(rows: readonly LaptopRow[]) {
  return rows.map(({ agent_cpu_seconds: _c, battery_pct_per_day: _b, ...rest }) => rest);
}

describe('running a fleet through the agent', () => {
  it('balances the ledger and gives the same simulated figures for 1 worker, 2 workers and in-thread', async () => {
    const inline = await runFleet(base);
    const one = await runFleet({ ...base, workers: 1 });
    const two = await runFleet({ ...base, workers: 2, shardSize: 1 });
    expect(ledgerImbalance(inline.ledger)).toBe(0);
    expect(simulated(one.laptops)).toEqual(simulated(inline.laptops));
    expect(simulated(two.laptops)).toEqual(simulated(inline.laptops));
    expect(two.ledger).toEqual(inline.ledger);
    expect(two.hours).toEqual(inline.hours);
  });

  it('two shards (--shard 0/2 and 1/2) add up to the whole run', async () => {
    const whole = await runFleet({ ...base, shardSize: 2 });
    const a = await runFleet({ ...base, shardSize: 2, shard: { index: 0, count: 2 } });
    const b = await runFleet({ ...base, shardSize: 2, shard: { index: 1, count: 2 } });
    const merged = [...a.laptops, ...b.laptops].sort((x, y) => x.employee_id.localeCompare(y.employee_id));
    expect(simulated(merged)).toEqual(simulated(whole.laptops));
    expect(a.ledger.produced + b.ledger.produced).toBe(whole.ledger.produced);
  });

  it('gives a shard the same employees whatever the worker count of the machine that runs it', async () => {
    // Machines of a cluster differ in cores, and --workers sets the default slice size: shards run with different
    // slice sizes must still cover the fleet exactly once.
    const ids = (r: { laptops: readonly LaptopRow[] }) => r.laptops.map((l) => l.employee_id).sort();
    const planned = [0, 1, 2].map((index) => ({ index, count: 3 }));
    const run = (shardSize: number | undefined) =>
      Promise.all(planned.map((shard) => runFleet({ ...base, employees: 10, shard, ...(shardSize ? { shardSize } : {}) }).then(ids)));
    const oneSlice = await run(undefined);
    const slicesOfOne = await run(1);
    expect(slicesOfOne).toEqual(oneSlice);
    expect(oneSlice.map((x) => x.length)).toEqual([3, 3, 4]);
    expect(new Set(oneSlice.flat()).size).toBe(10);
  });

  it('reports no leaked canary, a yield below 1 and every event stored or otherwise accounted for', async () => {
    const r = await runFleet(base);
    const f = computeRunFigures(r, DEFAULT_ENERGY_MODEL.batteryWh);
    expect(f.leaks.canaries_planted).toBeGreaterThan(0);
    expect(f.leaks.canaries).toBe(0);
    expect(f.yield.overall).toBeGreaterThan(0.5);
    expect(f.yield.overall).toBeLessThanOrEqual(1);
    expect(f.yield.stored_share).toBeLessThan(f.yield.overall);
    expect(r.ledger.lost).toBe(0);
    expect(f.bandwidth.mb_per_laptop_day.p50).toBeLessThan(1);
    // Stored per hour (decoded from accepted bodies) adds up to what the agents say was stored.
    const accepted = Object.values(r.hours).reduce((a, h) => a + h.accepted, 0);
    expect(accepted).toBe(r.ledger.stored + r.ledger.redacted);
  });

  it('writes every accepted body to a corpus with the corpus transport', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-corpus-'));
    const r = await runFleet({ ...base, employees: 2, transport: { kind: 'corpus', dir } });
    const files = readdirSync(dir);
    expect(files.length).toBe(r.laptops.reduce((a, l) => a + l.batches, 0));
    expect(files.every((f) => /^E\d{6}\.\d{6}\.(br|gzip|zstd|identity)$/.test(f))).toBe(true);
  });
});
