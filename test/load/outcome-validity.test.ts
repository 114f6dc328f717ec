import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/errors.js';
import { CLI } from '../helpers/cli.js';
import { rawAnswerServer } from '../helpers/raw-server.js';
import { FLEET_SECRET, loadOptions, runLoad, smallScenario, writeCorpus } from './helpers.js';

/** The CLI as a child process, without blocking this process (its servers answer it). */
function fleetsim(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code: code ?? -1, stderr });
    });
  });
}

describe('fleetsim load judges validity on outcomes', () => {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>>;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
  });
  afterAll(() => corpus?.cleanup());

  it('calls a run against a target that refuses every upload invalid, however fast it refuses', async () => {
    // Answers every enrollment, then 401 to every upload, at once: the fastest target there is.
    const srv = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/v1/enroll') {
          const body = JSON.stringify({ device_id: 'x', key: '00'.repeat(32) });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
        } else res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":"AUTH_BAD_SIGNATURE","message":"no"}');
      });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const r = await runLoad(loadOptions(s, url, corpus.dir, { rateOverridePerS: 50, durationMs: 1000 }));
      expect(r.requests.accepted).toBe(0);
      expect(r.valid).toBe(false);
      expect(r.target_failed).toBe(true);
      expect(r.invalid_reasons.join(' ')).toMatch(/uploads failed \(error rate 1 > 0\.01/);
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });

  it('calls a run whose answers cannot be read a failed run, not a pass', async () => {
    // Enrollment answers properly; every upload gets a 2xx-looking answer whose status line does not parse.
    const srv = await rawAnswerServer((head) => {
      if (head.startsWith('POST /v1/enroll')) {
        const body = JSON.stringify({ device_id: 'x', key: '00'.repeat(32) });
        return `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`;
      }
      return 'HTTP/1.1 2x0 OK\r\ncontent-length: 0\r\n\r\n';
    });
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-load-failed-'));
    try {
      const r = await runLoad(loadOptions(s, `http://127.0.0.1:${srv.port}`, corpus.dir, { rateOverridePerS: 20, durationMs: 1000 }));
      expect(r.requests.accepted).toBe(0);
      expect(r.target_failed).toBe(true);
      expect(r.invalid_reasons.join(' ')).toMatch(/answers? could not be read/);
      // The CLI: a failed run has its own exit code (5), not 0, not the generator's 3.
      const file = join(dir, 'scenario.json');
      writeFileSync(
        file,
        JSON.stringify({
          name: 'load-test',
          seed: 'load-test',
          fleet: { employees: 8 },
          simulation: { days: 1, startDate: '2026-03-02', speed: 'max' },
          transport: 'corpus',
        }),
      );
      const cli = await fleetsim([
        'load',
        '--target',
        `http://127.0.0.1:${srv.port}`,
        '--scenario',
        file,
        '--corpus',
        corpus.dir,
        '--fleet-secret',
        FLEET_SECRET,
        '--rate',
        '20',
        '--duration',
        '1s',
        '--laptops',
        '8',
        '--workers',
        '0',
        '--quiet',
        '--out',
        join(dir, 'report'),
      ]);
      expect(cli.stderr).toMatch(/the target failed the run: .*could not be read/);
      expect(cli.code).toBe(EXIT_CODES.loadTargetFailed);
      expect(EXIT_CODES.loadTargetFailed).toBe(5);
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
