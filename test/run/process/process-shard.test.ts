import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmployee } from '../../../src/population/index.js';
import { loadScenarioFile } from '../../../src/scenario/index.js';
import { fleetsimAsync } from './helpers.js';

interface MeasuredLaptop {
  employee_id: string;
  injected: number;
  received: number;
  cpu_seconds: number;
  cpu_s_per_hour: number;
  wakeups: number;
  wakeups_per_active_min: number;
  rss_peak_mb: number;
  bytes: number;
  bytes_per_hour: number;
  uploads: number;
  battery_pct_per_day: number;
  ledger_imbalance: number;
  exited_on_sigterm: boolean;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('fleetsim run --shard K/N and fleetsim merge with process agents', () => {
  it('runs 4 laptops as two concurrent shards of 2 over the tap, and the merge holds every laptop’s measurements, a balanced ledger and the store scans of both shards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-shard-'));
    dirs.push(dir);
    // 12 s at 09:30 Berlin: three of seed 1's four laptops have input then, the fourth idles (and is measured all the same). Relative paths, as a Job's command line has them.
    writeFileSync(
      join(dir, 'scenario.yaml'),
      'name: proc-shard\nseed: 1\nfleet: { employees: 4, offices: [{ name: Berlin, timezone: Europe/Berlin }] }\nagent: { kind: process, input: tap }\nsimulation:\n  speed: 1\n  window: { day: 1, at: "09:30", durationMinutes: 0.2 }\noutputs: { dir: reports, html: false, csv: true }\n',
    );
    const [a, b] = await Promise.all(
      [0, 1].map((k) =>
        fleetsimAsync(['run', 'scenario.yaml', '--shard', `${k}/2`, '--out', `shard-${k}`, '--json'], { cwd: dir, timeoutMs: 90_000 }),
      ),
    );
    for (const r of [a!, b!]) {
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.code).toBe(0);
    }
    const shard = [0, 1].map((k) => JSON.parse(readFileSync(join(dir, `shard-${k}`, 'summary.json'), 'utf8')));
    const m = await fleetsimAsync(['merge', 'shard-0', 'shard-1', '--out', 'merged'], { cwd: dir, timeoutMs: 30_000 });
    expect(m.stderr).toBe('');
    expect(m.code).toBe(0);
    expect(m.stdout).toMatch(/merged 2 shard reports: 4 laptops/);
    const merged = JSON.parse(readFileSync(join(dir, 'merged', 'summary.json'), 'utf8'));
    const p = merged.process;

    // The laptops an unsharded run lists: the scenario's first 4 employees, in fleet order, each once.
    const s = loadScenarioFile(join(dir, 'scenario.yaml'));
    const fleet = [0, 1, 2, 3].map((i) => createEmployee(s.seed, i, s.population));
    expect(p.laptops.map((l: MeasuredLaptop) => l.employee_id)).toEqual(fleet.map((e) => e.id));
    // Shard k ran the k-th of two contiguous blocks of the fleet (pool/shards.ts, shardRange).
    expect(shard[0].process.laptops.map((l: MeasuredLaptop) => l.employee_id)).toEqual([fleet[0]!.id, fleet[1]!.id]);
    expect(shard[1].process.laptops.map((l: MeasuredLaptop) => l.employee_id)).toEqual([fleet[2]!.id, fleet[3]!.id]);
    const csv = readFileSync(join(dir, 'merged', 'laptops.csv'), 'utf8')
      .trim()
      .split('\n');
    const header = csv[0]!.split(',');
    const rows = csv.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i], v])));
    expect(rows.map((r) => [r.employee_id, r.department, r.role, r.office])).toEqual(
      fleet.map((e) => [e.id, e.department, e.role, e.office]),
    );

    // Every laptop's measured figures, exactly as its shard measured them.
    const byId = new Map<string, MeasuredLaptop>(
      [...shard[0].process.laptops, ...shard[1].process.laptops].map((l: MeasuredLaptop) => [l.employee_id, l]),
    );
    for (const l of p.laptops as MeasuredLaptop[]) {
      expect(l).toEqual(byId.get(l.employee_id));
      expect(l.received).toBe(l.injected);
      // Measured for every laptop, idle or not (an idle agent may use less CPU than /proc's 10 ms tick shows).
      for (const k of ['cpu_seconds', 'cpu_s_per_hour', 'wakeups', 'bytes', 'bytes_per_hour', 'battery_pct_per_day'] as const) {
        expect(Number.isFinite(l[k]) && l[k] >= 0, `${l.employee_id} ${k} = ${l[k]}`).toBe(true);
      }
      expect(l.rss_peak_mb).toBeGreaterThan(10);
      if (l.injected > 0) {
        expect(l.cpu_seconds).toBeGreaterThan(0);
        expect(l.cpu_s_per_hour).toBeGreaterThan(0);
        expect(l.wakeups).toBeGreaterThan(0);
        expect(l.wakeups_per_active_min).toBeGreaterThan(0);
        expect(l.battery_pct_per_day).toBeGreaterThan(0);
        // What it captured it flushed on SIGTERM at the latest.
        expect(l.bytes).toBeGreaterThan(0);
        expect(l.bytes_per_hour).toBeGreaterThan(0);
      }
      expect(l.ledger_imbalance).toBe(0);
      expect(l.exited_on_sigterm).toBe(true);
    }
    // A slow start skips the window's first seconds, never a whole laptop's input.
    expect(p.laptops.filter((l: MeasuredLaptop) => l.injected > 0).length).toBeGreaterThanOrEqual(2);
    // The fleet's figures are over all four laptops: sums of the shards', and distributions with 4 values.
    const sum = (k: string) => shard[0].process.fleet[k] + shard[1].process.fleet[k];
    for (const k of ['injected', 'received', 'wakeups', 'uploads', 'bytes']) expect(p.fleet[k]).toBe(sum(k));
    expect(p.fleet.cpu_seconds).toBeCloseTo(sum('cpu_seconds'), 5);
    expect(p.fleet.bytes).toBeGreaterThan(0);
    const cpu = p.laptops.map((l: MeasuredLaptop) => l.cpu_s_per_hour);
    expect(p.cpu_s_per_hour.max).toBeCloseTo(Math.max(...cpu), 2);
    expect(p.cpu_s_per_hour.mean).toBeCloseTo(cpu.reduce((x: number, y: number) => x + y, 0) / 4, 2);
    expect(p.battery_pct_per_day.max).toBeCloseTo(Math.max(...p.laptops.map((l: MeasuredLaptop) => l.battery_pct_per_day)), 2);
    expect(p.injection.injected).toBe(p.fleet.injected);

    // The ledger of the whole run balances, and is the shards' sum.
    const L = merged.ledger;
    expect(p.ledger_balanced).toBe(true);
    expect(L.produced).toBe(p.fleet.injected);
    expect(L.stored + L.coalesced + L.redacted + L.dropped_paused + L.dropped_exempt + L.spooled + L.lost).toBe(L.produced);
    for (const k of Object.keys(L)) expect(L[k]).toBe(shard[0].ledger[k] + shard[1].ledger[k]);
    expect(L.stored).toBeGreaterThan(0);
    // Each shard scanned its own embedded service's store; the merge reports both scans, not the laptops' word for it.
    expect(merged.leaks.scanned).toBe('ingest store');
    expect(merged.leaks.canaries).toBe(0);
    expect(merged.ingest.acknowledged_missing).toBe(0);
    expect(merged.ingest.stored_in_pause_windows).toBe(0);
  }, 120_000);
});
