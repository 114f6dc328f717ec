/**
 * What an agent can do to cut what input delivery costs it, measured side by
 * side: the same seeded laptop's realistic input replayed on the real clock
 * into the reference agent as a process, once per option, options
 * interleaved round by round (the shared machine's load drifts; a row's
 * neighbours saw the same load). An option is a set of agent settings
 * (agent.inputReadIntervalMs, agent.x11Capture), a source setting
 * (agent.sourceMoveRateHz: the laptop's pointer reporting motion at a lower
 * rate) and an input path.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateBlock } from '../../src/events/index.js';
import { ledgerImbalance } from '../../src/metrics/ledger.js';
import { emptyKinds } from '../../src/metrics/delivery.js';
import type { InputKind } from '../../src/input/types.js';
import { parseScenario } from '../../src/scenario/index.js';
import { defaultProcessDeps } from '../../src/run/process/deps.js';
import { runProcessFleet } from '../../src/run/process/process-run.js';
import type { WindowInput } from '../../src/run/process/laptop-input.js';

/** The input a row replayed (before the source's cap) and its window on the agent's clock, for the virtual-time model of the same events. */
export type OnInput = (option: DeliveryOption, input: WindowInput, fromUtcMs: number, untilUtcMs: number) => void;

export interface DeliveryOption {
  /** A short stable key (delivery-rows.ts), for --rows. */
  readonly key: string;
  readonly name: string;
  readonly input: InputKind;
  readonly readIntervalMs: number;
  readonly x11Capture: 'record' | 'xi2';
  /** agent.sourceMoveRateHz (0 or absent: every move delivered). */
  readonly sourceMoveRateHz?: number;
  /** No input at all: what the agent costs over the same window doing nothing (the floor under every row). */
  readonly idle?: boolean;
}

export interface OptionRow {
  readonly key: string;
  readonly option: string;
  /** The idle agent's row (no input): the floor under the others. */
  readonly idle: boolean;
  readonly input: InputKind;
  readonly read_interval_ms: number;
  readonly x11_capture: 'record' | 'xi2' | null;
  readonly source_move_rate_hz: number;
  /** Events put into the path per round (after the source's move cap). */
  readonly injected: number;
  /** Moves the source's cap merged per round, their share of the moves the employee made, and per working day (window scaled as battery is). */
  readonly source_moves_coalesced: number;
  readonly source_moves_removed_share: number | null;
  readonly source_moves_coalesced_per_day: number;
  readonly cpu_us_per_event: number | null;
  readonly wakeups_per_event: number | null;
  readonly cpu_seconds_per_laptop_hour: number;
  readonly wakeups_per_active_minute: number | null;
  readonly battery_pct_per_day: number;
  /** Per round: the agent's CPU seconds and wake-ups (observed), and its reads of input (its own count; null when it reports none). */
  readonly cpu_seconds: number;
  readonly wakeups: number;
  readonly reads: number | null;
  /** Per round: the agent's page faults (major: memory the OS reclaimed while it slept, read back). */
  readonly minor_faults: number;
  readonly major_faults: number;
  /** Events the agent accounted for (its ledger's produced) over events injected. */
  readonly received_share: number | null;
  readonly ledger_balanced: boolean | null;
  readonly rounds: number;
  /** Each round on its own (a fit per round puts a spread on the coefficients). */
  readonly per_round: readonly RoundFigures[];
}

/** One round of one option: the agent's CPU seconds and wake-ups (observed), its reads (0 when it reports none) and the events injected. */
export interface RoundFigures {
  readonly cpu_seconds: number;
  readonly wakeups: number;
  readonly reads: number;
  readonly injected: number;
}

function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

interface Once {
  cpuS: number;
  minorFaults: number;
  majorFaults: number;
  wakeups: number;
  wallH: number;
  injected: number;
  moves: number;
  coalesced: number;
  coalescedPerDay: number;
  activeMin: number;
  battery: number;
  produced: number | null;
  balanced: boolean | null;
  reads: number;
}

async function runOnce(
  o: DeliveryOption,
  windowSeconds: number,
  run: { readonly settleMs: number; readonly referenceNodeFlags: readonly string[] },
  onInput?: OnInput,
): Promise<Once> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-delivery-options-'));
  try {
    // The run hands the reference agent this scenario's agent: and policy: settings (fleetsim agent --settings).
    const file = join(dir, 'scenario.yaml');
    const text =
      `name: bench-delivery-options\nseed: 1\nfleet: { employees: 1, offices: [{ name: Berlin, timezone: Europe/Berlin }] }\n` +
      `agent: { kind: process, input: ${o.input}, inputReadIntervalMs: ${o.readIntervalMs}, x11Capture: ${o.x11Capture}, sourceMoveRateHz: ${o.sourceMoveRateHz ?? 0} }\ntransport: http\n` +
      `simulation:\n  speed: 1\n  window: { day: 1, at: "10:00", durationMinutes: ${windowSeconds / 60} }\n`;
    writeFileSync(file, text);
    const s = parseScenario(text, file);
    let input: WindowInput | null = null;
    const r = await runProcessFleet(s, {
      reportDir: join(dir, 'report'),
      deps: defaultProcessDeps(),
      settleMs: run.settleMs,
      referenceNodeFlags: run.referenceNodeFlags,
      transformInput: o.idle ? (w) => ({ ...w, events: allocateBlock(0), byKind: emptyKinds(), ui: [] }) : (w) => (input = w),
    });
    const facts = r.result.process!;
    const l = facts.laptops[0]!;
    if (input) onInput?.(o, input, Date.parse(facts.virtual_start_utc), Date.parse(facts.virtual_end_utc));
    const obs = l.observation;
    const wallH = obs.wall_ms / 3_600_000;
    return {
      cpuS: obs.cpu_user_s + obs.cpu_system_s,
      minorFaults: obs.minor_faults,
      majorFaults: obs.major_faults,
      wakeups: obs.voluntary_switches,
      wallH,
      injected: l.injected,
      moves: l.injectedByKind.move,
      coalesced: l.sourceCoalesced,
      coalescedPerDay: wallH > 0 ? (l.sourceCoalesced * l.dayWorkHours) / wallH : 0,
      activeMin: l.row.active_minutes,
      battery: l.row.battery_pct_per_day,
      // The agent's ledger counts what it received; the merged moves are the source's.
      produced: l.ledger.produced - l.sourceCoalesced,
      balanced: ledgerImbalance(l.ledger) === 0 && l.ledger.produced === l.injected + l.sourceCoalesced,
      reads: l.row.delivery_reads,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every option `rounds` times, interleaved, and sums each option's rounds into one row. */
export async function measureOptions(
  options: readonly DeliveryOption[],
  o: {
    readonly windowSeconds: number;
    readonly rounds: number;
    /** Unobserved wall time each agent runs before its window (ProcessRunOptions.settleMs). */
    readonly settleMs?: number;
    /** Node flags of the reference agent (ProcessRunOptions.referenceNodeFlags). */
    readonly referenceNodeFlags?: readonly string[];
    readonly onRow?: (name: string, round: number) => void;
    readonly onInput?: OnInput;
  },
): Promise<OptionRow[]> {
  const sums = options.map(() => ({
    cpuS: 0,
    minorFaults: 0,
    majorFaults: 0,
    wakeups: 0,
    wallH: 0,
    injected: 0,
    moves: 0,
    coalesced: 0,
    coalescedPerDay: 0,
    activeMin: 0,
    battery: 0,
    produced: 0,
    balanced: true as boolean | null,
    reads: 0,
    perRound: [] as RoundFigures[],
  }));
  for (let k = 0; k < o.rounds; k++) {
    for (let i = 0; i < options.length; i++) {
      o.onRow?.(options[i]!.name, k);
      const r = await runOnce(
        options[i]!,
        o.windowSeconds,
        { settleMs: o.settleMs ?? 0, referenceNodeFlags: o.referenceNodeFlags ?? [] },
        k === 0 ? o.onInput : undefined,
      );
      const s = sums[i]!;
      s.cpuS += r.cpuS;
      s.minorFaults += r.minorFaults;
      s.majorFaults += r.majorFaults;
      s.wakeups += r.wakeups;
      s.wallH += r.wallH;
      s.injected += r.injected;
      s.moves += r.moves;
      s.coalesced += r.coalesced;
      s.coalescedPerDay += r.coalescedPerDay / o.rounds;
      s.activeMin += r.activeMin;
      s.battery += r.battery / o.rounds;
      s.produced += r.produced ?? 0;
      s.reads += r.reads;
      s.perRound.push({ cpu_seconds: round(r.cpuS, 5), wakeups: r.wakeups, reads: r.reads, injected: r.injected });
      s.balanced = r.balanced === null || s.balanced === null ? null : s.balanced && r.balanced;
    }
  }
  return options.map((opt, i) => {
    const s = sums[i]!;
    const n = s.injected;
    return {
      key: opt.key,
      option: opt.name,
      idle: opt.idle === true,
      input: opt.input,
      read_interval_ms: opt.readIntervalMs,
      x11_capture: opt.input === 'x11' ? opt.x11Capture : null,
      source_move_rate_hz: opt.sourceMoveRateHz ?? 0,
      injected: n / o.rounds,
      source_moves_coalesced: s.coalesced / o.rounds,
      source_moves_removed_share: s.moves + s.coalesced > 0 && !opt.idle ? round(s.coalesced / (s.moves + s.coalesced), 4) : null,
      source_moves_coalesced_per_day: Math.round(s.coalescedPerDay),
      cpu_us_per_event: n > 0 ? round((s.cpuS * 1e6) / n, 1) : null,
      wakeups_per_event: n > 0 ? round(s.wakeups / n, 4) : null,
      cpu_seconds_per_laptop_hour: round(s.cpuS / s.wallH, 3),
      wakeups_per_active_minute: s.activeMin > 0 ? round(s.wakeups / s.activeMin, 1) : null,
      battery_pct_per_day: round(s.battery, 4),
      cpu_seconds: round(s.cpuS / o.rounds, 4),
      wakeups: round(s.wakeups / o.rounds, 1),
      reads: opt.idle || s.reads === 0 ? null : round(s.reads / o.rounds, 1),
      minor_faults: round(s.minorFaults / o.rounds, 1),
      major_faults: round(s.majorFaults / o.rounds, 1),
      received_share: n > 0 && !opt.idle ? round(s.produced / n, 4) : null,
      ledger_balanced: opt.idle ? null : s.balanced,
      rounds: o.rounds,
      per_round: s.perRound,
    };
  });
}
