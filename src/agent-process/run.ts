/**
 * The reference agent as its own OS process: the same CaptureAgent a
 * simulation runs, on the real clock (plus an offset), fed by an OS input
 * path one delivery at a time, uploading over HTTP. Runs until SIGTERM or
 * SIGINT, or until its input ends; then seals the open batch, drains uploads
 * for a bounded time and writes its stats.
 */
import type net from 'node:net';
import { CaptureAgent, EnrollmentError, HttpTransport, enrollOverHttp, sequenceCounter } from '../agent/index.js';
import { createRequestSigner } from '../auth/index.js';
import { RunError } from '../errors.js';
import type { InputSource, UiAction } from '../input/types.js';
import { utcOffsetMinutes } from '../time/index.js';
import { createStream } from '../random/index.js';
import { connectControl } from './control.js';
import { createInputSource, inputCounters } from './input.js';
import type { AgentProcessOptions } from './options.js';
import { RealClock } from './real-clock.js';
import { encodeFreshness, freshnessFigures } from '../metrics/freshness.js';
import { buildStats, writeStatsFile, type AgentProcessStats, type StopReason } from './stats.js';

export interface AgentProcessIo {
  readonly log: (line: string) => void;
  /** Where SIGTERM and SIGINT come from (a test may hand its own emitter). */
  readonly signals?: NodeJS.EventEmitter;
}

/** Runs until stopped; resolves with the stats (also written to statsFile), or rejects with RunError if input broke. */
export async function runAgentProcess(o: AgentProcessOptions, io: AgentProcessIo): Promise<AgentProcessStats> {
  const clock = new RealClock(o.timeOffsetMs);
  const startedMs = clock.now();
  // Listening from the start: a SIGTERM while enrolling or connecting stops the agent once it is up, with its stats.
  let stop!: (reason: StopReason, error?: Error) => void;
  const stopped = new Promise<{ reason: StopReason; error?: Error }>((resolve) => {
    stop = (reason, error) => resolve({ reason, ...(error ? { error } : {}) });
  });
  const signals = io.signals ?? process;
  const onTerm = () => stop('SIGTERM');
  const onInt = () => stop('SIGINT');
  signals.on('SIGTERM', onTerm);
  signals.on('SIGINT', onInt);
  let creds;
  try {
    creds = await enrollOverHttp({
      url: o.url,
      fleetSecret: o.fleetSecret,
      deviceId: o.deviceId,
      ...(o.timezone !== undefined ? { timezone: o.timezone } : {}),
      timeoutMs: 10_000,
    });
  } catch (e) {
    signals.off('SIGTERM', onTerm);
    signals.off('SIGINT', onInt);
    const why =
      e instanceof EnrollmentError && e.status !== 0 ? e.message : `${(e as Error).message} (is the ingest service running there?)`;
    throw new RunError('IO', `the agent could not enroll ${o.deviceId} at ${o.url}: ${why}`, { cause: e });
  }
  // Requests are signed, and Retry-After dates read, on the real wall clock: they are about when a request is sent, which is
  // now even when the agent's clock replays a past day (events keep that clock's time). Any service can check them.
  const transport = new HttpTransport({
    url: new URL('/v1/batches', o.url).toString(),
    sign: createRequestSigner(creds, Date.now, 'authorization'),
  });
  const tz = o.timezone;
  const agent = new CaptureAgent(
    {
      clock,
      transport,
      rng: createStream(o.seed, 'agent-process', o.deviceId, Math.floor(startedMs)),
      deviceId: o.deviceId,
      rules: o.rules,
      // The input path stamps events with the agent's clock already.
      inputTimeOffsetMs: 0,
      ...(tz !== undefined ? { utcOffsetMinutes: (utcMs: number) => utcOffsetMinutes(tz, utcMs) } : {}),
      sequences: sequenceCounter(o.firstSequence),
    },
    o.agentConfig,
  );

  const control = { applied: 0, rejected: 0, pauses_granted: 0, pauses_refused: 0 };
  const onAction = (a: UiAction) => {
    control.applied++;
    if (a.kind === 'exempt') return agent.exemptFrom(a.atMs);
    const d = agent.requestPause(a.atMs, a.wantedMs, a.dayStartMs);
    if (d.kind === 'granted') control.pauses_granted++;
    else control.pauses_refused++;
  };

  let source: InputSource | null = null;
  let controlSocket: net.Socket | null = null;
  try {
    if (o.controlPath !== undefined) {
      controlSocket = await connectControl(o.controlPath, onAction, (err) => {
        control.rejected++;
        io.log(`ignored a control line: ${err}`);
      });
    }
    source = await createInputSource(
      o.input,
      { onEnd: () => stop('input-ended'), onError: (e) => stop('input-failed', e) },
      o.timeOffsetMs,
      {
        readIntervalMs: o.agentConfig.inputReadIntervalMs,
        x11Capture: o.agentConfig.x11Capture,
      },
    );
    await source.start((block) => agent.capture(block));
  } catch (e) {
    signals.off('SIGTERM', onTerm);
    signals.off('SIGINT', onInt);
    controlSocket?.destroy();
    await source?.close();
    await transport.close();
    throw e;
  }
  io.log(
    `agent ${o.deviceId} enrolled at ${o.url}; reading ${o.input.kind === 'tap' ? `tap ${o.input.socketPath}` : `display ${o.input.display}`}`,
  );

  const { reason, error } = await stopped;
  signals.off('SIGTERM', onTerm);
  signals.off('SIGINT', onInt);
  await source.close();
  controlSocket?.destroy();
  let drainTimedOut: boolean;
  try {
    drainTimedOut = await drain(agent, transport, o.drainTimeoutMs);
  } catch (e) {
    await transport.close();
    // Sealing fails when event times and the agent's clock are far apart (a batch spans at most a day).
    throw new RunError(
      'IO',
      `the agent could not seal its last batch: ${(e as Error).message} (do the input's event times match the agent's clock? see --time-offset-ms)`,
      { cause: e },
    );
  }
  const counts = inputCounters(source);
  const stats = buildStats({
    device_id: o.deviceId,
    input: o.input.kind,
    stop_reason: reason,
    ...(error ? { error: error.message } : {}),
    started_ms: startedMs,
    stopped_ms: clock.now(),
    ledger: agent.ledger,
    costs: agent.costs,
    input_events: counts.events,
    input_deliveries: counts.deliveries,
    control,
    drain_timed_out: drainTimedOut,
    freshness: { ...freshnessFigures(agent.freshness), histogram: encodeFreshness(agent.freshness) },
  });
  if (o.statsFile !== undefined) writeStatsFile(o.statsFile, stats);
  if (error)
    throw new RunError('IO', `${error.message}; the agent stopped${o.statsFile !== undefined ? ` (stats in ${o.statsFile})` : ''}`, {
      cause: error,
    });
  return stats;
}

/**
 * Seals the open batch and lets uploads finish for at most timeoutMs; then
 * cuts what is still in flight (its batch stays spooled) and closes. Returns
 * whether the timeout cut anything.
 */
async function drain(agent: CaptureAgent, transport: HttpTransport, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  const r = await Promise.race([agent.finish().then(() => 'done' as const), late]);
  clearTimeout(timer);
  // Destroying the connection fails an upload in flight at once: the uploader keeps its batch spooled.
  if (r === 'late') await transport.close();
  await agent.close();
  await transport.close();
  return r === 'late';
}
