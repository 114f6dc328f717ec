/**
 * Where a process agent's input comes from. The one place that knows the
 * input kinds: `--input tap` reads a tap socket (src/input/tap); `--input x11`
 * reads an X display through src/input/x11, which this build does not have
 * yet. To switch it on, set X11_SOURCE to that module's factory.
 */
import type { InputSource } from '../input/types.js';
import { TapSource, type TapSourceEvents } from '../input/tap/index.js';

export type InputSpec = { readonly kind: 'tap'; readonly socketPath: string } | { readonly kind: 'x11'; readonly display: string };

/** What an input source tells the agent besides events: the stream ended, or broke. */
export type SourceEvents = TapSourceEvents;

type X11SourceFactory = (display: string, events: SourceEvents) => InputSource;

/** null: this build has no X11 input; `--input x11` is refused as a usage error. */
export const X11_SOURCE: X11SourceFactory | null = null;

export function createInputSource(spec: InputSpec, events: SourceEvents): InputSource {
  if (spec.kind === 'tap') return new TapSource(spec.socketPath, events);
  if (X11_SOURCE === null) throw new Error('X11 input is not available in this build (checked when flags are read)');
  return X11_SOURCE(spec.display, events);
}

/** Counters a source may keep: events received and OS deliveries that carried them. */
export function inputCounters(source: InputSource): { events: number; deliveries: number } {
  const s = source as Partial<{ received: number; deliveries: number }>;
  return { events: s.received ?? 0, deliveries: s.deliveries ?? 0 };
}
