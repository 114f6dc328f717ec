/**
 * The image's files, laid out as deploy/Dockerfile's COPY lines lay them out (no daemon
 * here to build the image itself), run fleetsim: --version, the Job's scenario check, and
 * a short process run over the tap whose reference agent starts from that copy.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { contextCopies, finalStage, parseDockerfile } from './dockerfile.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: { fleetsim: string } };
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** /app of the image: the COPY sources at their destinations; node_modules (npm ci in the image) from the checkout. */
function layOut(): string {
  const app = mkdtempSync(join(tmpdir(), 'fleetsim-image-'));
  dirs.push(app);
  for (const c of contextCopies(finalStage(parseDockerfile(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8')).instructions))) {
    for (const s of c.sources) {
      const dest = c.dest.endsWith('/') ? join(app, c.dest, s.split('/').at(-1)!) : join(app, c.dest);
      cpSync(join(ROOT, s), dest, { recursive: true });
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
  return app;
}

describe('the files of the image', () => {
  it('run fleetsim --version, check the Job’s scenario, and run a process agent over the tap from the copy', () => {
    const app = layOut();
    const bin = join(app, pkg.bin.fleetsim);
    const run = (args: string[], timeoutMs = 20_000) => spawnSync(process.execPath, [bin, ...args], { cwd: app, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
    const version = run(['--version']);
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(pkg.version);
    const check = run(['validate', 'scenarios/process-fleet.yaml']);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/ok\s+scenarios\/process-fleet\.yaml/);
    // One laptop, 6 s over the tap into the embedded ingest, reports in the image's writable folder.
    mkdirSync(join(app, 'reports'));
    writeFileSync(
      join(app, 'scenarios', 'tiny.yaml'),
      'name: tiny\nseed: 1\nfleet: { employees: 1, offices: [{ name: Berlin, timezone: Europe/Berlin }] }\nagent: { kind: process, input: tap }\nsimulation:\n  speed: 1\n  window: { day: 1, at: "09:30", durationMinutes: 0.1 }\noutputs: { html: false, csv: false }\n',
    );
    const r = run(['run', 'scenarios/tiny.yaml', '--out', 'reports/tiny', '--json'], 60_000);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const p = JSON.parse(readFileSync(join(app, 'reports', 'tiny', 'summary.json'), 'utf8')).process;
    expect(p.laptops).toHaveLength(1);
    expect(p.ledger_balanced).toBe(true);
    expect(p.laptops[0].exited_on_sigterm).toBe(true);
    const stats = JSON.parse(readFileSync(join(app, 'reports', 'tiny', 'agents', p.laptops[0].employee_id, 'stats.json'), 'utf8'));
    expect(stats.stop_reason).toBe('SIGTERM');
  }, 90_000);
});
