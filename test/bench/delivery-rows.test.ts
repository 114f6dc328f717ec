/**
 * bench:delivery's --rows: the option rows' keys, picking some of them, and
 * what the fit of the delivery coefficients needs among them. Pure functions:
 * nothing here starts an agent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/index.js';
import { chooseRows, deliveryOptions, fitRowsProblem, selectRows, type RowPlan } from '../../bench/lib/delivery-rows.js';
import { stringFlag } from '../../bench/lib/output.js';
import { ROOT } from '../helpers/cli.js';

/** bench:delivery's defaults: --read-intervals 250,1000,2000,5000, --move-caps 60,30, --x11 1. */
const DEFAULTS: RowPlan = {
  readIntervalsMs: [250, 1000, 2000, 5000],
  moveCapsHz: [60, 30],
  withX11: true,
  defaultReadMs: DEFAULT_AGENT_CONFIG.inputReadIntervalMs,
};
const keys = (plan: RowPlan) => deliveryOptions(plan).map((o) => o.key);

describe('bench:delivery option rows', () => {
  it("lists in bench/delivery.ts's header the keys its default flags make", () => {
    const header = readFileSync(join(ROOT, 'bench/delivery.ts'), 'utf8');
    const listed = /The keys with\s+\* the default flags:\s*\n((?:\s*\*.*\n)+?)\s*\*\s*\n/.exec(header)?.[1];
    expect(listed).toBeDefined();
    const words = listed!
      .replace(/^\s*\*/gm, '')
      .split(',')
      .map((k) => k.trim());
    expect(words).toEqual(keys(DEFAULTS));
  });

  it('gives each row a distinct key that says its path, capture, reader and move cap', () => {
    const options = deliveryOptions(DEFAULTS);
    expect(new Set(options.map((o) => o.key)).size).toBe(options.length);
    const byKey = new Map(options.map((o) => [o.key, o]));
    expect(byKey.get('tap-idle')).toMatchObject({ input: 'tap', idle: true, name: 'tap idle agent (no input)' });
    expect(byKey.get('tap-batched-250ms')).toMatchObject({ input: 'tap', readIntervalMs: 250, name: 'tap, batched reads 250 ms' });
    expect(byKey.get('tap-per-delivery-moves-30hz')).toMatchObject({ readIntervalMs: 0, sourceMoveRateHz: 30 });
    expect(byKey.get('x11-xi2-batched-5000ms')).toMatchObject({ input: 'x11', x11Capture: 'xi2', readIntervalMs: 5000 });
    expect(byKey.get('x11-record-batched-5000ms-moves-60hz')).toMatchObject({ x11Capture: 'record', sourceMoveRateHz: 60 });
    for (const o of options)
      expect(o.key).toMatch(/^(tap|x11)-idle$|^(tap|x11-record|x11-xi2)-(per-delivery|batched-\d+ms)(-moves-\d+hz)?$/);
  });

  it('makes the rows the other flags ask for, each once', () => {
    expect(keys({ ...DEFAULTS, withX11: false }).some((k) => k.startsWith('x11'))).toBe(false);
    expect(keys({ ...DEFAULTS, moveCapsHz: [] }).some((k) => k.includes('moves'))).toBe(false);
    const twice = keys({ ...DEFAULTS, readIntervalsMs: [250, 250, 5000], moveCapsHz: [60, 60], withX11: false });
    expect(twice).toEqual([
      'tap-idle',
      'tap-per-delivery',
      'tap-batched-250ms',
      'tap-batched-5000ms',
      'tap-batched-5000ms-moves-60hz',
      'tap-per-delivery-moves-60hz',
    ]);
  });
});

describe('--rows', () => {
  const all = deliveryOptions(DEFAULTS);
  const pick = (argv: string[]) => selectRows(stringFlag('rows', argv), all).map((o) => o.key);

  it('runs every row when absent, and the rows named, in the order of the table', () => {
    expect(pick([])).toEqual(all.map((o) => o.key));
    expect(pick(['--rows', 'x11-idle, tap-batched-5000ms,tap-idle,tap-idle'])).toEqual(['tap-idle', 'tap-batched-5000ms', 'x11-idle']);
  });

  it('refuses an unknown row, listing the rows these flags make', () => {
    const allowed = all.map((o) => o.key).join(', ');
    expect(() => pick(['--rows', 'tap-idle,tap-batched-5s,x11'])).toThrow(
      `--rows has no row "tap-batched-5s", "x11"; the rows of these flags are: ${allowed}`,
    );
    // The name the table prints is not a key.
    expect(() => pick(['--rows', 'tap idle agent (no input)'])).toThrow(/--rows has no row "tap idle agent \(no input\)"/);
    // A key of other flags: 1000 ms is no read interval here.
    const few = deliveryOptions({ ...DEFAULTS, readIntervalsMs: [5000] });
    expect(() => selectRows('tap-batched-1000ms', few)).toThrow(/has no row "tap-batched-1000ms"; the rows of these flags are: tap-idle, /);
  });

  it('refuses an empty list or a missing value', () => {
    expect(() => pick(['--rows', ' , '])).toThrow(/^--rows takes row keys, comma-separated; the rows of these flags are: tap-idle, /);
    expect(() => pick(['--rows'])).toThrow('--rows takes a value');
    expect(() => pick(['--rows', '--json'])).toThrow('--rows takes a value');
  });

  it('refuses --rows with --options 0, and --energy-yaml with rows the fit cannot use, before measuring', () => {
    expect(() => chooseRows({ rows: 'tap-idle', withOptions: false, energyYaml: false }, DEFAULTS)).toThrow(
      '--rows picks rows of the options table, which --options 0 leaves out',
    );
    expect(chooseRows({ rows: undefined, withOptions: false, energyYaml: true }, DEFAULTS)).toEqual({
      all: [],
      chosen: [],
      fitProblem: null,
    });
    expect(() => chooseRows({ rows: 'tap-idle,tap-batched-5000ms', withOptions: true, energyYaml: true }, DEFAULTS)).toThrow(
      '--energy-yaml writes fitted coefficients, and the fit takes tap-idle and 2 or more of tap-batched-5000ms, ' +
        'tap-batched-5000ms-moves-60hz, tap-batched-5000ms-moves-30hz (--rows tap-idle,tap-batched-5000ms)',
    );
    const ok = chooseRows(
      { rows: 'tap-idle,tap-batched-5000ms,tap-batched-5000ms-moves-30hz', withOptions: true, energyYaml: true },
      DEFAULTS,
    );
    expect(ok.chosen.map((o) => o.key)).toEqual(['tap-idle', 'tap-batched-5000ms', 'tap-batched-5000ms-moves-30hz']);
    expect(ok.fitProblem).toBeNull();
    // Without --energy-yaml the rows run, and the fit is reported as not measured.
    expect(chooseRows({ rows: 'x11-idle', withOptions: true, energyYaml: false }, DEFAULTS).fitProblem).toMatch(/^the fit takes tap-idle/);
  });
});

describe('what the fit needs among the rows', () => {
  const all = deliveryOptions(DEFAULTS);
  const only = (...ks: string[]) => all.filter((o) => ks.includes(o.key));
  const d = DEFAULTS.defaultReadMs;

  it('the idle agent and two batched tap rows at the default interval', () => {
    expect(fitRowsProblem(all, all, d)).toBeNull();
    expect(fitRowsProblem(only('tap-idle', 'tap-batched-5000ms', 'tap-batched-5000ms-moves-60hz'), all, d)).toBeNull();
    expect(fitRowsProblem(only('tap-batched-5000ms', 'tap-batched-5000ms-moves-60hz'), all, d)).toMatch(/^the fit takes tap-idle and/);
    // Rows at other intervals, or read per delivery, are not the default reader's.
    expect(fitRowsProblem(only('tap-idle', 'tap-batched-5000ms', 'tap-batched-1000ms', 'tap-per-delivery-moves-60hz'), all, d)).toMatch(
      /^the fit takes tap-idle and 2 or more of tap-batched-5000ms, /,
    );
  });

  it('says when the flags themselves leave too few rows (--move-caps 0)', () => {
    const uncapped = deliveryOptions({ ...DEFAULTS, moveCapsHz: [] });
    expect(fitRowsProblem(uncapped, uncapped, d)).toBe(
      'the fit takes 2 or more batched tap rows at the default interval, and these flags make 1 (tap-batched-5000ms; --move-caps adds them)',
    );
  });
});
