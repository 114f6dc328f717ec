import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, fleetsim } from '../helpers/cli.js';

const LOAD = ['load', '--target', 'http://127.0.0.1:9', '--scenario', resolve(ROOT, 'scenarios/quickstart.yaml'), '--fleet-secret', 'x'];

// Bad input to `fleetsim load` is refused before any work (exit 2) by a message that names the flag and what it takes.
describe('fleetsim load usage errors name the flag and what is allowed', () => {
  it.each([
    [['--duration', '-5s'], /--duration must be a duration like 30s, 5m or 1h between 1 ms and 21600 s, got "-5s"/],
    [['--grace', '-1s'], /--grace must be a duration like 30s, 5m or 1h between 0 ms and 3600 s, got "-1s"/],
    [['--timeout', '-2s'], /--timeout must be a duration .* got "-2s"/],
    [['--profile', 'ramp', '--ramp-step', '-1s'], /--ramp-step must be a duration .* got "-1s"/],
  ])('a negative duration %j is refused by name', (args, message) => {
    const r = fleetsim([...LOAD, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/unexpected argument/);
  });

  it('an unknown --threshold metric lists the metric paths a load run has, not an internal name', () => {
    const r = fleetsim([...LOAD, '--threshold', 'latency.upload.p98_ms < 5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown metric "latency.upload.p98_ms"/);
    expect(r.stderr).toMatch(
      /allowed: latency\.all\.\{p50_ms, p90_ms, p99_ms, p999_ms, max_ms\}, .*errors\.\{total, rate\}, .*ramp\.knee_rate_per_s/,
    );
    expect(r.stderr).not.toMatch(/METRIC_PATHS/);
  });

  it('--help says --slo-error-rate fails any run, not only ramps', () => {
    const help = fleetsim(['load', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--slo-error-rate Largest acceptable share of failed uploads: a ramp judges each step by it; any other run/);
  });
});
