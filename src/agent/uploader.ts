import type { InputTimes } from '../metrics/freshness.js';
import type { RandomStream } from '../random/index.js';
import type { AgentClock, TimerHandle } from './clock.js';
import { isNetworkFailure, type Transport, type UploadOutcome } from './transport.js';

export interface UploadConfig {
  /** First retry waits up to this long (full jitter). */
  readonly retryBaseMs: number;
  /** Backoff ceiling. */
  readonly retryMaxMs: number;
  /** Statuses worth retrying; anything else 4xx/5xx is final. */
  readonly retryableStatuses: readonly number[];
  /** Spool bound: when full, the oldest batches are dropped (and counted as lost). */
  readonly spoolMaxBytes: number;
}

export const DEFAULT_UPLOAD_CONFIG: UploadConfig = {
  retryBaseMs: 2_000,
  retryMaxMs: 5 * 60_000,
  retryableStatuses: [408, 429, 502, 503, 504],
  spoolMaxBytes: 32 * 1024 * 1024,
};

/** A sealed, encoded, compressed batch waiting on the laptop for upload. */
export interface SpooledBatch {
  readonly sequence: number;
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  /** Events in the batch, and how many of them are redacted keystrokes (for the ledger). */
  readonly events: number;
  readonly redacted: number;
  /** When its events were input (binned), for freshness at acknowledgement; absent in a batch of control records only. */
  readonly inputTimes?: InputTimes;
  /** Agent clock time at which it was sealed (its window's end); absent: unknown. */
  readonly sealedMs?: number;
}

export interface UploaderEvents {
  /** The server acknowledged (2xx) the batch: it is durably stored. */
  onAcknowledged(batch: SpooledBatch, status: number): void;
  /** The batch will never be stored: dropped from a full spool, or refused for good. */
  onLost(batch: SpooledBatch, reason: 'spool_full' | 'rejected', status?: number): void;
  /** The server says capture must stop (403 with a policy code). Remaining batches are given back. */
  onPolicyStop(code: string, unsent: readonly SpooledBatch[]): void;
  /**
   * The transport threw something other than a network failure (a user's
   * adapter or fleetsim's own code is broken): the uploader has stopped, its
   * batches stay spooled, and the run should stop with `err`. Retrying would
   * only repeat the exception and make the target look unreachable.
   */
  onBroken(err: unknown): void;
  /** The agent woke up for the network (an upload started outside another wake-up, or a retry timer). */
  onWakeup(): void;
  /** Bytes this exchange put on the radio (request headers + body). */
  onRadioBytes(bytes: number, attempts: number): void;
}

/**
 * Uploads spooled batches over one connection, one at a time, in order.
 * Retries only on network errors and retryable statuses, after Retry-After
 * when the server sends one, else exponential backoff with full jitter
 * (Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog 2015),
 * so a fleet coming back from an outage does not arrive as a herd.
 * Never drops data while the spool has room; when it is full the oldest
 * batch goes first and is counted as lost. An exception from the transport
 * that is not a network failure stops it for good (onBroken).
 */
export class Uploader {
  private readonly spool: SpooledBatch[] = [];
  private spoolBytes = 0;
  private sending = false;
  private retryTimer: TimerHandle | null = null;
  private attempt = 0;
  private stopped = false;

  constructor(
    private readonly clock: AgentClock,
    private readonly transport: Transport,
    private readonly rng: RandomStream,
    private readonly config: UploadConfig,
    private readonly events: UploaderEvents,
  ) {}

  get pendingBatches(): number {
    return this.spool.length;
  }

  get pendingBytes(): number {
    return this.spoolBytes;
  }

  /** Batches still on the laptop (at the end of a run they are the ledger's `spooled`). */
  spooled(): readonly SpooledBatch[] {
    return this.spool;
  }

  get idle(): boolean {
    return !this.sending && this.retryTimer === null && this.spool.length === 0;
  }

  /** Adds a batch and starts sending if nothing is under way. `awake` says the agent is already awake (input, a timer). */
  enqueue(batch: SpooledBatch, awake: boolean): void {
    const size = batch.body.byteLength;
    // Drop the oldest batches not in flight until the new one fits.
    while (this.spoolBytes + size > this.config.spoolMaxBytes && this.spool.length > (this.sending ? 1 : 0)) {
      const victim = this.spool.splice(this.sending ? 1 : 0, 1)[0]!;
      this.spoolBytes -= victim.body.byteLength;
      this.events.onLost(victim, 'spool_full');
    }
    if (this.spoolBytes + size > this.config.spoolMaxBytes) {
      this.events.onLost(batch, 'spool_full');
      return;
    }
    this.spool.push(batch);
    this.spoolBytes += size;
    if (this.stopped) return;
    if (!awake && !this.sending && this.retryTimer === null) this.events.onWakeup();
    this.kick();
  }

  /** Stops retry timers (end of a run); spooled batches stay where they are. */
  shutdown(): void {
    if (this.retryTimer !== null) this.clock.clearTimer(this.retryTimer);
    this.retryTimer = null;
    this.stopped = true;
  }

  /** Resolves when nothing is in flight (for orderly ends of runs and tests). */
  async settled(): Promise<void> {
    while (this.sending) await this.inFlight;
  }

  private inFlight: Promise<void> = Promise.resolve();

  private kick(): void {
    if (this.sending || this.retryTimer !== null || this.stopped || this.spool.length === 0) return;
    this.sending = true;
    this.inFlight = this.sendHead();
  }

  private async sendHead(): Promise<void> {
    const batch = this.spool[0]!;
    let outcome: UploadOutcome;
    try {
      outcome = await this.transport.send({ body: batch.body, headers: batch.headers });
    } catch (err) {
      if (!isNetworkFailure(err)) {
        this.sending = false;
        this.shutdown();
        this.events.onBroken(err);
        return;
      }
      outcome = { kind: 'network-error', message: (err as Error).message, requestBytes: 0 };
    }
    this.sending = false;
    this.events.onRadioBytes(outcome.requestBytes, 1);
    if (this.stopped) return;
    if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
      this.removeHead();
      this.attempt = 0;
      this.events.onAcknowledged(batch, outcome.status);
      this.kick();
      return;
    }
    if (outcome.kind === 'response' && outcome.status === 403 && outcome.code?.startsWith('POLICY_')) {
      this.stopped = true;
      const unsent = this.spool.splice(0);
      this.spoolBytes = 0;
      this.events.onPolicyStop(outcome.code, unsent);
      return;
    }
    const retryable = outcome.kind === 'network-error' || this.config.retryableStatuses.includes(outcome.status);
    if (!retryable) {
      this.removeHead();
      this.attempt = 0;
      this.events.onLost(batch, 'rejected', outcome.kind === 'response' ? outcome.status : undefined);
      this.kick();
      return;
    }
    this.attempt++;
    const delay = outcome.kind === 'response' && outcome.retryAfterMs !== undefined ? outcome.retryAfterMs : this.backoffMs(this.attempt);
    this.retryTimer = this.clock.setTimer(this.clock.now() + delay, () => {
      this.retryTimer = null;
      this.events.onWakeup();
      this.kick();
    });
  }

  /** Full jitter: uniform in [0, min(max, base · 2^(attempt−1))]. */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.config.retryMaxMs, this.config.retryBaseMs * 2 ** Math.min(30, attempt - 1));
    return this.rng.next() * ceiling;
  }

  private removeHead(): void {
    const head = this.spool.shift();
    if (head) this.spoolBytes -= head.body.byteLength;
  }
}
