/**
 * Where a process agent's input comes from. The one place that knows the
 * input kinds: `--input tap` reads a tap socket (src/input/tap); `--input x11`
 * reads an X display with RECORD or XInput2 (src/input/x11).
 */
import type { InputSink, InputSource } from '../input/types.js';
import { TapSource, type TapSourceEvents } from '../input/tap/index.js';

export type InputSpec = { readonly kind: 'tap'; readonly socketPath: string } | { readonly kind: 'x11'; readonly display: string };

/** What an input source tells the agent besides events: the stream ended, or broke. */
export type SourceEvents = TapSourceEvents;

/** How the agent reads its input path (AgentConfig's inputReadIntervalMs and x11Capture). */
export interface ReadSettings {
  readonly readIntervalMs: number;
  readonly x11Capture: 'record' | 'xi2';
}

const AS_DELIVERED: ReadSettings = { readIntervalMs: 0, x11Capture: 'record' };

/**
 * X11 RECORD or XInput2 capture (src/input/x11), counting what it delivers as
 * the tap source does: events, and deliveries (replies that carried events).
 * The X11 modules load only here: an agent on a tap never carries them.
 */
async function createX11InputSource(display: string, clockOffsetMs: number, read: ReadSettings): Promise<InputSource> {
  const { createX11Source } = await import('../input/x11/index.js');
  const inner = createX11Source({ display, clockOffsetMs, method: read.x11Capture, readIntervalMs: read.readIntervalMs });
  const counted = {
    kind: inner.kind,
    received: 0,
    deliveries: 0,
    start: (sink: InputSink) =>
      inner.start((block) => {
        counted.received += block.length;
        counted.deliveries++;
        sink(block);
      }),
    close: () => inner.close(),
  };
  return counted;
}

/** `clockOffsetMs`: the agent's clock − wall clock (X server times are mapped onto the agent's clock). */
export async function createInputSource(
  spec: InputSpec,
  events: SourceEvents,
  clockOffsetMs = 0,
  read: ReadSettings = AS_DELIVERED,
): Promise<InputSource> {
  if (spec.kind === 'tap') return new TapSource(spec.socketPath, events, { readIntervalMs: read.readIntervalMs });
  return createX11InputSource(spec.display, clockOffsetMs, read);
}

/** Counters a source may keep: events received and OS deliveries that carried them. */
export function inputCounters(source: InputSource): { events: number; deliveries: number } {
  const s = source as Partial<{ received: number; deliveries: number }>;
  return { events: s.received ?? 0, deliveries: s.deliveries ?? 0 };
}
