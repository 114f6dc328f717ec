/**
 * The X server stamps events with its own 32-bit ms clock (monotonic, from an
 * arbitrary origin). A source maps it to the agent's clock once, at start: it
 * writes a property on the root window while selecting PropertyNotify there,
 * and pairs the notify's server time with the wall-clock midpoint of the
 * round trip (about ±0.5 ms on a local socket).
 */
import { internAtom, X, type XDisplay, type XEvent } from './client.js';
import { TIME_PROBE_ATOM_NAME } from './context-property.js';
import { nowMs } from './pacing.js';
import type { ServerClock } from './record-decode.js';

export async function probeServerClock(dpy: XDisplay, clockOffsetMs: number, timeoutMs = 2000): Promise<ServerClock> {
  const { client, root } = dpy;
  const atom = await internAtom(client, TIME_PROBE_ATOM_NAME);
  return new Promise((resolve, reject) => {
    let sentMs = 0;
    const timer = setTimeout(() => done(new Error(`no PropertyNotify from the X server within ${timeoutMs} ms`)), timeoutMs);
    const onEvent = (ev: XEvent) => {
      if (ev.type !== X.PropertyNotify || ev.atom !== atom) return;
      const receivedMs = nowMs();
      done(null, { serverMs: ev.time as number, agentMs: (sentMs + receivedMs) / 2 + clockOffsetMs });
    };
    let finished = false;
    const done = (err: Error | null, clock?: ServerClock) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      // Root property changes are not this connection's business after the probe: unselect them.
      client.ChangeWindowAttributes(root, { eventMask: 0 });
      if (err) reject(err);
      else resolve(clock!);
    };
    client.on('event', onEvent);
    client.ChangeWindowAttributes(root, { eventMask: X.PropertyChangeMask });
    sentMs = nowMs();
    client.ChangeProperty(X.PropModeReplace, root, atom, X.AtomCARDINAL, 32, [0]);
  });
}
