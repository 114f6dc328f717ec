/**
 * The option rows of bench:delivery and how a person picks some of them
 * (--rows): each row has a short key made from its settings, which the table
 * prints beside the row's name (the names hold commas and spaces, so they are
 * awkward to type in a comma-separated list). A key says the same thing
 * whichever other rows run, so a note can quote it and a later run reuse it.
 */
import { BenchFlagError } from './output.js';
import type { DeliveryOption } from './delivery-options.js';

/** What the table's rows are made from: bench:delivery's flags and the agent's default reader. */
export interface RowPlan {
  /** --read-intervals, the default reader's interval among them. */
  readonly readIntervalsMs: readonly number[];
  /** --move-caps without the 0 (none). */
  readonly moveCapsHz: readonly number[];
  /** --x11 1: the X11 rows too. */
  readonly withX11: boolean;
  /** agent.inputReadIntervalMs's default: the reader the move-cap and X11 rows use. */
  readonly defaultReadMs: number;
}

/** How a row's name says an interval: "250 ms", "5 s". */
export function readsName(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

/** "tap-idle", "tap-per-delivery", "tap-batched-5000ms-moves-60hz", "x11-xi2-batched-5000ms". */
export function optionKey(o: Omit<DeliveryOption, 'key' | 'name'>): string {
  const path = o.input === 'x11' ? `x11-${o.x11Capture}` : o.input;
  if (o.idle === true) return `${o.input}-idle`;
  const reader = o.readIntervalMs === 0 ? 'per-delivery' : `batched-${o.readIntervalMs}ms`;
  const cap = o.sourceMoveRateHz !== undefined && o.sourceMoveRateHz > 0 ? `-moves-${o.sourceMoveRateHz}hz` : '';
  return `${path}-${reader}${cap}`;
}

type Unnamed = Omit<DeliveryOption, 'key' | 'name'>;

function named(name: string, o: Unnamed): DeliveryOption {
  return { key: optionKey(o), name, ...o };
}

/**
 * Every row of the options table, in the order they run in each round: the
 * tap's idle agent, a read per delivery, batched reads at each interval, the
 * move caps (batched at the default interval and per delivery), then the X11
 * rows. A row that two flags would make twice (--read-intervals 250,250) is
 * made once.
 */
export function deliveryOptions(p: RowPlan): DeliveryOption[] {
  const d = p.defaultReadMs;
  const rows: DeliveryOption[] = [
    named('tap idle agent (no input)', { input: 'tap', readIntervalMs: 0, x11Capture: 'record', idle: true }),
    named('tap, a read per delivery', { input: 'tap', readIntervalMs: 0, x11Capture: 'record' }),
    ...p.readIntervalsMs.map((ms) =>
      named(`tap, batched reads ${readsName(ms)}`, { input: 'tap', readIntervalMs: ms, x11Capture: 'record' }),
    ),
    ...p.moveCapsHz.flatMap((hz) => [
      named(`tap, batched reads ${readsName(d)}, moves at ${hz} Hz`, {
        input: 'tap',
        readIntervalMs: d,
        x11Capture: 'record',
        sourceMoveRateHz: hz,
      }),
      named(`tap, a read per delivery, moves at ${hz} Hz`, { input: 'tap', readIntervalMs: 0, x11Capture: 'record', sourceMoveRateHz: hz }),
    ]),
    ...(p.withX11
      ? [
          named('x11 idle agent (no input)', { input: 'x11', readIntervalMs: 0, x11Capture: 'record', idle: true }),
          named('x11 RECORD, a read per delivery', { input: 'x11', readIntervalMs: 0, x11Capture: 'record' }),
          named(`x11 RECORD, batched reads ${readsName(d)}`, { input: 'x11', readIntervalMs: d, x11Capture: 'record' }),
          named('x11 XI2 raw, a read per delivery', { input: 'x11', readIntervalMs: 0, x11Capture: 'xi2' }),
          named(`x11 XI2 raw, batched reads ${readsName(d)}`, { input: 'x11', readIntervalMs: d, x11Capture: 'xi2' }),
          ...p.moveCapsHz.slice(0, 1).map((hz) =>
            named(`x11 RECORD, batched reads ${readsName(d)}, moves at ${hz} Hz`, {
              input: 'x11',
              readIntervalMs: d,
              x11Capture: 'record',
              sourceMoveRateHz: hz,
            }),
          ),
        ]
      : []),
  ];
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.key) && seen.add(r.key));
}

/**
 * The rows --rows names, in the table's order (rows interleave round by
 * round whatever order they are named in); all rows when the flag is absent.
 * An unknown or missing name is an error listing the keys these flags allow,
 * raised before anything is measured.
 */
export function selectRows(flag: string | undefined, options: readonly DeliveryOption[]): DeliveryOption[] {
  if (flag === undefined) return [...options];
  const allowed = options.map((o) => o.key);
  const wanted = flag
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const unknown = wanted.filter((k) => !allowed.includes(k));
  if (wanted.length === 0 || unknown.length > 0) {
    const what = wanted.length === 0 ? 'takes row keys, comma-separated' : `has no row ${unknown.map((k) => JSON.stringify(k)).join(', ')}`;
    throw new BenchFlagError(`--rows ${what}; the rows of these flags are: ${allowed.join(', ')}`);
  }
  return options.filter((o) => wanted.includes(o.key));
}

/** Rows the fit takes at least besides the idle agent: it has two unknowns. */
export const MIN_FIT_ROWS = 2;

/**
 * Whether the chosen rows can fit the delivery coefficients: the fit takes
 * the tap's idle agent and two or more batched tap rows at the default
 * interval (the same input with and without a move cap: a cost per read and
 * a cost per event read are two unknowns, so two rows whose events differ).
 * What is missing, or null.
 */
export function fitRowsProblem(chosen: readonly DeliveryOption[], all: readonly DeliveryOption[], defaultReadMs: number): string | null {
  const isFitRow = (o: DeliveryOption) => o.input === 'tap' && o.idle !== true && o.readIntervalMs === defaultReadMs;
  const idle = all.find((o) => o.input === 'tap' && o.idle === true)!;
  if (chosen.includes(idle) && chosen.filter(isFitRow).length >= MIN_FIT_ROWS) return null;
  const fitRows = all.filter(isFitRow).map((o) => o.key);
  return fitRows.length < MIN_FIT_ROWS
    ? `the fit takes ${MIN_FIT_ROWS} or more batched tap rows at the default interval, and these flags make ${fitRows.length} (${fitRows.join(', ') || 'none'}; --move-caps adds them)`
    : `the fit takes ${idle.key} and ${MIN_FIT_ROWS} or more of ${fitRows.join(', ')}`;
}

/** The option rows a run measures, all the flags allow, and why the chosen ones cannot be fitted (or null). */
export interface RowChoice {
  readonly all: readonly DeliveryOption[];
  readonly chosen: readonly DeliveryOption[];
  readonly fitProblem: string | null;
}

/**
 * bench:delivery's row flags together, checked before anything runs: --rows
 * (a key list, or absent for all), --options 0 (no rows, so --rows is an
 * error) and --energy-yaml (which writes the fit, so the rows must allow it).
 * Without the options table no fit is asked for: the per-kind figures stand in.
 */
export function chooseRows(
  flags: { readonly rows: string | undefined; readonly withOptions: boolean; readonly energyYaml: boolean },
  plan: RowPlan,
): RowChoice {
  if (!flags.withOptions) {
    if (flags.rows !== undefined) throw new BenchFlagError('--rows picks rows of the options table, which --options 0 leaves out');
    return { all: [], chosen: [], fitProblem: null };
  }
  const all = deliveryOptions(plan);
  const chosen = selectRows(flags.rows, all);
  const fitProblem = fitRowsProblem(chosen, all, plan.defaultReadMs);
  if (fitProblem !== null && flags.energyYaml)
    throw new BenchFlagError(`--energy-yaml writes fitted coefficients, and ${fitProblem} (--rows ${flags.rows ?? 'absent: all rows'})`);
  return { all, chosen, fitProblem };
}
