/**
 * Agent side of the tap: connects to the harness's Unix-domain socket and
 * hands the sink, once per read the OS completes, the events that read
 * carried (usually one: the harness writes each event at its own time).
 */
import net from 'node:net';
import { InputError } from '../errors.js';
import { paceReads, type ReadPacer } from '../read-pacing.js';
import type { InputSink, InputSource } from '../types.js';
import { TapDecoder, TapProtocolError } from './protocol.js';

/** One read takes at most this much (2,048 records): a backlog arrives in a few reads. */
const READ_BUFFER_BYTES = 64 * 1024;

export interface TapSourceEvents {
  /** The harness closed the tap cleanly (every record arrived whole). */
  readonly onEnd?: () => void;
  /** The stream broke the protocol or the connection failed after start. */
  readonly onError?: (err: Error) => void;
}

export interface TapSourceOptions {
  /** 0: read each delivery as it comes; N: read in batches, at most one wake-up per N ms while input flows (read-pacing.ts). */
  readonly readIntervalMs?: number;
}

export class TapSource implements InputSource {
  readonly kind = 'tap' as const;
  private socket: net.Socket | null = null;
  private readonly decoder = new TapDecoder();
  /** Reads that delivered at least one event. */
  deliveries = 0;
  private done = false;
  private pacer: ReadPacer | null = null;

  constructor(
    readonly socketPath: string,
    private readonly events: TapSourceEvents = {},
    private readonly options: TapSourceOptions = {},
  ) {}

  get received(): number {
    return this.decoder.records;
  }

  start(sink: InputSink): Promise<void> {
    return new Promise((resolve, reject) => {
      // One reused read buffer instead of a new Buffer and a stream 'data' event per read:
      // the read path runs once per input event, so its allocation and dispatch are the agent's cost.
      const s = net.connect({
        path: this.socketPath,
        onread: {
          buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
          callback: (nread: number, buf: Uint8Array) => {
            if (this.done) return false;
            let block;
            try {
              block = this.decoder.push(Buffer.from(buf.buffer, buf.byteOffset, nread));
            } catch (e) {
              this.fail(e as Error);
              return false;
            }
            if (block.length === 0) return true;
            this.deliveries++;
            sink(block);
            this.pacer?.afterRead();
            return true;
          },
        },
      });
      this.socket = s;
      this.pacer = paceReads(s, this.options.readIntervalMs ?? 0);
      let up = false;
      s.once('connect', () => {
        up = true;
        resolve();
      });
      s.on('end', () => {
        if (this.done) return;
        try {
          this.decoder.end();
        } catch (e) {
          this.fail(e as Error);
          return;
        }
        this.done = true;
        this.events.onEnd?.();
      });
      s.on('error', (e: NodeJS.ErrnoException) => {
        if (!up) {
          const hint =
            e.code === 'ENOENT'
              ? ' (no such socket: is the harness listening there?)'
              : e.code === 'ECONNREFUSED'
                ? ' (nobody is listening on it)'
                : '';
          reject(
            new InputError('INPUT_TAP_FAILED', `cannot connect to the tap socket ${this.socketPath}: ${e.code ?? e.message}${hint}`, {
              cause: e,
            }),
          );
          return;
        }
        this.fail(new InputError('INPUT_TAP_FAILED', `the tap connection on ${this.socketPath} failed: ${e.message}`, { cause: e }));
      });
    });
  }

  private fail(e: Error): void {
    if (this.done) return;
    this.done = true;
    this.socket?.destroy();
    const err =
      e instanceof TapProtocolError
        ? new InputError('INPUT_TAP_FAILED', `bad data on the tap socket ${this.socketPath}: ${e.message}`, { cause: e })
        : e;
    this.events.onError?.(err);
  }

  /** Takes what the OS still holds (a paced reader may be between reads), then disconnects. */
  async close(): Promise<void> {
    const s = this.socket;
    if (!this.done && s !== null && !s.destroyed) await this.pacer?.drain();
    this.done = true;
    if (s === null || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      s.destroy();
    });
  }
}
