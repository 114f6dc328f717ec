/**
 * The service's own record of each device's opt-out state: pause windows
 * (granted by POST /v1/devices/:id/pause, or declared by the agent in a
 * batch's controls, capped by policy either way) and exemptions. Batches are
 * checked against it, not against what the agent says it did.
 *
 * In memory for the hot path; memory follows the store. Every change is
 * written first and applied in memory only after its write has committed, so
 * a failed write leaves both where they were (the caller answers 503 and the
 * client retries). Changes to one device are serialized: a decision (is this
 * pause allowed? is this marker new?) is taken against committed state, and
 * no second change to the same device is decided before the first is applied.
 */
import { decidePause, pauseWindowAt, type PauseDecision, type PauseWindow, type PolicyRules } from '../policy/index.js';
import type { ControlRecord } from '../wire/index.js';
import type { BatchStore, ExemptionRecord } from './store/index.js';

const DAY_MS = 86_400_000;

/**
 * How many pause windows one device may hold. Batch control records are the
 * agent's word, not a request the policy decides, so without a bound a device
 * could make a committed window per record (each in memory and scanned per
 * upload). An honest laptop pauses a few times a working day.
 */
export interface PauseBounds {
  /** Windows starting within any 24 hours. */
  readonly perDay: number;
  /** Windows kept per device in all. */
  readonly perDevice: number;
}

export const DEFAULT_PAUSE_BOUNDS: PauseBounds = { perDay: 96, perDevice: 5_000 };

export class PolicyState {
  private readonly pauses = new Map<string, PauseWindow[]>();
  private readonly exemptions = new Map<string, ExemptionRecord>();
  /** Per device, the end of its queue of changes (absent when none is running). */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Pause markers not recorded because the device was at its bound. */
  boundedMarkers = 0;

  constructor(
    private readonly store: BatchStore,
    readonly rules: PolicyRules,
    private readonly bounds: PauseBounds = DEFAULT_PAUSE_BOUNDS,
  ) {}

  async load(): Promise<void> {
    for (const p of await this.store.loadPauses())
      this.insertWindow(p.deviceId, { startMs: p.startMs, endMs: p.endMs, endedBy: p.endedBy });
    for (const e of await this.store.loadExemptions()) this.exemptions.set(e.deviceId, e);
  }

  windows(deviceId: string): readonly PauseWindow[] {
    return this.pauses.get(deviceId) ?? [];
  }

  exemption(deviceId: string): ExemptionRecord | undefined {
    return this.exemptions.get(deviceId);
  }

  /** Whether the device is exempt at any time in [fromMs, toMs]. */
  exemptDuring(deviceId: string, fromMs: number, toMs: number): boolean {
    const e = this.exemptions.get(deviceId);
    return e !== undefined && e.fromMs <= toMs && (e.untilMs === null || e.untilMs > fromMs);
  }

  setExemption(deviceId: string, e: ExemptionRecord | null): Promise<void> {
    return this.serialized(deviceId, () => this.writeExemption(deviceId, e));
  }

  /** The employee asks to pause: decided by the shared policy rules against the windows already recorded. */
  requestPause(deviceId: string, atMs: number, wantedMs: number, dayStartMs?: number): Promise<PauseDecision> {
    return this.serialized(deviceId, async () => {
      const d = decidePause(this.windows(deviceId), { atMs, wantedMs, dayStartMs: dayStartMs ?? atMs - (atMs % DAY_MS) }, this.rules);
      if (d.kind === 'granted') {
        await this.store.upsertPause({ deviceId, ...d.window });
        this.insertWindow(deviceId, d.window);
      }
      return d;
    });
  }

  /** Ends the device's pause open at atMs early; returns the shortened window, or null when none is open. */
  resume(deviceId: string, atMs: number): Promise<PauseWindow | null> {
    return this.serialized(deviceId, () => this.writeResume(deviceId, atMs));
  }

  /**
   * Records the pause and exemption markers a batch carries. A pause lasts
   * until its until_ms, a later resume, or the policy cap, whichever is first:
   * an agent cannot declare a longer pause than the rules allow.
   * Returns true when an exemption marker was found. When a write fails it
   * throws; the markers written before it stay (each is idempotent, so the
   * client's retry of the batch completes the rest).
   */
  recordControls(deviceId: string, controls: readonly ControlRecord[]): Promise<boolean> {
    return this.serialized(deviceId, async () => {
      let exempt = false;
      const capMs = this.rules.pauseCapMinutes * 60_000;
      for (const c of controls) {
        if (c.kind === 'pause') {
          if (pauseWindowAt(this.windows(deviceId), c.atMs) >= 0) continue;
          const endMs = Math.min(c.untilMs ?? Infinity, c.atMs + capMs);
          const w: PauseWindow = { startMs: c.atMs, endMs, endedBy: 'auto-resume' };
          if (endMs <= c.atMs || this.overlapsNext(deviceId, w)) continue;
          if (this.atBound(deviceId, c.atMs)) {
            // Not recorded: the batch is still taken (its events were captured outside any pause the agent honours).
            this.boundedMarkers++;
            continue;
          }
          await this.store.upsertPause({ deviceId, ...w });
          this.insertWindow(deviceId, w);
        } else if (c.kind === 'resume') {
          const ws = this.windows(deviceId);
          const i = pauseWindowAt(ws, c.atMs - 1);
          if (i >= 0 && ws[i]!.endMs > c.atMs) await this.writeResume(deviceId, c.atMs);
        } else if (c.kind === 'exempt') {
          exempt = true;
          const cur = this.exemptions.get(deviceId);
          if (cur === undefined || cur.fromMs > c.atMs)
            await this.writeExemption(deviceId, { deviceId, fromMs: c.atMs, untilMs: c.untilMs ?? null });
        }
      }
      return exempt;
    });
  }

  /** Runs fn after every earlier change to this device has finished (committed or failed). */
  private serialized<T>(deviceId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(deviceId);
    const run = prev === undefined ? fn() : prev.then(fn, fn);
    const tail = run.then(noop, noop);
    this.tails.set(deviceId, tail);
    void tail.then(() => {
      if (this.tails.get(deviceId) === tail) this.tails.delete(deviceId);
    });
    return run;
  }

  private async writeExemption(deviceId: string, e: ExemptionRecord | null): Promise<void> {
    await this.store.setExemption(deviceId, e);
    if (e === null) this.exemptions.delete(deviceId);
    else this.exemptions.set(deviceId, e);
  }

  private async writeResume(deviceId: string, atMs: number): Promise<PauseWindow | null> {
    const ws = this.windows(deviceId);
    const i = pauseWindowAt(ws, atMs);
    if (i < 0) return null;
    const w: PauseWindow = { startMs: ws[i]!.startMs, endMs: atMs, endedBy: 'resume' };
    await this.store.upsertPause({ deviceId, ...w });
    // Serialized: nothing changed this device's windows while the write ran, so i still points at the same window.
    (this.pauses.get(deviceId) as PauseWindow[])[i] = w;
    return w;
  }

  private atBound(deviceId: string, atMs: number): boolean {
    const ws = this.windows(deviceId);
    if (ws.length >= this.bounds.perDevice) return true;
    let inDay = 0;
    for (const w of ws) if (w.startMs > atMs - DAY_MS && w.startMs < atMs + DAY_MS && ++inDay >= this.bounds.perDay) return true;
    return false;
  }

  private overlapsNext(deviceId: string, w: PauseWindow): boolean {
    for (const x of this.windows(deviceId)) if (x.startMs < w.endMs && w.startMs < x.endMs) return true;
    return false;
  }

  private insertWindow(deviceId: string, w: PauseWindow): void {
    let ws = this.pauses.get(deviceId);
    if (ws === undefined) {
      ws = [];
      this.pauses.set(deviceId, ws);
    }
    let i = ws.length;
    while (i > 0 && ws[i - 1]!.startMs > w.startMs) i--;
    ws.splice(i, 0, w);
  }
}

function noop(): void {}
