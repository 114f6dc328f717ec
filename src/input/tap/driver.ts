/**
 * Harness side of the tap: listens on a Unix-domain socket, hands the one
 * agent that connects a hello, then replays a laptop's events into it on the
 * real clock, one record per write() at the event's time, as an OS input hook
 * delivers them: the reader is woken once per event.
 */
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import type { EventBlock } from '../../events/index.js';
import { createLatencyHistogram } from '../../metrics/latency.js';
import { InputError } from '../errors.js';
import { wallNowMs, waitUntilWall } from '../pacing.js';
import { capReplay, sourceMoveRate } from '../source-cap.js';
import type { InjectionLateness, InputDriver, ReplayOptions } from '../types.js';
import { TAP_RECORD_BYTES, encodeHello, encodeRecord } from './protocol.js';

export interface TapDriverOptions {
  /** Sleep with setTimeout to within this many ms of an event's time, then catch up turn by turn. */
  readonly spinMs?: number;
  /** The laptop's pointer reports motion at most this often (src/input/source-cap.ts); 0 or absent: every move. */
  readonly sourceMoveRateHz?: number;
}

export class TapDriver implements InputDriver {
  readonly kind = 'tap' as const;
  readonly placeholders: Readonly<Record<string, string>>;
  private server: net.Server | null = null;
  private socket: net.Socket | null = null;
  private connected: Promise<net.Socket>;
  private onConnect!: (s: net.Socket) => void;
  private seq = 0;
  private closed = false;
  /** Why the agent's connection ended, if it did. */
  private lostReason: string | null = null;
  /** waitForAgent calls under way: close() ends them and their timers, so none keeps the process alive. */
  private readonly waiting = new Set<{ readonly timer: NodeJS.Timeout; readonly reject: (e: Error) => void }>();
  private readonly spinMs: number;
  private readonly sourceMoveRateHz: number;

  constructor(
    readonly socketPath: string,
    options: TapDriverOptions = {},
  ) {
    this.placeholders = { tapSocket: socketPath };
    this.spinMs = options.spinMs ?? 1.5;
    this.sourceMoveRateHz = sourceMoveRate(options.sourceMoveRateHz);
    this.connected = new Promise((resolve) => (this.onConnect = resolve));
  }

  async start(): Promise<void> {
    if (existsSync(this.socketPath)) {
      // A socket left by a harness that died is stale; any other file is not ours to remove.
      if (!lstatSync(this.socketPath).isSocket())
        throw new InputError(
          'INPUT_TAP_FAILED',
          `cannot create the tap socket ${this.socketPath}: a file that is not a socket is there; choose another path`,
        );
      unlinkSync(this.socketPath);
    }
    const server = net.createServer((s) => this.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e) =>
        reject(new InputError('INPUT_TAP_FAILED', `cannot listen on the tap socket ${this.socketPath}: ${e.message}`, { cause: e })),
      );
      server.listen(this.socketPath, () => resolve());
    });
  }

  private accept(s: net.Socket): void {
    if (this.socket !== null || this.closed) {
      // One agent per laptop: a second reader would see half the events.
      s.destroy();
      return;
    }
    this.socket = s;
    s.on('error', (e) => (this.lostReason ??= e.message));
    s.on('close', () => (this.lostReason ??= 'the agent closed its end of the tap'));
    // The agent only reads; anything it sends is ignored.
    s.resume();
    s.write(encodeHello());
    this.onConnect(s);
  }

  async waitForAgent(timeoutMs: number): Promise<void> {
    if (this.server === null) throw new InputError('INPUT_TAP_FAILED', 'the tap driver was not started: call start() first');
    if (this.closed) throw this.closedWhileWaiting();
    let waiter: { readonly timer: NodeJS.Timeout; readonly reject: (e: Error) => void } | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new InputError(
              'INPUT_AGENT_NOT_LISTENING',
              `no agent connected to the tap socket ${this.socketPath} within ${timeoutMs} ms; the agent must connect to {tapSocket}`,
            ),
          ),
        timeoutMs,
      );
      waiter = { timer, reject };
      this.waiting.add(waiter);
    });
    try {
      await Promise.race([this.connected, timeout]);
    } finally {
      clearTimeout(waiter!.timer);
      this.waiting.delete(waiter!);
    }
  }

  private closedWhileWaiting(): InputError {
    return new InputError(
      'INPUT_AGENT_NOT_LISTENING',
      `the tap driver on ${this.socketPath} was closed while waiting for an agent to connect`,
    );
  }

  async replay(window: EventBlock, o: ReplayOptions): Promise<InjectionLateness> {
    const s = this.socket;
    if (s === null)
      throw new InputError(
        'INPUT_AGENT_NOT_LISTENING',
        `no agent is connected to the tap socket ${this.socketPath}: await waitForAgent() before replay()`,
      );
    const { events, removed } = capReplay(window, o.virtualEndMs, this.sourceMoveRateHz);
    const lateUs = createLatencyHistogram();
    const end = o.virtualEndMs ?? Infinity;
    let injected = 0;
    for (let i = 0; i < events.length; i++) {
      const t = events.t_ms[i] as number;
      if (t >= end || o.signal?.aborted) break;
      const dueMs = o.wallStartMs + (t - o.virtualStartMs);
      await waitUntilWall(dueMs, this.spinMs, o.signal);
      if (o.signal?.aborted) break;
      if (this.lostReason !== null || s.destroyed) {
        throw new InputError(
          'INPUT_TAP_FAILED',
          `the agent's tap connection on ${this.socketPath} ended after ${injected} of ${events.length} events: ${this.lostReason ?? 'closed'}`,
        );
      }
      // Its own buffer and its own write(): one message per event, as a hook delivers it.
      const rec = Buffer.allocUnsafe(TAP_RECORD_BYTES);
      encodeRecord(rec, 0, {
        tMs: t,
        type: events.type[i] as number,
        key: events.key[i] as number,
        x: events.x[i] as number,
        y: events.y[i] as number,
        button: events.button[i] as number,
        context: events.context[i] as number,
        seq: this.seq++,
      });
      s.write(rec);
      lateUs.recordValue(Math.max(1, Math.round((wallNowMs() - dueMs) * 1000)));
      injected++;
    }
    const f = (us: number) => Math.round(us) / 1000;
    const figures =
      injected === 0
        ? { injected: 0, p50_ms: 0, p99_ms: 0, max_ms: 0 }
        : { injected, p50_ms: f(lateUs.getValueAtPercentile(50)), p99_ms: f(lateUs.getValueAtPercentile(99)), max_ms: f(lateUs.maxValue) };
    return removed > 0 ? { ...figures, moves_coalesced_at_source: removed } : figures;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiting) {
      clearTimeout(w.timer);
      w.reject(this.closedWhileWaiting());
    }
    this.waiting.clear();
    const s = this.socket;
    if (s !== null && !s.destroyed) {
      // End the stream so the agent reads every record before EOF; an agent that stopped reading gets 1 s.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        s.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        s.end();
      });
    }
    s?.destroy();
    const server = this.server;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
    // server.close removes the socket file on Linux; a leftover (abnormal end) would block the next start.
    if (existsSync(this.socketPath)) {
      try {
        unlinkSync(this.socketPath);
      } catch {
        /* gone already */
      }
    }
  }
}
