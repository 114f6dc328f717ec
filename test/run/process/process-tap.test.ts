import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fleetsimAsync, scenario } from './helpers.js';

describe('fleetsim run with process agents over the tap', () => {
  it('runs the reference agent over the tap into the embedded ingest: ledger balanced, canaries scanned in the store, observer figures consistent with the agent’s own /proc view', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    const out = join(dir, 'out');
    const thresholds = 'thresholds:\n  - "process.cpu_s_per_hour.p50 > 0"\n  - "process.injection.max_ms < 60000"\n';
    const r = await fleetsimAsync(['run', scenario(dir, 'agent: { kind: process, input: tap }', thresholds), '--out', out, '--json']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const f = summary;
    const p = f.process;
    expect(p.agent).toBe('reference');
    expect(p.input).toBe('tap');
    expect(p.laptops).toHaveLength(2);
    expect(p.ledger_balanced).toBe(true);
    // Every injected event reached the agent, and ended in exactly one fate.
    expect(p.fleet.received).toBe(p.fleet.injected);
    expect(p.fleet.injected).toBeGreaterThan(300);
    expect(f.ledger.produced).toBe(p.fleet.injected);
    // Rows carry the agent's own count of its reads (batched: far fewer than events); the delivery cost is inside the measurement.
    const rows = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).result.laptops as {
      produced: number;
      delivery_reads: number;
      delivery_cpu_seconds: number;
    }[];
    for (const row of rows) {
      expect(row.delivery_reads).toBeGreaterThan(0);
      expect(row.delivery_reads).toBeLessThan(row.produced / 3);
      expect(row.delivery_cpu_seconds).toBe(0);
    }
    expect(
      f.ledger.stored +
        f.ledger.coalesced +
        f.ledger.redacted +
        f.ledger.dropped_paused +
        f.ledger.dropped_exempt +
        f.ledger.spooled +
        f.ledger.lost,
    ).toBe(f.ledger.produced);
    expect(f.ledger.stored).toBeGreaterThan(0);
    expect(f.ledger.lost).toBe(0);
    // What the agents report as stored is what the store holds.
    expect(f.ingest.acknowledged_missing).toBe(0);
    // Freshness on the real clock, from the agent process's own histogram: every acknowledged event, within the run.
    expect(f.freshness.events).toBe(f.ledger.stored + f.ledger.redacted);
    expect(f.freshness.p50_s).toBeGreaterThan(0);
    expect(f.freshness.max_s).toBeLessThan(60);
    expect(f.agent).toMatchObject({ agent: 'reference (process)', codec: 'br' });
    expect(f.leaks.scanned).toBe('ingest store');
    expect(f.leaks.canaries).toBe(0);
    for (const l of p.laptops) {
      const stats = JSON.parse(readFileSync(join(out, 'agents', l.employee_id, 'stats.json'), 'utf8'));
      expect(stats.stop_reason).toBe('SIGTERM');
      expect(l.exited_on_sigterm).toBe(true);
      // The observer watched the window only (not start-up or the final drain); the agent's own getrusage covers its whole life.
      const ownCpu = (stats.process.cpu_user_us + stats.process.cpu_system_us) / 1e6;
      expect(l.cpu_seconds).toBeGreaterThan(0);
      expect(l.cpu_seconds).toBeLessThanOrEqual(ownCpu + 0.02);
      expect(l.wakeups).toBeLessThanOrEqual(stats.process.voluntary_context_switches + 5);
      // VmHWM and getrusage's maxrss are the same peak, read two ways (±15 %: the last sample can precede the drain).
      expect(l.rss_peak_mb * 1e3).toBeGreaterThan(stats.process.max_rss_kb * 0.85 * 1.024);
      expect(l.rss_peak_mb * 1e3).toBeLessThan(stats.process.max_rss_kb * 1.15 * 1.024);
      // The window is 20 s; a slow start skips its first seconds rather than injecting late.
      expect(l.observed_seconds).toBeGreaterThan(5);
      expect(l.observed_seconds).toBeLessThan(30);
      // HDR percentiles are bucketed: p99 may read a hair above the exact max.
      expect(l.injection_max_ms).toBeGreaterThanOrEqual(l.injection_p99_ms * 0.99);
    }
    expect(p.cpu_s_per_hour.p50).toBeGreaterThan(0);
    expect(p.battery_pct_per_day.p50).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/"process":\{"agent":"reference"/);
    // Thresholds read the process figures like any other.
    expect(summary.thresholds).toHaveLength(2);
    expect(summary.thresholds.every((t: { pass: boolean; actual: number | null }) => t.pass && t.actual !== null)).toBe(true);
  }, 60_000);

  it('with agent.sourceMoveRateHz the tap delivers fewer moves; the merged ones are produced and coalesced, and the ledger still balances', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    const out = join(dir, 'out');
    const r = await fleetsimAsync([
      'run',
      scenario(dir, 'agent: { kind: process, input: tap, sourceMoveRateHz: 30, settleSeconds: 3 }'),
      '--out',
      out,
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const f = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const p = f.process;
    expect(p.source_move_rate_hz).toBe(30);
    // Each agent ran the settle time before the window opened (its start on its own clock, which reads the window's time).
    expect(p.settle_seconds).toBe(3);
    for (const l of p.laptops) {
      const stats = JSON.parse(readFileSync(join(out, 'agents', l.employee_id, 'stats.json'), 'utf8'));
      expect(stats.started_ms).toBeLessThanOrEqual(Date.parse(p.virtual_start_utc) - 3000);
    }
    expect(p.ledger_balanced).toBe(true);
    expect(p.fleet.received).toBe(p.fleet.injected);
    expect(p.fleet.source_moves_coalesced).toBeGreaterThan(0);
    expect(p.fleet.source_moves_coalesced_share).toBeGreaterThan(0.3);
    expect(f.ledger.produced).toBe(p.fleet.injected + p.fleet.source_moves_coalesced);
    expect(f.ledger.coalesced).toBeGreaterThanOrEqual(p.fleet.source_moves_coalesced);
    expect(f.ledger.lost).toBe(0);
    expect(f.scenario_resolved.agent.sourceMoveRateHz).toBe(30);
    expect(p.laptops.reduce((a: number, l: { source_moves_coalesced: number }) => a + l.source_moves_coalesced, 0)).toBe(
      p.fleet.source_moves_coalesced,
    );
  }, 60_000);

  it('measures a foreign agent (a few lines of node that read the tap and POST what they read) against the blackhole, with the same observer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-'));
    const out = join(dir, 'out');
    // Reads the tap's 32-byte records and POSTs every 64 of them, raw, to the upload URL: no fleetsim protocol at all.
    const program = [
      "const net = require('net'), http = require('http');",
      'let buf = Buffer.alloc(0);',
      'const post = (b) => { const r = http.request(process.argv[2], { method: "POST" }); r.on("error", () => 0); r.end(b); };',
      'net.connect(process.argv[1]).on("data", (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 16 + 64 * 32) { post(buf); buf = Buffer.alloc(0); } });',
      'process.on("SIGTERM", () => { if (buf.length) post(buf); setTimeout(() => process.exit(0), 200); });',
    ].join(' ');
    const agent = `agent:\n  kind: process\n  command: ${JSON.stringify(['node', '-e', program, '{tapSocket}', '{uploadUrl}'])}\ningest: { kind: blackhole, status: 202 }`;
    const r = await fleetsimAsync(['run', scenario(dir, agent), '--out', out, '--json']);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.code).toBe(0);
    const p = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).process;
    expect(p.agent).toBe('node');
    expect(p.ingest).toBe('blackhole');
    // No ledger to balance: the agent keeps none.
    expect(p.ledger_balanced).toBeNull();
    expect(p.fleet.received).toBeNull();
    expect(p.fleet.injected).toBeGreaterThan(300);
    // What it posted is what it read: 32 bytes per event (and a hello) over 64 events per request.
    expect(p.fleet.uploads).toBeGreaterThanOrEqual(Math.floor(p.fleet.injected / 64));
    expect(p.fleet.bytes).toBeGreaterThan(32 * p.fleet.injected);
    for (const l of p.laptops) {
      expect(l.cpu_seconds).toBeGreaterThan(0);
      expect(l.wakeups).toBeGreaterThan(0);
      expect(l.rss_peak_mb).toBeGreaterThan(10);
      expect(l.processes).toBe(1);
    }
  }, 60_000);
});
