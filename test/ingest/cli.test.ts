import { describe, expect, it } from 'vitest';
import { fleetsim } from '../helpers/cli.js';
import { FLEET_SECRET, enroll, makeBatch, request, spawnServe, tempDir, upload } from './helpers.js';

describe('fleetsim serve', () => {
  it('documents its flags and endpoints in --help', () => {
    const r = fleetsim(['serve', '--help']);
    expect(r.code).toBe(0);
    for (const s of [
      '--port',
      '--store',
      '--fleet-secret',
      '--sqlite-sync',
      '--max-body-bytes',
      '--rate-per-device',
      'POST /v1/batches',
      '/metrics',
      'postgres://',
      '/v1/devices/ID/reinstate',
      'timezone',
      '--decode-threads',
      '--admin-secret',
      '--previous-fleet-secret',
      'AUTH_ALREADY_ENROLLED',
      '/readyz                     200 while the store can take writes',
    ]) {
      expect(r.stdout).toContain(s);
    }
  });

  it('says what is wrong with a bad store URL or a missing fleet secret, with exit code 2', () => {
    const bad = fleetsim(['serve', '--port', '0', '--store', 'mysql://x', '--fleet-secret', FLEET_SECRET]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/use sqlite:FILE .* or postgres:\/\//);
    const noSecret = fleetsim(['serve', '--port', '0']);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('--fleet-secret');
    const threads = fleetsim(['serve', '--port', '0', '--fleet-secret', FLEET_SECRET, '--decode-threads', '-1']);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain('--decode-threads must be a whole number from 0 to 64, got -1');
    // A flag without its value is an error, not 0.
    const empty = fleetsim(['serve', '--port', '0', '--fleet-secret', FLEET_SECRET, '--decode-threads']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--decode-threads needs a value');
  });

  it('refuses an admin secret that is a fleet secret, and a short previous fleet secret, with exit code 2', () => {
    const same = fleetsim(['serve', '--port', '0', '--fleet-secret', FLEET_SECRET, '--admin-secret', FLEET_SECRET]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain('--admin-secret must differ from the fleet secrets');
    const short = fleetsim(['serve', '--port', '0', '--fleet-secret', FLEET_SECRET, '--previous-fleet-secret', 'short']);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('--previous-fleet-secret (or $FLEETSIM_PREVIOUS_FLEET_SECRET) must be at least 16 characters');
  });

  it('serves uploads on the port it prints, with the store it was given, and stops on SIGTERM', async () => {
    const tmp = tempDir();
    const srv = await spawnServe(['--store', `sqlite:${tmp.dir}/cli.db`, '--decode-threads', '2']);
    try {
      expect(srv.output()).toContain('2 decode threads');
      const d = await enroll(srv.url, 'cli-laptop');
      const r = await upload(srv.url, d, makeBatch({ deviceId: d.deviceId, sequence: 0, startMs: Date.now() - 60_000 }).body, Date.now());
      expect(r.json.status).toBe('stored');
      expect((await request(srv.url, { method: 'GET', path: '/readyz' })).status).toBe(200);
    } finally {
      const exit = new Promise((r) => srv.child.once('exit', r));
      srv.child.kill('SIGTERM');
      expect(await exit).toBe(0);
      tmp.cleanup();
    }
  });
});
