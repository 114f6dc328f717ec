/**
 * The real input path: how a synthetic laptop's events reach an agent that
 * runs as its own OS process, the way an operating system delivers input to a
 * capture agent (one hook callback, and usually one wake-up, per event).
 *
 * Two sides, one vocabulary:
 * - a driver (harness side) replays a laptop's events on the real clock into
 *   an OS input path: XTEST into the laptop's own Xvfb display, or a tap
 *   socket that hands one event per message to whoever connects;
 * - a source (agent side) receives them there: X11 RECORD / XInput2 raw
 *   events, or a tap socket reader.
 *
 * Times on both sides are the agent's clock, UTC epoch ms. A harness that
 * replays a day that is not today maps it with a constant offset (virtual −
 * wall), which it also hands the agent so both read the same clock.
 */
import type { EventBlock } from '../events/index.js';

export type InputKind = 'x11' | 'tap';
export const INPUT_KINDS: readonly InputKind[] = ['x11', 'tap'];

/**
 * Agent side: what an OS delivers. `onEvents` is called once per delivery,
 * with the events that delivery carried (one for a hook, a few dozen for an X
 * server's RECORD reply); block.t_ms are the agent's clock times (UTC epoch
 * ms). The block is only valid during the call.
 */
export type InputSink = (events: EventBlock) => void;

/**
 * Agent side: UI actions of the employee that reach the agent outside the
 * input stream (its tray menu): ask to pause for wantedMs, or learn that an
 * exemption applies from atMs. Optional for foreign agents.
 */
export type UiAction =
  | { readonly kind: 'pause'; readonly atMs: number; readonly wantedMs: number; readonly dayStartMs: number }
  | { readonly kind: 'exempt'; readonly atMs: number };

export interface InputSource {
  readonly kind: InputKind;
  /** Connects and starts delivering. Rejects with an InputError that says what could not be reached. */
  start(sink: InputSink): Promise<void>;
  /** Stops delivery; resolves when the OS path is released. Idempotent. */
  close(): Promise<void>;
}

/** How late a driver injected events against their intended wall time, in ms. */
export interface InjectionLateness {
  readonly injected: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
  /**
   * Pointer moves the path added of its own: X11 presses a button where the
   * pointer is, so a click away from it is preceded by a move there, which
   * the agent receives as input (absent: none added).
   */
  readonly pointer_moves_added?: number;
  /**
   * Moves the source's rate cap merged away (agent.sourceMoveRateHz): the
   * employee made them, the agent never received them (absent: none).
   */
  readonly moves_coalesced_at_source?: number;
}

export interface ReplayOptions {
  /** Wall-clock instant (epoch ms) at which virtual time `virtualStartMs` happens. */
  readonly wallStartMs: number;
  readonly virtualStartMs: number;
  /** Events whose time is at or after this virtual instant are not injected. */
  readonly virtualEndMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Harness side: one laptop's OS input path. `placeholders` are what an agent
 * command needs to find it ({display} or {tapSocket}).
 */
export interface InputDriver {
  readonly kind: InputKind;
  readonly placeholders: Readonly<Record<string, string>>;
  /** Brings the path up (starts Xvfb, listens on the socket). */
  start(): Promise<void>;
  /** Resolves when an agent is listening on the path (tap: connected; x11: its RECORD/XI2 client is up), or rejects after timeoutMs. */
  waitForAgent(timeoutMs: number): Promise<void>;
  /**
   * Injects events in time order, each at wallStartMs + (t − virtualStartMs),
   * and the input context changes they carry. Resolves when the last event
   * is in or when aborted, with the lateness of what was injected.
   */
  replay(events: EventBlock, options: ReplayOptions): Promise<InjectionLateness>;
  /** Tears the path down (kills Xvfb, removes the socket). Idempotent. */
  close(): Promise<void>;
}
