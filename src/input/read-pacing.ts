/**
 * Reading input in batches where the OS allows it. An X server and a Unix
 * socket both queue what the agent has not read yet, so an agent need not be
 * woken for every event: after a read it stops watching the connection for
 * `intervalMs`, then takes everything that queued in one read. While input
 * flows that is one wake-up per interval instead of one per event; an idle
 * connection is watched as usual and costs nothing until input arrives.
 * Events wait in the OS queue at most `intervalMs` (an agent that seals
 * batches every few minutes loses nothing by it).
 *
 * A macOS event tap or a Windows low-level hook calls the agent once per
 * event and cannot be read this way; Linux (X11, evdev) and a tap socket can.
 */
import type net from 'node:net';

/** What node's stream handle offers to start and stop reading from the OS (libuv's uv_read_start/stop). */
interface ReadHandle {
  reading: boolean;
  readStart(): number;
  readStop(): number;
}

export interface ReadPacer {
  /** Call after a read that delivered input: stops reading for the interval (no-op with interval 0). */
  afterRead(): void;
  /**
   * Stops pacing and reads what is queued, until the input has been quiet
   * for a moment (at most DRAIN_MAX_MS): the socket holds only part of a
   * long pause's input, and the writer (a harness, an X server) sends the
   * rest as reads free room.
   */
  drain(): Promise<void>;
}

/**
 * How long the input must stay quiet for a drain to end, and the most a drain waits: the writer's backlog refills
 * the socket within milliseconds, while input that keeps coming (an employee still typing) must not hold a stop up.
 */
const DRAIN_QUIET_MS = 25;
const DRAIN_MAX_MS = 250;

function handleOf(s: net.Socket): ReadHandle | null {
  const h = (s as unknown as { _handle?: Partial<ReadHandle> | null })._handle;
  return h && typeof h.readStart === 'function' && typeof h.readStop === 'function' ? (h as ReadHandle) : null;
}

/**
 * Stops and restarts reading at the OS level. Node's stream machinery
 * restarts a socket's reading on its own (a stream asks for more data after
 * every chunk it hands on), so while the reader holds off, node's own
 * restarts are swallowed; only the pacer's timer restarts it.
 */
function osReader(s: net.Socket): { stop(): void; start(): void } | null {
  const h = handleOf(s);
  if (h === null) return null;
  const readStart = h.readStart.bind(h);
  let held = false;
  h.readStart = () => (held ? 0 : readStart());
  return {
    stop() {
      if (held || s.destroyed) return;
      held = true;
      h.reading = false;
      h.readStop();
    },
    start() {
      if (!held) return;
      held = false;
      if (s.destroyed) return;
      h.reading = true;
      readStart();
    },
  };
}

/** Paces reads of `socket` (a connected stream socket: a tap, or an X11 connection). */
export function paceReads(socket: net.Socket, intervalMs: number): ReadPacer {
  let timer: NodeJS.Timeout | null = null;
  let draining = false;
  /** Reads that delivered input so far: a drain ends once a quiet moment adds none. */
  let reads = 0;
  // Without a handle (not connected yet, or a runtime without one) reads are simply not paced.
  let os: { stop(): void; start(): void } | null | undefined;
  return {
    afterRead() {
      reads++;
      if (intervalMs <= 0 || draining || timer !== null || socket.destroyed) return;
      os ??= osReader(socket);
      if (!os) return;
      os.stop();
      // The timer is the one wake-up per interval; it keeps the process alive while reading is stopped.
      timer = setTimeout(() => {
        timer = null;
        os?.start();
      }, intervalMs);
    },
    async drain() {
      draining = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      os?.start();
      const until = Date.now() + DRAIN_MAX_MS;
      let seen: number;
      do {
        seen = reads;
        // The next turn's poll phase reads what is queued; the turn after it has delivered it. Then the writer's refill.
        for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
        await new Promise<void>((resolve) => setTimeout(resolve, DRAIN_QUIET_MS));
      } while (reads !== seen && Date.now() < until && !socket.destroyed);
    },
  };
}
