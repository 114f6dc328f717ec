/**
 * npm run bench:delivery [-- --json] [--seconds N] [--window N] [--rate R] [--x11 0]
 *   [--options 0] [--options-window N] [--rounds N] [--move-caps 60,30]
 *   [--read-intervals 250,1000,2000,5000] [--settle-seconds 25] [--memory-reducer 0]
 *   [--rows KEY,KEY,...] [--energy-yaml FILE]
 *
 * What input delivery costs the reference agent as its own process, and how
 * well the virtual-time model (with its delivery term) predicts it:
 *
 * 1. Per event kind (key, click, move, wheel) and per input path (tap, X11):
 *    `seconds` of one kind at `rate` events/s (a seeded day's own events of
 *    that kind, retimed) through `fleetsim run`'s process machinery into the
 *    reference agent; CPU and wake-ups from the observer, minus an idle
 *    agent's over the same time, per event. Beside it, the same events
 *    through CaptureAgent in this process (today's virtual-time path).
 *    Delivery coefficient = process cost − in-process cost, per kind.
 * 2. Realistic input: two seeded laptops for `window` seconds over the tap,
 *    measured; and the virtual-time model of the same events with the
 *    delivery coefficients just measured: battery % per day of both, and
 *    their ratio.
 * 3. Options (--options 0 skips them): what an agent can do to cut the
 *    delivery cost, one seeded laptop's realistic input for
 *    `options-window` seconds per row, rows interleaved over `rounds`
 *    rounds: reading each delivery as it comes against reading in batches
 *    (agent.inputReadIntervalMs), RECORD against XInput2 raw events
 *    (agent.x11Capture), a lower mouse-move rate at the source
 *    (agent.sourceMoveRateHz, each rate of --move-caps, over the tap with
 *    batched reads and with a read per delivery; `--move-caps 0` leaves
 *    those rows out), reads batched at each of --read-intervals (what a
 *    read costs after a longer sleep, and what a longer interval saves), and
 *    an idle agent (no input) as the floor.
 *
 * --rows runs only the option rows named, by the key the options table prints
 * in its first column (the full table takes about 38 minutes). The keys with
 * the default flags:
 *
 *   tap-idle, tap-per-delivery, tap-batched-250ms, tap-batched-1000ms,
 *   tap-batched-2000ms, tap-batched-5000ms, tap-batched-5000ms-moves-60hz,
 *   tap-per-delivery-moves-60hz, tap-batched-5000ms-moves-30hz,
 *   tap-per-delivery-moves-30hz, x11-idle, x11-record-per-delivery,
 *   x11-record-batched-5000ms, x11-xi2-per-delivery, x11-xi2-batched-5000ms,
 *   x11-record-batched-5000ms-moves-60hz
 *
 * (--read-intervals and --move-caps make other batched-Nms and moves-Nhz
 * keys; an unknown key is refused with the list these flags allow, before
 * anything runs). Figures that take rows left out are null in --json and
 * n/a in the table: the fit of the delivery coefficients takes tap-idle and
 * two or more of the tap-batched-5000ms rows, and the model's figures
 * (model ÷ measured, the move caps' model ratios) take the fit; the per-read
 * figures by interval take tap-idle and the fit; a move cap's ratios take
 * its uncapped row (and tap-idle for the idle-subtracted one).
 *
 * Every agent runs --settle-seconds unobserved before its window opens: a
 * fresh Node process does one-off work in its first seconds, which a laptop
 * pays once per boot, not per hour of input. One such piece comes when V8
 * chooses: its memory reducer compacts the start-up heap once (seen 16–75 s
 * after start, or at the first input after a long idle; ≈ 0.2 s of CPU and
 * ≈ 90 wake-ups over five threads), ten minutes' worth of a 5 s reader's
 * delivery cost. The agents here run with --no-memory-reducer unless
 * --memory-reducer 1.
 *
 * With --rounds 2 or more, the delivery coefficients are also fitted round
 * by round, for their spread. The model is run twice on the realistic input:
 * with the coefficients fitted here, and with the ones fleetsim ships
 * (DEFAULT_ENERGY_MODEL), which says how well the shipped ones carry over.
 *
 * --energy-yaml FILE writes the fitted coefficients as a scenario's
 * `energy:` section: `fleetsim run` then charges delivery as this machine
 * pays it (the shipped defaults are one calibration of one machine).
 *
 * Figures depend on the machine and its load (this bench shares its cores
 * with whatever else runs): read them as this machine's, at this moment.
 * The output ends with the machine's load and, on a VM, its steal time:
 * what a sleeping process pays to wake has differed threefold between two
 * instances of the same 2-core VM.
 */
import './lib/flag-errors.js';
import { DEFAULT_AGENT_CONFIG } from '../src/agent/index.js';
import { DEFAULT_ENERGY_MODEL, type EnergyModel } from '../src/metrics/energy.js';
import { allocateBlock, copyEventInto, EventWriter, concatBlocks, copyBlock, type EventBlock } from '../src/events/index.js';
import { dayEnvironment, simulateEmployeeDay } from '../src/behaviour/index.js';
import { countEventKinds, emptyKinds } from '../src/metrics/delivery.js';
import type { InputKind } from '../src/input/types.js';
import { parseScenario, type Scenario } from '../src/scenario/index.js';
import { defaultProcessDeps } from '../src/run/process/deps.js';
import type { WindowInput } from '../src/run/process/laptop-input.js';
import { modelWindow } from '../src/run/process/model.js';
import { runProcessFleet } from '../src/run/process/process-run.js';
import type { ProcessRunFacts } from '../src/run/process/facts.js';
import { createCalendar } from '../src/time/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureOptions, type OptionRow, type RoundFigures } from './lib/delivery-options.js';
import { fitReadCost, type ReadCostFit, type ReadCostRow } from './lib/delivery-fit.js';
import { MIN_FIT_ROWS, chooseRows } from './lib/delivery-rows.js';
import { watchMachine } from './lib/machine.js';
import { BenchFlagError, intFlag, printTable, stringFlag, wantsJson } from './lib/output.js';

const json = wantsJson();
const machineAtEnd = watchMachine();
const seconds = intFlag('seconds', 10);
const windowSeconds = intFlag('window', 60);
const rate = intFlag('rate', 50);
const withX11 = intFlag('x11', 1) === 1;
const withOptions = intFlag('options', 1) === 1;
const optionsWindowSeconds = intFlag('options-window', 60);
const rounds = Math.max(1, intFlag('rounds', 1));
const moveCapsHz = (stringFlag('move-caps') ?? '60,30')
  .split(',')
  .map((x) => Number(x.trim()))
  .filter((hz) => {
    if (!Number.isInteger(hz) || hz < 0 || hz > 1000)
      throw new BenchFlagError(`--move-caps takes whole Hz from 1 to 1000, comma-separated (0: none), got ${hz}`);
    return hz > 0;
  });
const readIntervalsMs = (stringFlag('read-intervals') ?? '250,1000,2000,5000').split(',').map((x) => {
  const ms = Number(x.trim());
  if (!Number.isInteger(ms) || ms < 1 || ms > 60_000)
    throw new BenchFlagError(`--read-intervals takes whole ms from 1 to 60000, comma-separated, got ${JSON.stringify(x)}`);
  return ms;
});
if (!readIntervalsMs.includes(DEFAULT_AGENT_CONFIG.inputReadIntervalMs)) readIntervalsMs.push(DEFAULT_AGENT_CONFIG.inputReadIntervalMs);
const settleMs = intFlag('settle-seconds', 25) * 1000;
const energyYamlFile = stringFlag('energy-yaml');
const referenceNodeFlags = intFlag('memory-reducer', 0) === 1 ? [] : ['--no-memory-reducer'];
/** The default reader's interval. */
const DEFAULT_READ_MS = DEFAULT_AGENT_CONFIG.inputReadIntervalMs;
const rowsFlag = stringFlag('rows');
const { chosen: OPTIONS, fitProblem } = chooseRows(
  { rows: rowsFlag, withOptions, energyYaml: energyYamlFile !== undefined },
  { readIntervalsMs, moveCapsHz, withX11, defaultReadMs: DEFAULT_READ_MS },
);
if (fitProblem !== null && rowsFlag !== undefined)
  process.stderr.write(`--rows: the fit and the model's figures will be n/a: ${fitProblem}\n`);
const KINDS = ['key', 'click', 'move', 'wheel'] as const;
type Kind = (typeof KINDS)[number];

function scenario(input: InputKind, employees: number, durationS: number): Scenario {
  return parseScenario(
    `name: bench-delivery\nseed: 1\nfleet: { employees: ${employees}, offices: [{ name: Berlin, timezone: Europe/Berlin }] }\nagent: { kind: process, input: ${input} }\ntransport: http\nsimulation:\n  speed: 1\n  window: { day: 1, at: "10:00", durationMinutes: ${durationS / 60} }\n`,
  );
}

/** A seeded day's own events of one kind, retimed to `rate` per second from `fromMs` (agent clock). */
function singleKind(s: Scenario, w: WindowInput, kind: Kind | null, fromMs: number, untilMs: number): WindowInput {
  if (kind === null) return { ...w, events: allocateBlock(0), byKind: emptyKinds(), ui: [] };
  const blocks: EventBlock[] = [];
  const writer = new EventWriter((b) => blocks.push(copyBlock(b)));
  const cal = createCalendar(s.simulation.startDate, ['Europe/Berlin']);
  simulateEmployeeDay(w.employee, 0, dayEnvironment({ ...s, calendar: cal }), writer);
  writer.flush();
  const day = concatBlocks(blocks);
  const n = Math.floor(((untilMs - fromMs) / 1000) * rate);
  const out = allocateBlock(n);
  let j = 0;
  for (let i = 0; i < day.length && j < n; i++) {
    const k = countEventKinds({ ...day, length: 1, t_ms: day.t_ms.subarray(i, i + 1), type: day.type.subarray(i, i + 1) } as EventBlock);
    if (k[kind] !== 1) continue;
    copyEventInto(out, j, day, i, fromMs + 200 + (j * 1000) / rate);
    j++;
  }
  const events = j === n ? out : { ...out, length: j };
  return { ...w, events, byKind: countEventKinds(events), ui: [] };
}

interface PathRun {
  readonly cpuS: number;
  readonly wakeups: number;
  readonly injected: number;
  readonly inprocessCpuS: number;
}

async function runPath(input: InputKind, kind: Kind | null): Promise<PathRun> {
  const s = scenario(input, 1, seconds);
  const dir = mkdtempSync(join(tmpdir(), 'bench-delivery-'));
  let inprocessCpuS = 0;
  let used: WindowInput | null = null;
  const cal = createCalendar(s.simulation.startDate, ['Europe/Berlin']);
  const from = cal.startDateUtcMs + s.simulation.window!.startMs;
  const until = cal.startDateUtcMs + s.simulation.window!.endMs;
  try {
    const r = await runProcessFleet(s, {
      reportDir: dir,
      deps: defaultProcessDeps(),
      settleMs,
      referenceNodeFlags,
      transformInput: (w) => (used = singleKind(s, w, kind, from, until)),
    });
    const l = r.result.process!.laptops[0]!;
    if (used) inprocessCpuS = (await modelWindow(s, used, from, until, DEFAULT_ENERGY_MODEL)).agentCpuSeconds;
    return {
      cpuS: l.observation.cpu_user_s + l.observation.cpu_system_s,
      wakeups: l.observation.voluntary_switches,
      injected: l.injected,
      inprocessCpuS,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface PerKind {
  readonly process_cpu_us_per_event: number;
  readonly inprocess_cpu_us_per_event: number;
  readonly delivery_cpu_us_per_event: number;
  readonly wakeups_per_event: number;
}

async function perKind(input: InputKind): Promise<Record<Kind, PerKind>> {
  const idle = await runPath(input, null);
  const out = {} as Record<Kind, PerKind>;
  for (const kind of KINDS) {
    const r = await runPath(input, kind);
    const n = Math.max(1, r.injected);
    const processUs = (Math.max(0, r.cpuS - idle.cpuS) * 1e6) / n;
    const inprocUs = (r.inprocessCpuS * 1e6) / n;
    out[kind] = {
      process_cpu_us_per_event: round(processUs),
      inprocess_cpu_us_per_event: round(inprocUs),
      delivery_cpu_us_per_event: round(Math.max(0, processUs - inprocUs)),
      wakeups_per_event: round(Math.max(0, r.wakeups - idle.wakeups) / n, 4),
    };
  }
  return out;
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function weighted(k: Record<Kind, PerKind>, f: (x: PerKind) => number): number {
  return round(mean(KINDS.map((kind) => f(k[kind]))));
}

/** The options' input (every row replays the same window; the source's cap applies after it), for the model of the same events. */
let optionsInput: { readonly w: WindowInput; readonly from: number; readonly until: number } | null = null;
const options: OptionRow[] = withOptions
  ? await measureOptions(OPTIONS, {
      windowSeconds: optionsWindowSeconds,
      rounds,
      settleMs,
      referenceNodeFlags,
      onRow: (name, k) => process.stderr.write(`options round ${k + 1}/${rounds}: ${name}\n`),
      onInput: (o, w, from, until) => {
        if (o.input === 'tap') optionsInput ??= { w, from, until };
      },
    })
  : [];

/** The window's events from `fromMs` on: what the agent was handed once the replay started. */
function fromStart(w: WindowInput, fromMs: number): WindowInput {
  const e = w.events;
  let i = 0;
  while (i < e.length && (e.t_ms[i] as number) < fromMs) i++;
  const events = {
    ...e,
    length: e.length - i,
    t_ms: e.t_ms.subarray(i),
    type: e.type.subarray(i),
    key: e.key.subarray(i),
    x: e.x.subarray(i),
    y: e.y.subarray(i),
    button: e.button.subarray(i),
    context: e.context.subarray(i),
    flags: e.flags.subarray(i),
  };
  return { ...w, events, byKind: countEventKinds(events) };
}

/** The scenario with the reader and the source's cap of an option. */
function withReader(s: Scenario, readIntervalMs: number, sourceMoveRateHz: number): Scenario {
  return { ...s, agent: { ...s.agent, inputReadIntervalMs: readIntervalMs, sourceMoveRateHz } };
}

const tap = await perKind('tap');
const x11 = withX11 ? await perKind('x11') : null;

// ── realistic input: measured, and modelled with the coefficients above ──
const real = scenario('tap', 2, windowSeconds);
const inputs: WindowInput[] = [];
const dir = mkdtempSync(join(tmpdir(), 'bench-delivery-'));
let facts: ProcessRunFacts;
try {
  facts = (
    await runProcessFleet(real, {
      reportDir: dir,
      deps: defaultProcessDeps(),
      settleMs,
      referenceNodeFlags,
      transformInput: (w) => (inputs.push(w), w),
    })
  ).result.process!;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const virtualStart = Date.parse(facts.virtual_start_utc);
const virtualEnd = Date.parse(facts.virtual_end_utc);
const measured = facts.laptops;
const hours = measured.map((l) => l.observation.wall_ms / 3_600_000);
const cpuPerHour = mean(measured.map((l, i) => (l.observation.cpu_user_s + l.observation.cpu_system_s) / hours[i]!));
const wakeupsPerActiveMin = mean(
  measured.filter((l) => l.row.active_minutes > 0).map((l) => l.observation.voluntary_switches / l.row.active_minutes),
);
const batteryMeasured = mean(measured.filter((l) => l.dayWorkHours > 0).map((l) => l.row.battery_pct_per_day));
// The model sees what the agent saw: the events injected from the replay's start.
const windows = inputs.map((w) => fromStart(w, virtualStart));
const readsMeasured = measured.every((l) => l.row.delivery_reads > 0) ? measured.reduce((a, l) => a + l.row.delivery_reads, 0) : null;
const noDelivery: EnergyModel = {
  ...DEFAULT_ENERGY_MODEL,
  deliveryCpuUsPerRead: 0,
  deliveryWakeupsPerRead: 0,
  deliveryCpuUsPerUnbatchedRead: 0,
  deliveryWakeupsPerUnbatchedRead: 0,
  deliveryCpuUsPerKeyEvent: 0,
  deliveryCpuUsPerClickEvent: 0,
  deliveryCpuUsPerMoveEvent: 0,
  deliveryCpuUsPerWheelEvent: 0,
  deliveryWakeupsPerEvent: 0,
};
const inprocessModels = [];
for (const w of windows) inprocessModels.push(await modelWindow(real, w, virtualStart, virtualEnd, noDelivery));
const injected = measured.reduce((a, l) => a + l.injected, 0);
const inprocessUs = (inprocessModels.reduce((a, m) => a + m.agentCpuSeconds, 0) * 1e6) / Math.max(1, injected);

/**
 * The delivery coefficients the model uses: a cost per read and a cost per
 * event read, fitted over the options' tap rows of the default reader
 * (agent.inputReadIntervalMs) at different input rates (the same input with and without a move
 * cap: events drop, reads hardly), each row's idle agent and in-process
 * capture subtracted, reads as the agent counted them. Rows of other read
 * intervals stay out: a read after 250 ms costs less than one after 1 s (a
 * warmer process), so one per-read figure holds for one interval. Without
 * the options table, the single-kind runs' per-event figures (evenly spaced
 * events say nothing about reads); with the table but without the fit's rows
 * (--rows), none: the model's figures are then not measured.
 */
const idleRow = options.find((r) => r.input === 'tap' && r.idle);
const allRounds = (r: OptionRow): RoundFigures => ({
  cpu_seconds: r.cpu_seconds,
  wakeups: r.wakeups,
  reads: r.reads ?? 0,
  injected: r.injected,
});
/** The fit's rows, each option's figures taken by `pick` (its mean over the rounds, or one round). */
function fitRowsOf(pick: (r: OptionRow) => RoundFigures): ReadCostRow[] {
  if (idleRow === undefined) return [];
  const idle = pick(idleRow);
  return options
    .filter(
      (r) =>
        r.input === 'tap' &&
        r.read_interval_ms === DEFAULT_AGENT_CONFIG.inputReadIntervalMs &&
        r.reads !== null &&
        !r.idle &&
        r.cpu_us_per_event !== null,
    )
    .map((r) => {
      const f = pick(r);
      return {
        reads: f.reads,
        events: f.injected,
        cpuUs: (f.cpu_seconds - idle.cpu_seconds) * 1e6 - inprocessUs * f.injected,
        wakeups: f.wakeups - idle.wakeups,
      };
    });
}
const fitRows = fitRowsOf(allRounds);
/** Two unknowns take two rows: fewer (rows left out by --rows or --move-caps 0) is no fit, not a line through one point. */
const fitOf = (rows: readonly ReadCostRow[]) => (rows.length >= MIN_FIT_ROWS ? fitReadCost(rows) : null);
const fit = fitOf(fitRows);
// The same fit round by round: how far one round's coefficients stray from another's (the machine's drift included).
const roundFits = Array.from({ length: withOptions ? rounds : 0 }, (_, k) => fitOf(fitRowsOf((r) => r.per_round[k]!)));
const byRound = (f: (x: ReadCostFit) => number, digits: number) => roundFits.map((x) => (x ? round(f(x), digits) : null));
/**
 * A reader woken per event (a read per delivery) pays less per read than a
 * batched one (its event loop is warm): its own per-read figures, with the
 * fitted per-event cost taken out, are what `energy:` should say for an agent
 * with agent.inputReadIntervalMs 0.
 */
const perDeliveryRow = options.find(
  (r) => r.input === 'tap' && r.read_interval_ms === 0 && r.source_move_rate_hz === 0 && r.reads !== null,
);
const perDeliveryRead =
  perDeliveryRow && idleRow && fit
    ? {
        cpuUs: round(
          Math.max(
            0,
            ((perDeliveryRow.cpu_seconds - idleRow.cpu_seconds) * 1e6 - (inprocessUs + fit.cpuUsPerEvent) * perDeliveryRow.injected) /
              perDeliveryRow.reads!,
          ),
          1,
        ),
        wakeups: round(Math.max(0, perDeliveryRow.wakeups - idleRow.wakeups) / perDeliveryRow.reads!, 3),
      }
    : null;
/**
 * What a read costs after each sleep length, and what the interval saves:
 * each batched tap row of the uncapped input, its idle agent, in-process
 * capture and fitted per-event cost taken out, over its reads. A per-read
 * figure that holds across intervals means a longer interval saves in
 * proportion to the reads it removes.
 */
const byInterval = readIntervalsMs.map((ms) => {
  const row = options.find((r) => r.input === 'tap' && r.read_interval_ms === ms && r.source_move_rate_hz === 0 && r.reads !== null);
  if (!row || !idleRow) return null;
  const idleB = idleRow.battery_pct_per_day;
  // A read's share of the CPU is what the per-event cost leaves: without the fit there is no per-event cost to take out.
  const perEventUs = fit ? inprocessUs + fit.cpuUsPerEvent : null;
  return {
    read_interval_ms: ms,
    reads: row.reads!,
    cpu_us_per_read:
      perEventUs === null
        ? null
        : round(Math.max(0, (row.cpu_seconds - idleRow.cpu_seconds) * 1e6 - perEventUs * row.injected) / row.reads!, 1),
    wakeups_per_read: round(Math.max(0, row.wakeups - idleRow.wakeups) / row.reads!, 3),
    cpu_seconds_per_laptop_hour: row.cpu_seconds_per_laptop_hour,
    wakeups_per_active_minute: row.wakeups_per_active_minute,
    battery_pct_per_day: row.battery_pct_per_day,
    battery_pct_per_day_idle_subtracted: round(Math.max(0, row.battery_pct_per_day - idleB), 4),
  };
});
const intervalKeys: Record<string, number | null> = {};
for (const [i, ms] of readIntervalsMs.entries()) {
  const r = byInterval[i] ?? null;
  // Its row or the idle agent left out by --rows: not measured (--options 0 has no options to report on).
  if (r === null && !withOptions) continue;
  const k = `read_interval_${ms}ms`;
  intervalKeys[`${k}_reads`] = r?.reads ?? null;
  intervalKeys[`${k}_cpu_us_per_read`] = r?.cpu_us_per_read ?? null;
  intervalKeys[`${k}_wakeups_per_read`] = r?.wakeups_per_read ?? null;
  intervalKeys[`${k}_cpu_seconds_per_laptop_hour`] = r?.cpu_seconds_per_laptop_hour ?? null;
  intervalKeys[`${k}_battery_pct_per_day`] = r?.battery_pct_per_day ?? null;
  intervalKeys[`${k}_battery_pct_per_day_idle_subtracted`] = r?.battery_pct_per_day_idle_subtracted ?? null;
}
/**
 * The model's coefficients: the fit; without the options table (--options 0)
 * the per-kind runs' figures; none when the options ran but gave no fit (its
 * rows left out by --rows), so the model's figures are not measured.
 */
const energy: EnergyModel | null = fit
  ? {
      ...DEFAULT_ENERGY_MODEL,
      deliveryCpuUsPerRead: round(fit.cpuUsPerRead, 1),
      deliveryWakeupsPerRead: round(fit.wakeupsPerRead, 3),
      ...(perDeliveryRead
        ? { deliveryCpuUsPerUnbatchedRead: perDeliveryRead.cpuUs, deliveryWakeupsPerUnbatchedRead: perDeliveryRead.wakeups }
        : {}),
      deliveryCpuUsPerKeyEvent: round(fit.cpuUsPerEvent, 1),
      deliveryCpuUsPerClickEvent: round(fit.cpuUsPerEvent, 1),
      deliveryCpuUsPerMoveEvent: round(fit.cpuUsPerEvent, 1),
      deliveryCpuUsPerWheelEvent: round(fit.cpuUsPerEvent, 1),
      deliveryWakeupsPerEvent: 0,
      deliverySource: 'bench:delivery on this machine (tap, batched rows on realistic input: per read and per event)',
    }
  : withOptions
    ? null
    : {
        ...DEFAULT_ENERGY_MODEL,
        deliveryCpuUsPerRead: 0,
        deliveryWakeupsPerRead: 0,
        deliveryCpuUsPerKeyEvent: tap.key.delivery_cpu_us_per_event,
        deliveryCpuUsPerClickEvent: tap.click.delivery_cpu_us_per_event,
        deliveryCpuUsPerMoveEvent: tap.move.delivery_cpu_us_per_event,
        deliveryCpuUsPerWheelEvent: tap.wheel.delivery_cpu_us_per_event,
        deliveryWakeupsPerEvent: round(mean(KINDS.map((k) => tap[k].wakeups_per_event)), 4),
        deliverySource: 'bench:delivery on this machine (tap, per kind)',
      };
const models = [];
if (energy) for (const w of windows) models.push(await modelWindow(real, w, virtualStart, virtualEnd, energy));
const readsModel = energy ? models.reduce((a, m) => a + m.deliveryReads, 0) : null;
const batteryModel = energy ? mean(models.filter((_, k) => inputs[k]!.workHours > 0).map((m) => m.batteryPctPerDay)) : null;
// The coefficients fleetsim ships (DEFAULT_ENERGY_MODEL, fitted on another day's machine) on the same events: how well they carry over.
const shipped = [];
for (const w of windows) shipped.push(await modelWindow(real, w, virtualStart, virtualEnd, DEFAULT_ENERGY_MODEL));
const batteryShipped = mean(shipped.filter((_, k) => inputs[k]!.workHours > 0).map((m) => m.batteryPctPerDay));
// What the measured figure owes to the agent merely running over so short a window (the tail of its start-up), which a day amortises.
const idleBattery = idleRow?.battery_pct_per_day ?? null;

/**
 * The move cap at the source, per rate, with batched reads (the default) and
 * with a read per delivery: measured against the same reader without a cap,
 * and the virtual-time model's figure for the same input and settings
 * against its own uncapped figure (this run's coefficients; the model has no
 * idle agent, so set it beside the measured ratio with the idle agent
 * subtracted).
 */
const moveCapKeys: Record<string, number | null> = {};
const modelOfOption = async (readMs: number, hz: number) => {
  if (!optionsInput || !energy) return null;
  const { w, from, until } = optionsInput;
  return modelWindow(withReader(real, readMs, hz), fromStart(w, from), from, until, energy);
};
const MOVE_CAP_FIGURES = [
  'cpu_seconds_per_laptop_hour',
  'wakeups_per_active_minute',
  'battery_pct_per_day',
  'moves_removed_share',
  'reads',
  'over_uncapped_cpu',
  'over_uncapped_battery',
  'over_uncapped_battery_idle_subtracted',
  'model_reads',
  'model_battery_pct_per_day',
  'model_over_uncapped_battery',
] as const;
for (const hz of moveCapsHz) {
  for (const [readMs, suffix] of [
    [DEFAULT_AGENT_CONFIG.inputReadIntervalMs, ''],
    [0, '_read_per_delivery'],
  ] as const) {
    const row = options.find((r) => r.input === 'tap' && r.source_move_rate_hz === hz && r.read_interval_ms === readMs);
    const base = options.find((r) => r.input === 'tap' && r.source_move_rate_hz === 0 && r.read_interval_ms === readMs && !r.idle);
    const k = `source_move_cap_${hz}hz${suffix}`;
    if (!row) {
      // A row --rows left out: not measured (--options 0 has no options to report on).
      if (withOptions) for (const f of MOVE_CAP_FIGURES) moveCapKeys[`${k}_${f}`] = null;
      continue;
    }
    moveCapKeys[`${k}_cpu_seconds_per_laptop_hour`] = row.cpu_seconds_per_laptop_hour;
    moveCapKeys[`${k}_wakeups_per_active_minute`] = row.wakeups_per_active_minute;
    moveCapKeys[`${k}_battery_pct_per_day`] = row.battery_pct_per_day;
    moveCapKeys[`${k}_moves_removed_share`] = row.source_moves_removed_share;
    moveCapKeys[`${k}_reads`] = row.reads;
    moveCapKeys[`${k}_over_uncapped_cpu`] = base ? round(row.cpu_seconds_per_laptop_hour / base.cpu_seconds_per_laptop_hour, 3) : null;
    moveCapKeys[`${k}_over_uncapped_battery`] =
      base && base.battery_pct_per_day > 0 ? round(row.battery_pct_per_day / base.battery_pct_per_day, 3) : null;
    const idleB = idleRow?.battery_pct_per_day ?? null;
    moveCapKeys[`${k}_over_uncapped_battery_idle_subtracted`] =
      base && idleB !== null && base.battery_pct_per_day - idleB > 0
        ? round((row.battery_pct_per_day - idleB) / (base.battery_pct_per_day - idleB), 3)
        : null;
    const [capped, uncapped] = [await modelOfOption(readMs, hz), await modelOfOption(readMs, 0)];
    moveCapKeys[`${k}_model_reads`] = capped ? capped.deliveryReads : null;
    moveCapKeys[`${k}_model_battery_pct_per_day`] = capped ? round(capped.batteryPctPerDay, 4) : null;
    moveCapKeys[`${k}_model_over_uncapped_battery`] =
      capped && uncapped && uncapped.batteryPctPerDay > 0 ? round(capped.batteryPctPerDay / uncapped.batteryPctPerDay, 3) : null;
  }
}

// The same cap over X11 RECORD read in the default reader's batches, against the uncapped RECORD row.
for (const hz of moveCapsHz.slice(0, 1)) {
  const x11Row = (cap: number) =>
    options.find(
      (r) => r.input === 'x11' && r.x11_capture === 'record' && r.read_interval_ms === DEFAULT_READ_MS && r.source_move_rate_hz === cap,
    );
  const [row, base] = [x11Row(hz), x11Row(0)];
  if (!withOptions || !withX11) continue;
  moveCapKeys[`x11_source_move_cap_${hz}hz_battery_pct_per_day`] = row?.battery_pct_per_day ?? null;
  moveCapKeys[`x11_source_move_cap_${hz}hz_over_uncapped_battery`] =
    row && base && base.battery_pct_per_day > 0 ? round(row.battery_pct_per_day / base.battery_pct_per_day, 3) : null;
}

const result = {
  seconds_per_kind: seconds,
  rate_events_per_s: rate,
  window_seconds: windowSeconds,
  inprocess_cpu_us_per_event: round(inprocessUs),
  tap_cpu_us_per_event: weighted(tap, (x) => x.process_cpu_us_per_event),
  tap_wakeups_per_event: round(mean(KINDS.map((k) => tap[k].wakeups_per_event)), 4),
  x11_cpu_us_per_event: x11 ? weighted(x11, (x) => x.process_cpu_us_per_event) : null,
  x11_wakeups_per_event: x11 ? round(mean(KINDS.map((k) => x11[k].wakeups_per_event)), 4) : null,
  agent_process_cpu_seconds_per_laptop_hour: round(cpuPerHour, 3),
  agent_process_wakeups_per_active_minute: round(wakeupsPerActiveMin, 1),
  battery_pct_per_day_measured: round(batteryMeasured, 4),
  battery_pct_per_day_model: batteryModel === null ? null : round(batteryModel, 4),
  model_over_measured: batteryModel !== null && batteryMeasured > 0 ? round(batteryModel / batteryMeasured, 3) : null,
  battery_pct_per_day_model_shipped: round(batteryShipped, 4),
  model_shipped_over_measured: batteryMeasured > 0 ? round(batteryShipped / batteryMeasured, 3) : null,
  reads_measured: readsMeasured,
  reads_model: readsModel,
  battery_pct_per_day_idle_agent: idleBattery,
  model_over_measured_idle_subtracted:
    batteryModel !== null && idleBattery !== null && batteryMeasured - idleBattery > 0
      ? round(batteryModel / (batteryMeasured - idleBattery), 3)
      : null,
  read_interval_ms: DEFAULT_AGENT_CONFIG.inputReadIntervalMs,
  delivery_cpu_us_per_read: energy?.deliveryCpuUsPerRead ?? null,
  delivery_wakeups_per_read: energy?.deliveryWakeupsPerRead ?? null,
  delivery_cpu_us_per_event: energy?.deliveryCpuUsPerMoveEvent ?? null,
  read_per_delivery_cpu_us_per_read: perDeliveryRead?.cpuUs ?? null,
  read_per_delivery_wakeups_per_read: perDeliveryRead?.wakeups ?? null,
  delivery_fit_rows: fitRows.length,
  /** Why there is no fit, when the options ran without its rows (null: fitted, or --options 0). */
  delivery_fit_missing: fitProblem ?? (withOptions && !fit ? 'the fit rows gave no reads' : null),
  delivery_cpu_us_per_read_by_round: byRound((x) => x.cpuUsPerRead, 1),
  delivery_cpu_us_per_event_by_round: byRound((x) => x.cpuUsPerEvent, 2),
  delivery_wakeups_per_read_by_round: byRound((x) => x.wakeupsPerRead, 3),
  delivery_fit_rms_residual_us: fit ? round(fit.rmsResidualUs, 0) : null,
  delivery_coefficients: energy
    ? {
        deliveryCpuUsPerRead: energy.deliveryCpuUsPerRead,
        deliveryWakeupsPerRead: energy.deliveryWakeupsPerRead,
        deliveryCpuUsPerUnbatchedRead: energy.deliveryCpuUsPerUnbatchedRead,
        deliveryWakeupsPerUnbatchedRead: energy.deliveryWakeupsPerUnbatchedRead,
        deliveryCpuUsPerKeyEvent: energy.deliveryCpuUsPerKeyEvent,
        deliveryCpuUsPerClickEvent: energy.deliveryCpuUsPerClickEvent,
        deliveryCpuUsPerMoveEvent: energy.deliveryCpuUsPerMoveEvent,
        deliveryCpuUsPerWheelEvent: energy.deliveryCpuUsPerWheelEvent,
        deliveryWakeupsPerEvent: energy.deliveryWakeupsPerEvent,
      }
    : null,
  per_kind: { tap, ...(x11 ? { x11 } : {}) },
  options_window_seconds: withOptions ? optionsWindowSeconds : null,
  /** The option rows run (--rows), by key. */
  options_rows: options.map((r) => r.key),
  options,
  move_caps_hz: moveCapsHz,
  ...moveCapKeys,
  settle_seconds: settleMs / 1000,
  memory_reducer: referenceNodeFlags.length === 0,
  read_intervals_ms: readIntervalsMs,
  ...intervalKeys,
  machine: machineAtEnd(),
};

if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
else {
  const rows: (string | number)[][] = [];
  for (const [path, k] of [
    ['tap', tap],
    ['x11', x11],
  ] as const) {
    if (!k) continue;
    for (const kind of KINDS)
      rows.push([
        path,
        kind,
        k[kind].process_cpu_us_per_event,
        k[kind].inprocess_cpu_us_per_event,
        k[kind].delivery_cpu_us_per_event,
        k[kind].wakeups_per_event,
      ]);
  }
  printTable(
    `delivery cost per event (${seconds} s per kind at ${rate}/s, idle agent subtracted)`,
    ['path', 'kind', 'process µs', 'in-process µs', 'delivery µs', 'wake-ups'],
    rows,
  );
  printTable(
    `realistic input: 2 laptops, ${windowSeconds} s over the tap`,
    ['figure', 'value'],
    [
      ['agent process CPU s per laptop-hour', result.agent_process_cpu_seconds_per_laptop_hour],
      ['agent process wake-ups per active minute', result.agent_process_wakeups_per_active_minute],
      ['battery % per day, measured', result.battery_pct_per_day_measured],
      ['battery % per day, model with delivery term', result.battery_pct_per_day_model ?? 'n/a'],
      ['model ÷ measured', result.model_over_measured ?? 'n/a'],
      ['battery % per day, idle agent over the same window', result.battery_pct_per_day_idle_agent ?? 'n/a'],
      ['model ÷ (measured − idle agent)', result.model_over_measured_idle_subtracted ?? 'n/a'],
      ['in-process CPU µs per event (today’s path)', result.inprocess_cpu_us_per_event],
      ['agent reads of input, counted by the agent', result.reads_measured ?? 'n/a'],
      ['agent reads of input, model (the paced reader played out on the events)', result.reads_model ?? 'n/a'],
      ['delivery CPU µs per read (fitted)', result.delivery_cpu_us_per_read ?? 'n/a'],
      ['delivery wake-ups per read', result.delivery_wakeups_per_read ?? 'n/a'],
      ['delivery CPU µs per event read (fitted)', result.delivery_cpu_us_per_event ?? 'n/a'],
      ['fit: rows, rms residual µs', `${result.delivery_fit_rows}, ${result.delivery_fit_rms_residual_us ?? 'n/a'}`],
      ['fit per round: CPU µs per read', result.delivery_cpu_us_per_read_by_round.join(', ') || 'n/a'],
      ['fit per round: CPU µs per event', result.delivery_cpu_us_per_event_by_round.join(', ') || 'n/a'],
      ['fit per round: wake-ups per read', result.delivery_wakeups_per_read_by_round.join(', ') || 'n/a'],
      ['battery % per day, model with the shipped coefficients', result.battery_pct_per_day_model_shipped],
      ['shipped model ÷ measured', result.model_shipped_over_measured ?? 'n/a'],
      ['a reader woken per event: CPU µs per read (per-event part taken out)', result.read_per_delivery_cpu_us_per_read ?? 'n/a'],
      ['a reader woken per event: wake-ups per read', result.read_per_delivery_wakeups_per_read ?? 'n/a'],
    ],
  );
  if (result.delivery_fit_missing !== null) process.stdout.write(`fit n/a: ${result.delivery_fit_missing}\n`);
  if (options.length > 0) {
    printTable(
      `options: 1 laptop's realistic input, ${optionsWindowSeconds} s per row, ${rounds} round(s) interleaved (idle rows: the same window with no input)`,
      [
        'row',
        'option',
        'CPU µs/event',
        'wake-ups/event',
        'CPU s/laptop-h',
        'wake-ups/active min',
        'battery %/day',
        'moves removed',
        'reads',
        'page faults (major)',
        'events taken',
        'ledger',
      ],
      options.map((r) => [
        r.key,
        r.option,
        r.cpu_us_per_event ?? '-',
        r.wakeups_per_event ?? '-',
        r.cpu_seconds_per_laptop_hour,
        r.wakeups_per_active_minute ?? '-',
        r.battery_pct_per_day,
        r.source_moves_removed_share ?? '-',
        r.reads ?? '-',
        `${r.minor_faults} (${r.major_faults})`,
        r.received_share ?? '-',
        r.ledger_balanced === null ? '-' : r.ledger_balanced ? 'balanced' : 'NOT balanced',
      ]),
    );
    const intervalRows = byInterval.filter((r) => r !== null);
    if (intervalRows.length > 0)
      printTable(
        'what a read costs after each sleep (tap, batched, uncapped input; idle agent, in-process capture and per-event cost taken out)',
        [
          'read interval ms',
          'reads',
          'CPU µs/read',
          'wake-ups/read',
          'CPU s/laptop-h',
          'wake-ups/active min',
          'battery %/day',
          'battery %/day − idle',
        ],
        intervalRows.map((r) => [
          r.read_interval_ms,
          r.reads,
          r.cpu_us_per_read ?? 'n/a',
          r.wakeups_per_read,
          r.cpu_seconds_per_laptop_hour,
          r.wakeups_per_active_minute ?? '-',
          r.battery_pct_per_day,
          r.battery_pct_per_day_idle_subtracted,
        ]),
      );
    const moveCapFigures = Object.values(moveCapKeys);
    // Every figure n/a: the rows were left out by --rows, and a table of n/a says less than one line.
    if (moveCapFigures.length > 0 && moveCapFigures.every((v) => v === null))
      process.stdout.write('\na lower mouse-move rate at the source: n/a (--rows left out the move-cap rows or their uncapped rows)\n');
    else if (moveCapFigures.length > 0)
      printTable(
        'a lower mouse-move rate at the source (tap; per event figures above are per event delivered)',
        ['figure', 'value'],
        Object.entries(moveCapKeys).map(([k, v]) => [k, v ?? 'n/a']),
      );
  }
  const m = result.machine;
  process.stdout.write(
    `\nmachine: ${m.cpu_model}, ${m.cores} cores; load ${m.load_avg_1m_start} → ${m.load_avg_1m_end}; steal ${m.steal_pct ?? 'n/a'} %\n`,
  );
}

/**
 * --energy-yaml FILE: the coefficients fitted here as a scenario's `energy:`
 * section, to paste into a scenario so `fleetsim run` charges delivery as this
 * machine pays it. Checked by the scenario parser before it is written.
 */
if (energyYamlFile !== undefined) {
  const m = result.machine;
  // The rows were checked before measuring; a fit can still fail on rows whose agent counted no reads.
  if (result.delivery_coefficients === null)
    throw new BenchFlagError(`--energy-yaml: no fitted coefficients to write (${fitRows.length} fit rows)`);
  const coefficients = {
    ...result.delivery_coefficients,
    deliverySource: `npm run bench:delivery on ${m.cpu_model} (${m.cores} cores), ${new Date().toISOString().slice(0, 16)} UTC, load ${m.load_avg_1m_start}–${m.load_avg_1m_end}`,
  };
  const block = `energy:\n${Object.entries(coefficients)
    .map(([k, v]) => `  ${k}: ${typeof v === 'string' ? JSON.stringify(v) : v}`)
    .join('\n')}\n`;
  parseScenario(`name: check\nseed: 1\nfleet: { employees: 1 }\n${block}`);
  writeFileSync(energyYamlFile, `# Delivery coefficients fitted by npm run bench:delivery: paste into a scenario.\n${block}`);
}
