import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { FLEET_SECRET, spawnServe } from '../ingest/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `fleetsim run` as a child process with no terminal; killed if it outlives the test. */
function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 100_000);
  return new Promise((res) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      res({ code, stdout, stderr });
    }),
  );
}

/**
 * Runs against one long-running service: each run names its laptops with its
 * own device-id prefix, so a second run of the same scenario (same seed, same
 * employee ids) is not refused as duplicates of the first. The prefix is only
 * identity: the simulation (events and their fates) is the same in both.
 */
describe('two runs against one long-running fleetsim serve', () => {
  it('never collide: both balance their ledger, lose nothing and exit 0, with the same simulated events', async () => {
    const serve = await spawnServe(['--store', `sqlite:${join(dir, 'service.db')}`, '--sqlite-sync', 'normal']);
    try {
      const scenario = join(dir, 'shared.yaml');
      writeFileSync(
        scenario,
        `name: shared\nseed: shared\nfleet: { employees: 2 }\ningest: { kind: url, url: "${serve.url}" }\nthresholds: ["ledger.lost == 0", "ingest.errors == 0"]\n`,
      );
      // At the same time, as two people would start them.
      const outs = [join(dir, 'a'), join(dir, 'b')];
      const runs = await Promise.all(
        outs.map((out) => run([scenario, '--fleet-secret', FLEET_SECRET, '--workers', '1', '--quiet', '--json', '--out', out])),
      );
      const summaries = outs.map((out) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')));
      for (const [i, r] of runs.entries()) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const s = summaries[i];
        const l = s.ledger;
        expect(l.produced).toBeGreaterThan(0);
        expect(l.lost).toBe(0);
        expect(l.stored + l.dropped_paused + l.dropped_exempt + l.redacted + l.coalesced + l.spooled + l.lost).toBe(l.produced);
        expect(s.measured.device_id_prefix).toMatch(/^[0-9a-f]{8}-$/);
      }
      expect(summaries[0].measured.device_id_prefix).not.toBe(summaries[1].measured.device_id_prefix);
      // The namespace enters no random stream: the same laptops produced the same events with the same fates.
      expect(summaries[1].ledger).toEqual(summaries[0].ledger);
      expect(summaries[1].yield).toEqual(summaries[0].yield);
    } finally {
      serve.child.kill('SIGTERM');
      await new Promise((res) => serve.child.once('exit', res));
    }
  }, 120_000);

  it("process agents too: each laptop enrolls and uploads under the run's prefix, and the summary names it", async () => {
    const serve = await spawnServe(['--store', `sqlite:${join(dir, 'service-proc.db')}`, '--sqlite-sync', 'normal']);
    try {
      const scenario = join(dir, 'shared-proc.yaml');
      writeFileSync(
        scenario,
        `name: shared-proc\nseed: 1\nfleet: { employees: 1, offices: [{ name: Berlin, timezone: Europe/Berlin }] }\nagent: { kind: process, input: tap }\n` +
          `simulation:\n  speed: 1\n  window: { day: 1, at: "10:00", durationMinutes: 0.2 }\ningest: { kind: url, url: "${serve.url}" }\nthresholds: ["ledger.lost == 0"]\n`,
      );
      const out = join(dir, 'proc');
      const r = await run([scenario, '--fleet-secret', FLEET_SECRET, '--quiet', '--json', '--out', out]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(s.measured.device_id_prefix).toMatch(/^[0-9a-f]{8}-$/);
      expect(s.ledger.lost).toBe(0);
      expect(s.ledger.stored).toBeGreaterThan(0);
    } finally {
      serve.child.kill('SIGTERM');
      await new Promise((res) => serve.child.once('exit', res));
    }
  }, 120_000);
});
