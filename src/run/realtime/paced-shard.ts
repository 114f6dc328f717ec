import { RunError } from '../../errors.js';
import { encodeLatency } from '../../metrics/latency.js';
import { cpuMicros } from '../../metrics/cpu.js';
import { createEmployee } from '../../population/index.js';
import type { RunShardTask } from '../shard.js';
import { ShardTally, type RunShardResult } from '../shard-tally.js';
import { MeasuredTransport, createTransport, deviceIdFor } from '../transports.js';
import { ComposeWriter, PacedLaptop, type PacedContext } from './paced-laptop.js';
import { PacedScheduler } from './scheduler.js';
import { arriveAndWait, writeProgress } from './sync.js';
import { dayEnvironment } from '../../behaviour/index.js';
import { BytePool } from '../../events/index.js';

/** How a paced run moves: its speed and the slice of virtual time it covers. */
export interface Pacing {
  /** Virtual seconds per wall second (1 = real time). */
  readonly speed: number;
  /** Laptops switch on at this true instant (UTC epoch ms). */
  readonly fromUtcMs: number;
  /** The run stops here; null: when every day has drained. */
  readonly untilUtcMs: number | null;
}

export interface PacedShardTask extends RunShardTask {
  readonly pacing: Pacing;
  /** The employees this worker runs side by side: [from, to) ranges (from/to span them all). */
  readonly ranges: readonly { readonly from: number; readonly to: number }[];
  /** The run's start gate and progress board (sync.ts); this task writes progress to `slot`. */
  readonly sync: SharedArrayBuffer;
  readonly slot: number;
}

/**
 * Free buffers a worker keeps for reuse (bytes). Laptops grow their batches
 * and resize their queues at different times, so what one gives back another
 * soon takes: a few MB is plenty, and a stop that releases every laptop's
 * storage at once keeps no more than this of it.
 */
const POOLED_FREE_BYTES = 16 << 20;

/**
 * Storage a worker sets aside per laptop before the clock starts, to carve
 * queues, open batches and movements from (BytePool's reservation). In a
 * 100,000-laptop run a worker's ArrayBuffers (V8's external_memory) came to
 * about 5 KB a laptop when the clock started and 9 KB two minutes later, as
 * batches filled: each 64 MB of new ArrayBuffers started a major collection
 * on Node 20, garbage or not. With the reservation it stayed flat. Untouched
 * pages of the reservation are never resident.
 */
const RESERVED_BYTES_PER_LAPTOP = 12 << 10;

/** Laptops a worker closes at once when the run stops (each seals its open batch and uploads it). */
const STOP_CONCURRENCY = 256;

/** How often a worker posts progress (wall ms). */
const PROGRESS_EVERY_MS = 500;

/**
 * Employees [from, to) side by side on the wall clock: every laptop's agent
 * timers in one scheduler, input captured as time passes it, uploads when
 * they fall due. Before the shared start every laptop is set up and its first
 * input composed, so the clock starts on a ready fleet. The result is the
 * same shape as a virtual-time shard's, plus how late the agents' timers fired.
 */
export async function runPacedShard(task: PacedShardTask): Promise<RunShardResult> {
  const c0 = cpuMicros();
  const { pacing } = task;
  const until = pacing.untilUtcMs ?? Infinity;
  const env = dayEnvironment(task);
  const tally = new ShardTally(task.calendar.epochUtcMs, task.energy);
  const scheduler = new PacedScheduler(pacing.fromUtcMs, pacing.speed);
  let events = 0;
  let uploads = 0;
  let remaining = task.ranges.reduce((a, r) => a + r.to - r.from, 0);
  let failure: { readonly err: unknown } | null = null;
  const total = remaining;
  const bytes = new BytePool(POOLED_FREE_BYTES, total * RESERVED_BYTES_PER_LAPTOP);
  const fail = (err: unknown) => {
    failure ??= { err };
    scheduler.stop();
  };
  const ctx: PacedContext = {
    scheduler,
    compose: new ComposeWriter(),
    bytes,
    day: {
      env,
      buffers: bytes,
      agentConfig: task.agent,
      faults: task.faults,
      ...(task.transport.kind === 'http' && task.transport.devicePrefix ? { devicePrefix: task.transport.devicePrefix } : {}),
      onUploadAttempt: (utcMs) => {
        uploads++;
        tally.uploadAttempt(utcMs);
      },
      onBatchSealed: tally.batchSealed,
      // A broken adapter stops the run now, not when the day's uploads are next awaited (hours of wall time at speed 1).
      onBroken: fail,
    },
    days: task.days,
    fromUtcMs: pacing.fromUtcMs,
    untilUtcMs: until,
    tap: (b) => {
      events += b.length;
      tally.produced(b);
    },
    accepted: (e) => tally.accepted(e),
    fail,
  };
  const laptops: PacedLaptop[] = [];
  for (const range of task.ranges)
    for (let i = range.from; i < range.to; i++) {
      const employee = createEmployee(task.seed, i, task.population);
      const transport = new MeasuredTransport(
        createTransport(task.transport, deviceIdFor(task.transport, employee.id)),
        task.transport.kind === 'http' ? tally.latency : null,
      );
      laptops.push(
        new PacedLaptop(ctx, employee, transport, tally.laptop(employee), () => {
          if (--remaining === 0) scheduler.stop();
        }),
      );
    }
  for (const l of laptops) l.start();
  const wallStart = await arriveAndWait(task.sync);
  if (wallStart === null)
    throw new RunError(
      'WORKER_FAILED',
      'the paced run was called off before it started (another worker failed or took too long to set up)',
    );
  scheduler.begin(wallStart);
  let lastPost = 0;
  const post = (virtualMs: number) => writeProgress(task.sync, task.slot, { virtualMs, events, uploads, laptopsDone: total - remaining });
  if (remaining > 0) {
    await scheduler.run(until, (virtualMs) => {
      const now = performance.now();
      if (now - lastPost < PROGRESS_EVERY_MS) return;
      lastPost = now;
      post(virtualMs);
    });
  }
  // Time stops at the run's end: laptops closed after it seal nothing later.
  scheduler.freeze(until);
  // A fleet does not upload all at once because a run ended: laptops close their days a bounded number at a time.
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(STOP_CONCURRENCY, laptops.length) }, async () => {
      while (next < laptops.length) await laptops[next++]!.stop();
    }),
  );
  post(scheduler.now());
  if (failure) throw (failure as { readonly err: unknown }).err;
  return tally.result(task.from, task.to, (cpuMicros() - c0) / 1000, { scheduleLag: encodeLatency(scheduler.lag) });
}
