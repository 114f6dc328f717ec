/**
 * The dependency rule (.dependency-cruiser.cjs) encodes DESIGN.md's layer order. These tests run
 * the real dependency-cruiser with that configuration on a small tree written to a temp folder,
 * so a rule that stopped reporting upward imports would fail here, not silently in CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');
const { LAYERS } = createRequire(import.meta.url)(CONFIG) as { LAYERS: string[][] };

interface Violation {
  rule: string | undefined;
  from: string | undefined;
  to: string | undefined;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Writes `files` (path → source) to a fresh folder and runs the rule on its src/ and workers/. */
function cruise(files: Record<string, string>): { status: number | null; violations: Violation[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-arch-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const roots = ['src', 'workers'].filter((r) => Object.keys(files).some((p) => p.startsWith(`${r}/`)));
  // The same command and output as `npm run lint`: its exit status is what fails CI.
  const r = spawnSync(DEPCRUISE, [...roots, '--config', CONFIG], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  expect(r.error).toBeUndefined();
  const violations = [...r.stdout.matchAll(/error ([\w-]+): (\S+) →\s+(\S+)/g)].map((m) => ({ rule: m[1], from: m[2], to: m[3] }));
  return { status: r.status, violations };
}

const leaf = 'export const x = 1;\n';

describe('the dependency rule', () => {
  // One fixture tree (one dependency-cruiser run): four kinds of violation beside imports that
  // point down or stay in their layer, which must not be reported.
  const r = cruise({
    // random is a leaf: importing run goes up five layers.
    'src/run/index.ts': leaf,
    'src/random/stream.ts': "import { x } from '../run/index.js';\nexport const y = x;\n",
    // population is below ingest, but the ingest service must not know the synthetic workforce.
    'src/population/offices.ts': leaf,
    'src/ingest/routes/zones.ts': "import { x } from '../../population/offices.js';\nexport const y = x;\n",
    // A thread entry must not import the CLI.
    'src/cli/options.ts': leaf,
    'workers/simulate.ts': "import { x } from '../src/cli/options.js';\nexport const y = x;\n",
    // Two modules of one layer that import each other.
    'src/wire/a.ts': "import { b } from '../auth/b.js';\nexport const a = () => b;\n",
    'src/auth/b.ts': "import { a } from '../wire/a.js';\nexport const b = () => a;\n",
    // Allowed: down (behaviour, agent and report to time and errors), and across a layer (agent -> behaviour).
    'src/time/zones.ts': leaf,
    'src/errors.ts': leaf,
    'src/behaviour/day.ts': "import { x } from '../time/zones.js';\nexport const y = x;\n",
    'src/agent/agent.ts': "import { x } from '../time/zones.js';\nimport { y } from '../behaviour/day.js';\nexport const z = x + y;\n",
    'src/report/html.ts': "import { z } from '../agent/agent.js';\nimport { x } from '../errors.js';\nexport const w = z + x;\n",
  });

  it('fails (exit status not 0) on a tree with violations', () => {
    expect(r.status).not.toBe(0);
  });

  it('reports an upward import (random -> run) under the rule of the leaf layer', () => {
    expect(r.violations.filter((v) => v.from === 'src/random/stream.ts')).toEqual([
      { rule: 'layer-events-random-metrics-time-errors-version-ranges-v8-flags', from: 'src/random/stream.ts', to: 'src/run/index.ts' },
    ]);
  });

  it('reports the ingest service importing the synthetic workforce, though population is below it', () => {
    expect(r.violations.filter((v) => v.from === 'src/ingest/routes/zones.ts')).toEqual([
      { rule: 'ingest-and-agent-not-workforce', from: 'src/ingest/routes/zones.ts', to: 'src/population/offices.ts' },
    ]);
  });

  it('reports a worker entry importing the CLI', () => {
    expect(r.violations.filter((v) => v.from === 'workers/simulate.ts')).toEqual([
      { rule: 'layer-workers', from: 'workers/simulate.ts', to: 'src/cli/options.ts' },
    ]);
  });

  it('reports a cycle between two modules', () => {
    // Reported once, from whichever end of the cycle dependency-cruiser meets first.
    const cycles = r.violations.filter((v) => v.rule === 'no-circular-modules');
    expect(cycles).toHaveLength(1);
    expect([cycles[0]!.from, cycles[0]!.to].sort()).toEqual(['src/auth/b.ts', 'src/wire/a.ts']);
  });

  it('passes imports that point down or stay in their layer', () => {
    const reported = new Set(r.violations.map((v) => v.from));
    for (const f of ['src/behaviour/day.ts', 'src/agent/agent.ts', 'src/report/html.ts']) expect(reported.has(f)).toBe(false);
    expect(r.violations).toHaveLength(4);
  });
});

describe('the layer table', () => {
  it('gives every module under src/ a layer, so a new module must be placed before it can import anything', () => {
    const placed = new Set(LAYERS.flat());
    const modules = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.name.endsWith('.ts'))
      .map((e) => e.name);
    expect(modules.filter((m) => !placed.has(m))).toEqual([]);
  });
});
