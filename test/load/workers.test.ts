import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bodyWorkers, BODY_CHUNK } from '../../src/load/bodies.js';
import { maxLoadWorkers } from '../../src/load/index.js';
import { ROOT, fleetsim } from '../helpers/cli.js';

const LOAD = ['load', '--target', 'http://127.0.0.1:9', '--scenario', resolve(ROOT, 'scenarios/quickstart.yaml'), '--fleet-secret', 'x'];

// --workers of `fleetsim load`: a range the machine can use, and never more threads than there is work for.
// (What a run announces and reports about them: cli-workers.test.ts.)
describe('fleetsim load --workers', () => {
  it('allows 0 (this thread) up to the cores the process may use, and refuses more by name, value and range', () => {
    const most = availableParallelism();
    expect(maxLoadWorkers()).toBe(most);
    const r = fleetsim([...LOAD, '--workers', '99']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`--workers must be a whole number from 0 to ${most} \\(the CPUs this process may use[^)]*\\), got "99"`),
    );
    expect(fleetsim([...LOAD, '--workers', '-1']).code).toBe(2);
  });

  it('uses no more threads than there are chunks of bodies to prepare', () => {
    expect(bodyWorkers(2, 10)).toBe(1);
    expect(bodyWorkers(2, BODY_CHUNK + 1)).toBe(2);
    expect(bodyWorkers(4, BODY_CHUNK * 10)).toBe(4);
    expect(bodyWorkers(0, 1000)).toBe(0);
  });
});
