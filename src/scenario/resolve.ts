/**
 * From the parsed file (zod output, library defaults already merged field by
 * field) to the Scenario the library runs: the merge rules that zod defaults
 * cannot express (mixes, codec levels), checks across sections, and times
 * resolved to milliseconds. Pure: no I/O.
 */
import type { AgentConfig } from '../agent/index.js';
import type { CapReaction, PopulationParams } from '../population/index.js';
import { DEFAULT_AGENT_CONFIG } from '../agent/index.js';
import { DEFAULT_POPULATION_PARAMS } from '../population/index.js';
import { CODEC_LEVELS, compressionLevelProblem } from '../wire/index.js';
import type { ScenarioIssueKind } from './errors.js';
import type { ScenarioFileOutput } from './schema.js';
import { didYouMean } from './suggest.js';
import { parseThreshold } from './thresholds.js';
import type { AgentConfiguration, AgentUnderTest, Fault, Scenario, SimulationWindow, SweepAxis, Threshold } from './types.js';
import { PLACEHOLDER_INPUT, PLACEHOLDER_NAMES, placeholdersIn, type PlaceholderName } from './placeholders.js';

/** An issue before it has a file position: a path into the file's value. */
export interface RawIssue {
  readonly path: readonly (string | number)[];
  readonly kind: ScenarioIssueKind;
  /** Complete sentence (what is allowed, and what was given when there was something). */
  readonly message: string;
  readonly given?: string;
  readonly allowed?: string;
}

const DAY_MS = 86_400_000;
const CAP_REACTIONS: readonly CapReaction[] = ['re-pause', 'give-up', 'ask-exemption'];
const MAX_SWEEP_POINTS = 100_000;

/** Weights of a replacing mix: every known key present, the ones the file left out at 0. */
function fullWeights<K extends string>(keys: readonly K[], given: Partial<Record<K, number>>): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, given[k] ?? 0])) as Record<K, number>;
}

export function resolveParsed(v: ScenarioFileOutput, source: string): { scenario?: Scenario; issues: RawIssue[] } {
  const issues: RawIssue[] = [];
  const f = v.fleet;

  // ── population ──
  const offices = f.offices ?? DEFAULT_POPULATION_PARAMS.offices;
  const officeNames = offices.map((o) => o.name);
  let officeMix: Record<string, number>;
  if (f.officeMix) {
    for (const name of Object.keys(f.officeMix)) {
      if (!officeNames.includes(name)) {
        const guess = didYouMean(name, officeNames);
        issues.push({
          path: ['fleet', 'officeMix', name],
          kind: 'unknown_field',
          message: `unknown office ${JSON.stringify(name)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''} (offices: ${officeNames.join(', ')})`,
          given: JSON.stringify(name),
          allowed: officeNames.join(', '),
        });
      }
    }
    officeMix = Object.fromEntries(officeNames.map((n) => [n, f.officeMix?.[n] ?? 0]));
    if (issues.length === 0 && !Object.values(officeMix).some((w) => w > 0)) {
      issues.push({ path: ['fleet', 'officeMix'], kind: 'range', message: 'must give at least one office a positive weight' });
    }
  } else if (f.offices) {
    // A new office list without a mix: each office weighs the same.
    officeMix = Object.fromEntries(officeNames.map((n) => [n, 1]));
  } else {
    officeMix = DEFAULT_POPULATION_PARAMS.officeMix;
  }
  const { employees, departmentMix, roleMix, offices: _o, officeMix: _m, ...rest } = f;
  const population: PopulationParams = {
    ...rest,
    departmentMix: departmentMix ?? DEFAULT_POPULATION_PARAMS.departmentMix,
    roleMix: { ...DEFAULT_POPULATION_PARAMS.roleMix, ...(roleMix ?? {}) },
    offices,
    officeMix,
    pause: { ...f.pause, reactionWeights: fullWeights(CAP_REACTIONS, f.pause.reactionWeights) },
  };

  const agent = resolveAgent(v.agent, ['agent'], issues);
  const agentUnderTest = resolveAgentUnderTest(v, issues);

  // ── ingest: no remote targets by accident ──
  if (v.ingest.kind === 'url' && !v.ingest.allowRemote && !isLoopback(v.ingest.url)) {
    issues.push({
      path: ['ingest', 'url'],
      kind: 'invalid',
      message: `must be on loopback (localhost, 127.0.0.1, [::1]) unless ingest.allowRemote is true, got ${JSON.stringify(v.ingest.url)}`,
      given: JSON.stringify(v.ingest.url),
      allowed: 'a loopback URL, or allowRemote: true',
    });
  }

  // ── faults: inside the simulated days, times in ms ──
  const days = v.simulation.days;
  const faults: Fault[] = v.faults.map((fault, i) => {
    if ('day' in fault && fault.day > days) {
      issues.push({
        path: ['faults', i, 'day'],
        kind: 'range',
        message: `must be a simulated day from 1 to ${days} (simulation.days), got ${fault.day}`,
        given: String(fault.day),
        allowed: `1 to ${days}`,
      });
    }
    if (!('at' in fault)) return fault;
    const [hh = 0, mm = 0] = fault.at.split(':').map(Number);
    const startMs = (fault.day - 1) * DAY_MS + (hh * 60 + mm) * 60_000;
    if (fault.kind === 'ingest-restart') return { ...fault, atMs: startMs };
    return { ...fault, startMs, endMs: startMs + fault.durationMinutes * 60_000 } as Fault;
  });

  // ── a paced run's window: inside the simulated days, and only when paced ──
  let window: SimulationWindow | null = null;
  const w = v.simulation.window;
  if (w) {
    if (v.simulation.speed === 'max') {
      issues.push({
        path: ['simulation', 'window'],
        kind: 'invalid',
        message:
          'only applies to paced runs: set simulation.speed to a number (1 = real time), or remove the window to run every day as fast as possible',
        given: `{day: ${w.day}, at: "${w.at}", durationMinutes: ${w.durationMinutes}}`,
        allowed: 'null, or a window with a numeric speed',
      });
    }
    if (w.day > days) {
      issues.push({
        path: ['simulation', 'window', 'day'],
        kind: 'range',
        message: `must be a simulated day from 1 to ${days} (simulation.days), got ${w.day}`,
        given: String(w.day),
        allowed: `1 to ${days}`,
      });
    }
    const [hh = 0, mm = 0] = w.at.split(':').map(Number);
    const startMs = (w.day - 1) * DAY_MS + (hh * 60 + mm) * 60_000;
    window = { ...w, startMs, endMs: startMs + w.durationMinutes * 60_000 };
    // Past the last day there is nothing simulated: the run would measure a slice of the window and report
    // it as the whole (a 1,440-minute window from 14:00 would read as a day).
    if (w.day <= days && window.endMs > days * DAY_MS) {
      const latestMinutes = (days * DAY_MS - startMs) / 60_000;
      issues.push({
        path: ['simulation', 'window', 'durationMinutes'],
        kind: 'range',
        message:
          `must end by the end of the last simulated day (day ${days}, so by ${dayTime(days * DAY_MS)} UTC), ` +
          `got ${w.durationMinutes} minutes from ${dayTime(startMs)} UTC, which end on ${dayTime(window.endMs, ' at ')} UTC: ` +
          `make it at most ${latestMinutes} ${latestMinutes === 1 ? 'minute' : 'minutes'}, or raise simulation.days to ${Math.ceil(window.endMs / DAY_MS)}`,
        given: String(w.durationMinutes),
        allowed: `up to ${latestMinutes}`,
      });
    }
  }

  // ── thresholds (their grammar already checked by the schema): each must name a figure this run will have ──
  const thresholds: Threshold[] = [];
  v.thresholds.forEach((s, i) => {
    const r = parseThreshold(s);
    if (!r.ok) return;
    const shape: RunShape = {
      paced: v.simulation.speed !== 'max',
      process: agentUnderTest.kind === 'process',
      networked: v.transport === 'http',
      outages: faults.some((f) => f.kind === 'ingest-outage'),
      windowMinutes: v.simulation.speed !== 'max' && window ? window.durationMinutes : null,
    };
    const why = figureAbsentBecause(r.threshold.metric, shape);
    if (why !== null) {
      issues.push({
        path: ['thresholds', i],
        kind: 'invalid',
        message: `names ${r.threshold.metric}, which this run will not have: ${why}; the threshold could only fail`,
        given: JSON.stringify(s),
        allowed: 'a threshold on a figure this scenario produces',
      });
      return;
    }
    const notADay = figureNotPerDayBecause(r.threshold.metric, shape);
    if (notADay !== null) {
      issues.push({
        path: ['thresholds', i],
        kind: 'invalid',
        message: `names ${r.threshold.metric}, a figure per day this run cannot give: ${notADay}`,
        given: JSON.stringify(s),
        allowed: 'a threshold on a figure this scenario produces',
      });
      return;
    }
    thresholds.push(r.threshold);
  });

  // ── sweep: axes in file order ──
  let sweep: Scenario['sweep'];
  if (v.sweep) {
    const axes: SweepAxis[] = [];
    for (const [k, values] of Object.entries(v.sweep.policy ?? {}) as [string, unknown[] | undefined][])
      if (values) axes.push({ path: `policy.${k}`, values });
    for (const [k, values] of Object.entries(v.sweep.fleet?.pause ?? {}) as [string, unknown[] | undefined][]) {
      if (!values) continue;
      axes.push({
        path: `fleet.pause.${k}`,
        values: k === 'reactionWeights' ? values.map((w) => fullWeights(CAP_REACTIONS, w as Partial<Record<CapReaction, number>>)) : values,
      });
    }
    if (v.sweep.fleet?.exemptionRequestShare)
      axes.push({ path: 'fleet.exemptionRequestShare', values: v.sweep.fleet.exemptionRequestShare });
    if (v.sweep.agents) {
      const names = v.sweep.agents.map((a) => a.name);
      names.forEach((n, i) => {
        if (names.indexOf(n) !== i)
          issues.push({
            path: ['sweep', 'agents', i, 'name'],
            kind: 'invalid',
            message: `must be unique: another agent configuration is named ${JSON.stringify(n)}`,
          });
      });
      v.sweep.agents.forEach((a, i) => {
        for (const k of PROCESS_FIELDS) {
          if (a.agent[k] !== undefined)
            issues.push({
              path: ['sweep', 'agents', i, 'agent', k],
              kind: 'invalid',
              message: `cannot be swept: a sweep compares configurations of the reference agent in virtual time; leave ${k} out here`,
            });
        }
      });
      axes.push({
        path: 'agent',
        values: v.sweep.agents.map((a, i) => resolveAgent(a.agent, ['sweep', 'agents', i, 'agent'], issues)),
        labels: names,
      });
    }
    const points = axes.reduce((n, a) => n * a.values.length, 1);
    if (points * v.sweep.replicas > MAX_SWEEP_POINTS) {
      issues.push({
        path: ['sweep'],
        kind: 'range',
        message: `asks for ${points} grid points × ${v.sweep.replicas} replicas = ${points * v.sweep.replicas} runs; at most ${MAX_SWEEP_POINTS} are allowed`,
      });
    }
    sweep = { replicas: v.sweep.replicas, axes, points };
  }

  // ── agent configurations side by side ──
  let agents: AgentConfiguration[] | undefined;
  if (v.agents) {
    const names = v.agents.map((a) => a.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        issues.push({
          path: ['agents', i, 'name'],
          kind: 'invalid',
          message: `must be unique: another agent configuration is named ${JSON.stringify(n)}`,
        });
    });
    if (agentUnderTest.kind === 'process') {
      issues.push({
        path: ['agents'],
        kind: 'invalid',
        message:
          'cannot be measured with a process agent (agent.kind: process): configurations side by side are of the reference agent; leave agents out, or compare two process runs with fleetsim compare',
      });
    }
    if (v.sweep || v.compare)
      issues.push({
        path: ['agents'],
        kind: 'invalid',
        message: `cannot be combined with ${v.sweep ? 'sweep' : 'compare'}: list agent configurations under sweep.agents for a sweep, or in compare's baseline and candidate`,
      });
    agents = v.agents.map((a, i) => {
      for (const k of PROCESS_FIELDS) {
        if (a.agent[k] !== undefined)
          issues.push({
            path: ['agents', i, 'agent', k],
            kind: 'invalid',
            message: `cannot be set per configuration: configurations side by side are of the reference agent; leave ${k} out here`,
          });
      }
      // Over the library defaults, as sweep.agents: each configuration reads whole, whatever the top-level agent says.
      return { name: a.name, agent: resolveAgent(a.agent, ['agents', i, 'agent'], issues) };
    });
  }

  if (issues.length > 0) return { issues };
  const scenario: Scenario = {
    name: v.name,
    description: v.description,
    seed: String(v.seed),
    fleet: { employees },
    population,
    behaviour: v.behaviour,
    rules: v.policy,
    agent,
    agentUnderTest,
    energy: v.energy,
    ingest: v.ingest,
    transport: v.transport as Scenario['transport'],
    simulation: { ...(v.simulation as Scenario['simulation']), window },
    faults,
    thresholds,
    outputs: v.outputs,
    ...(sweep ? { sweep } : {}),
    ...(agents ? { agents } : {}),
    source,
  };
  return { scenario, issues };
}

/** Simulated time (ms after the start date's 00:00 UTC) as a scenario writes it: "day 2 09:30" (`between` day and time), seconds only when there are some. */
function dayTime(ms: number, between = ' '): string {
  const day = Math.floor(ms / DAY_MS) + 1;
  const s = Math.round((ms % DAY_MS) / 1000);
  const hhmm = `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}`;
  return `day ${day}${between}${hhmm}${s % 60 ? `:${String(s % 60).padStart(2, '0')}` : ''}`;
}

type ParsedAgent = ScenarioFileOutput['agent'];

/** The fields of the agent section that choose the agent under test rather than configure the reference agent. */
const PROCESS_FIELDS = ['kind', 'command', 'env', 'input'] as const;

/**
 * Which agent runs, and whether the rest of the scenario can run it: a
 * process agent lives on the real clock (speed 1, a window), uploads over
 * HTTP, and names only placeholders the run fills.
 */
/** What kind of run a scenario asks for, as far as which figures it produces. */
interface RunShape {
  readonly paced: boolean;
  readonly process: boolean;
  /** Uploads travel over HTTP (transport http), so the laptops time each request. */
  readonly networked: boolean;
  readonly outages: boolean;
  /** A paced run over simulation.window: its length in minutes (null: no window, whole days). */
  readonly windowMinutes: number | null;
}

/** The figures of the reference agent named per day: bytes and battery per laptop per worked day. */
const PER_DAY_FIGURE = /^(bandwidth\.mb_per_laptop_day|battery\.pct_per_day|battery\.wh_per_day)\./;

/**
 * Why a run of this shape cannot give `metric` per day, or null when it can.
 * A paced run over a window shorter than a day adds up each laptop's costs
 * over the window only, so its "per day" figures are per window and a
 * threshold written per day would pass on a slice of the day. They are not
 * scaled up instead: a window's share of a laptop's day depends on when each
 * employee arrives and leaves, and use is not spread evenly over a day
 * (arrivals, the morning surge, lunch, batches sealed every few minutes),
 * so any factor would be a guess the run cannot check. (Process agents are
 * another matter: their per-day figures scale the hours they were observed
 * to a working day by design, see run/process/facts.ts.)
 */
export function figureNotPerDayBecause(metric: string, run: RunShape): string | null {
  if (!PER_DAY_FIGURE.test(metric) || run.process || run.windowMinutes === null || run.windowMinutes >= DAY_MS / 60_000) return null;
  return (
    `simulation.window covers ${run.windowMinutes} min of each day, and the run reports its figures per ${run.windowMinutes} min window, not per day ` +
    `(a day's use is not spread evenly over its hours, so the window is not scaled up to one); ` +
    `judge whole days (leave the window out, or make it 1440 min or more), or a rate the window does measure: bandwidth.kb_per_active_hour, battery.wakeups_per_min`
  );
}

/** Why a run of this shape leaves `metric` empty (summary.json: null), or null when it fills it. */
export function figureAbsentBecause(metric: string, run: RunShape): string | null {
  if (metric.startsWith('paced.') && !run.paced)
    return 'paced figures come from paced runs only (simulation.speed a number), and this one runs at speed max';
  if (metric.startsWith('process.') && !run.process)
    return 'process figures come from process agents only (agent.kind: process), and this run drives the reference agent in virtual time';
  if (/^ingest\.(p50|p90|p99|p999|max)_ms$/.test(metric) && !run.networked)
    return 'upload latency is timed only when uploads travel over HTTP (transport: http)';
  if (metric === 'faults.peak_to_steady' && !run.outages)
    return 'it measures the return after an ingest outage, and faults lists no ingest-outage';
  return null;
}

function resolveAgentUnderTest(v: ScenarioFileOutput, issues: RawIssue[]): AgentUnderTest {
  const a = v.agent;
  if (a.kind !== 'process') {
    for (const k of ['command', 'env', 'input', 'settleSeconds'] as const) {
      if (a[k] !== undefined)
        issues.push({
          path: ['agent', k],
          kind: 'invalid',
          message: `only applies to a process agent: add agent.kind: process (the agent under test as its own OS process), or leave ${k} out`,
          allowed: 'agent.kind: process',
        });
    }
    if (v.ingest.kind === 'blackhole') {
      issues.push({
        path: ['ingest', 'kind'],
        kind: 'invalid',
        message:
          'blackhole is for process agents that do not speak fleetsim’s protocol (agent.kind: process); the reference agent in the simulator uploads to the embedded service or a URL',
        given: '"blackhole"',
        allowed: 'embedded, url',
      });
    }
    return { kind: 'reference' };
  }
  const input = a.input ?? 'tap';
  const { speed, window } = v.simulation;
  if (speed !== 1) {
    issues.push({
      path: ['simulation', 'speed'],
      kind: 'invalid',
      message: `must be 1 for a process agent (agent.kind: process runs on the real clock), got ${String(speed)}`,
      given: String(speed),
      allowed: '1',
    });
  }
  if (!window) {
    issues.push({
      path: ['simulation', 'window'],
      kind: 'required',
      message:
        'is required for a process agent: the slice of simulated time to run on the real clock, e.g. window: { day: 1, at: "09:30", durationMinutes: 1 }',
      allowed: '{day, at, durationMinutes}',
    });
  }
  if (v.transport !== 'http') {
    issues.push({
      path: ['transport'],
      kind: 'invalid',
      message: `must be http for a process agent (it uploads over HTTP to {uploadUrl}), got ${v.transport}`,
      given: String(v.transport),
      allowed: 'http',
    });
  }
  if (v.faults.length > 0) {
    issues.push({
      path: ['faults'],
      kind: 'invalid',
      message: 'cannot be injected into a process agent’s run (faults act inside the simulator’s transport and clock); leave faults out',
      given: `a list of ${v.faults.length}`,
      allowed: 'an empty list',
    });
  }
  if (v.sweep)
    issues.push({
      path: ['sweep'],
      kind: 'invalid',
      message:
        'cannot run with a process agent: a sweep replays the fleet many times in virtual time; leave sweep out or use agent.kind: reference',
    });
  const command = a.command ?? null;
  if (command && command[0]!.trim() === '') {
    issues.push({
      path: ['agent', 'command', 0],
      kind: 'invalid',
      message: 'must start with the program to run, got an empty text',
      given: '""',
      allowed: 'a program name or path',
    });
  }
  const check = (text: string, path: (string | number)[]) => {
    for (const name of placeholdersIn(text)) {
      if (!(PLACEHOLDER_NAMES as readonly string[]).includes(name)) {
        const guess = didYouMean(name, PLACEHOLDER_NAMES);
        issues.push({
          path,
          kind: 'invalid',
          message: `unknown placeholder {${name}}${guess ? `; did you mean {${guess}}?` : ''} (placeholders: ${PLACEHOLDER_NAMES.map((n) => `{${n}}`).join(', ')}; {{ and }} give literal braces)`,
          given: `{${name}}`,
          allowed: PLACEHOLDER_NAMES.map((n) => `{${n}}`).join(', '),
        });
        continue;
      }
      const only = PLACEHOLDER_INPUT[name as PlaceholderName];
      if (only && only !== input) {
        issues.push({
          path,
          kind: 'invalid',
          message: `placeholder {${name}} only exists with agent.input ${only}, and this agent’s input is ${input}`,
          given: `{${name}}`,
          allowed: `agent.input: ${only}`,
        });
      }
    }
  };
  command?.forEach((arg, i) => check(arg, ['agent', 'command', i]));
  for (const [k, val] of Object.entries(a.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      issues.push({
        path: ['agent', 'env', k],
        kind: 'invalid',
        message: `must be an environment variable name (letters, digits, _; not starting with a digit), got ${JSON.stringify(k)}`,
        given: JSON.stringify(k),
      });
    check(val, ['agent', 'env', k]);
  }
  return { kind: 'process', command, env: a.env ?? {}, input, settleSeconds: a.settleSeconds ?? 0 };
}

/** The agent section with its codec rule: a file that sets the codec but not the level gets the codec's default level. */
function resolveAgent(a: ParsedAgent, at: readonly (string | number)[], issues: RawIssue[]): AgentConfig {
  const { codec: givenCodec, compressionLevel: givenLevel, kind: _k, command: _c, env: _e, input: _i, settleSeconds: _s, ...rest } = a;
  const codec = (givenCodec ?? DEFAULT_AGENT_CONFIG.codec) as AgentConfig['codec'];
  const compressionLevel = givenCodec === undefined ? (givenLevel ?? DEFAULT_AGENT_CONFIG.compressionLevel) : givenLevel;
  const problem = compressionLevelProblem(codec, compressionLevel);
  if (problem !== null) {
    const r = codec === 'identity' ? undefined : CODEC_LEVELS[codec];
    issues.push({
      path: [...at, 'compressionLevel'],
      kind: r === undefined ? 'invalid' : 'range',
      message: `${problem}, got ${compressionLevel}`,
      given: String(compressionLevel),
      allowed: r === undefined ? 'nothing' : `${r.min} to ${r.max}`,
    });
  }
  return { ...rest, codec, ...(compressionLevel !== undefined ? { compressionLevel } : {}) };
}

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
