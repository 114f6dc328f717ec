import { mkdtempSync as makeTemp, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetsim } from '../helpers/cli.js';

/** Temporary folders of this file, removed when it ends: tests leave nothing behind. */
const made: string[] = [];
const mkdtempSync = (prefix: string): string => {
  const d = makeTemp(prefix);
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('fleetsim CLI', () => {
  it('--help lists the commands and the exit codes', () => {
    const r = fleetsim(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('generate');
    expect(r.stdout).toMatch(/Exit codes: 0 ok, 1 a threshold failed, 2 bad input/);
  });

  it('generate --help documents its flags', () => {
    const r = fleetsim(['generate', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--employees', '--days', '--seed', '--workers', '--trace', '--out']) expect(r.stdout).toContain(flag);
  });

  it('an unknown command is exit code 2 with a hint', () => {
    const r = fleetsim(['genrate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument: genrate|Did you mean generate/);
  });

  it('no command is exit code 2', () => {
    expect(fleetsim([]).code).toBe(2);
  });

  it('an unknown flag is exit code 2 and names the flag', () => {
    const r = fleetsim(['generate', '--employes', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('employes');
  });

  it.each([
    [['--employees', 'abc'], /--employees must be a whole number from 1 to 10000000, got "abc"/],
    [['--employees', '0'], /--employees must be a whole number from 1/],
    [['--days', '2.5'], /--days must be a whole number from 1 to 366, got 2.5/],
    [['--workers', '-1'], /--workers must be a whole number from 0 to 256/],
    [['--start-date', '2026-02-30'], /--start-date must be a calendar date like 2026-03-02, got "2026-02-30"/],
    [['--seed', ''], /--seed must not be empty/],
    [['--seed', 'x'.repeat(201)], /--seed must be a text of 1 to 200 characters, got 201/],
    // A flag without its value would otherwise keep its default silently.
    [['--employees'], /--employees needs a value/],
    [['--days', '--workers', '2'], /--days needs a value/],
    [['--employees='], /--employees needs a value/],
  ])('generate %j is refused with exit code 2 and says what is allowed', (args, message) => {
    const out = mkdtempSync(join(tmpdir(), 'fleetsim-cli-'));
    const r = fleetsim(['generate', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('run --shard counts its progress in the shard’s own laptops, and ends at 100 %', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-cli-'));
    writeFileSync(
      join(dir, 't.yaml'),
      'name: tiny\nseed: 1\nfleet: { employees: 4 }\nsimulation: { days: 1 }\ntransport: "null"\noutputs: { html: false, csv: false }\n',
    );
    const r = fleetsim(['run', join(dir, 't.yaml'), '--shard', '1/2', '--workers', '1', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('run tiny: '));
    const m = /^run tiny: (\d+)\/(\d+) \(100%\)/.exec(lines.at(-1) ?? '');
    expect(m, r.stderr).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    expect(Number(m![2])).toBeLessThan(4);
    expect(r.stdout).toContain(`fleetsim run tiny: ${m![2]} laptops`);
  });

  it('generate writes employees.csv and summary.json and prints a table', () => {
    const out = mkdtempSync(join(tmpdir(), 'fleetsim-gen-'));
    const r = fleetsim(['generate', '-n', '6', '--seed', 'cli', '--workers', '2', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 employees');
    const csv = readFileSync(join(out, 'employees.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(
      /^employee_id,department,role,wpm,keystrokes,clicks,mouse_moves,scrolls,active_minutes,pauses,paused_minutes,exempt_at_enrolment,exempt_at_end,/,
    );
    expect(csv).toHaveLength(7);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.employees).toBe(6);
    expect(summary.events).toBeGreaterThan(0);
  });

  it('generate --json prints one JSON object and nothing else on stdout', () => {
    const out = mkdtempSync(join(tmpdir(), 'fleetsim-json-'));
    const r = fleetsim(['generate', '-n', '2', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.employees).toBe(2);
  });
});
