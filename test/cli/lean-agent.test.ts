/**
 * `fleetsim agent` runs on every laptop of a measured fleet: its process must
 * not load the simulator's modules. Measured on an idle agent over a tap: the
 * whole CLI and the scenario loader took its heap from 8 to 21 MB after GC,
 * and its RSS from 75 to about 110 MB. These tests watch which modules the
 * built CLI loads (a module loader hook logs every URL) and fail when a
 * command pulls heavy machinery back in.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentSettingsJson } from '../../src/agent-process/index.js';
import { loadScenarioFile } from '../../src/scenario/index.js';
import { CLI, ROOT } from '../helpers/cli.js';

/** What the agent does not need: the other commands' machinery and the packages only they use. */
const HEAVY = [
  /\/dist\/src\/(run|ingest|load|sweep|compare|verify|report|generate|population|behaviour|targets|pool|observe)\//,
  // The scenario loader (its did-you-mean helper, which the CLI's flag messages use, is small).
  /\/dist\/src\/scenario\/(?!suggest\.js$)/,
  /\/node_modules\/(zod|yaml|@faker-js|@opentelemetry|piscina|better-sqlite3|pg|csv-stringify|autocannon)\//,
];

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fleetsim-lean-'));
  writeFileSync(
    join(dir, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\nlet log;\nexport function initialize(data) { log = data.log; }\n" +
      "export async function load(url, context, next) { appendFileSync(log, url + '\\n'); return next(url, context); }\n",
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    "import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url), { data: { log: process.env.FLEETSIM_TEST_LOADED } });\n",
  );
  writeFileSync(join(dir, 'settings.json'), agentSettingsJson(loadScenarioFile(join(ROOT, 'scenarios/process-fleet.yaml'))));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI with the hook; returns its exit code, stderr and the URLs of every module it loaded. */
function loadedBy(name: string, args: readonly string[]): { code: number | null; stderr: string; loaded: string[] } {
  const log = join(dir, `${name}.log`);
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', join(dir, 'register.mjs'), CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, FLEETSIM_TEST_LOADED: log, FLEETSIM_FLEET_SECRET: 'a-fleet-secret-of-16+' },
  });
  return { code: r.status, stderr: r.stderr, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const heavyIn = (loaded: readonly string[]) => loaded.filter((u) => HEAVY.some((h) => h.test(u)));

describe('the agent process loads only what the agent needs', () => {
  it('fleetsim agent --settings, up to enrolling, loads the agent and no simulator, scenario loader, zod, yaml or faker', () => {
    const r = loadedBy('agent', [
      'agent',
      '--url=http://127.0.0.1:9',
      '--device-id=d-1',
      '--input=tap',
      `--tap-socket=${join(dir, 'none.tap')}`,
      `--settings=${join(dir, 'settings.json')}`,
    ]);
    // Exit 3: nothing listens on port 9, so it stopped at enrolling, with every module of the agent's start loaded.
    expect(r.stderr).toMatch(/could not enroll d-1/);
    expect(r.code).toBe(3);
    expect(r.loaded.some((u) => u.endsWith('/dist/src/agent-process/run.js'))).toBe(true);
    expect(r.loaded.some((u) => u.endsWith('/dist/src/agent/index.js'))).toBe(true);
    expect(heavyIn(r.loaded)).toEqual([]);
    // An agent on a tap never carries the X11 capture (it loads with --input x11 only).
    expect(r.loaded.filter((u) => /\/dist\/src\/input\/x11\/|\/node_modules\/x11\//.test(u))).toEqual([]);
  });

  it('fleetsim agent --scenario still works for a user, loading the scenario loader only then', () => {
    const r = loadedBy('agent-scenario', [
      'agent',
      '--url=http://127.0.0.1:9',
      '--device-id=d-1',
      '--input=tap',
      `--tap-socket=${join(dir, 'none.tap')}`,
      `--scenario=${join(ROOT, 'scenarios/process-fleet.yaml')}`,
    ]);
    expect(r.code).toBe(3);
    expect(r.loaded.some((u) => u.endsWith('/dist/src/scenario/load.js'))).toBe(true);
    expect(r.loaded.some((u) => /\/dist\/src\/(run|ingest|report)\//.test(u))).toBe(false);
  });

  it('fleetsim --help lists every command without loading any command module', () => {
    const r = loadedBy('help', ['--help']);
    expect(r.code).toBe(0);
    const commandModules = r.loaded.filter((u) => /\/dist\/src\/cli\/commands\//.test(u) && !u.endsWith('/catalogue.js'));
    expect(commandModules).toEqual([]);
    expect(heavyIn(r.loaded)).toEqual([]);
  });
});
