/**
 * A stand-in for the application the employee is using: one full-screen
 * window with the input focus that takes key, button and motion events, as
 * every real desktop has. It matters to what an agent pays: the X server
 * flushes RECORD data whenever it flushes any client's output, so with an
 * application receiving each event, RECORD replies carry one event each at
 * human input rates; on a display with no application they pile up until the
 * server next writes to anyone, and the agent looks cheaper than it is.
 */
import { connect, disconnect, sync, type XDisplay, type XEvent } from './client.js';

const KEY_BUTTON_MOTION_MASK = 0x1 | 0x2 | 0x4 | 0x8 | 0x40; // KeyPress, KeyRelease, ButtonPress, ButtonRelease, PointerMotion
const REVERT_TO_POINTER_ROOT = 1;

export interface FocusedWindow {
  /** Events the window received (a check that the stand-in really takes input). */
  readonly received: () => number;
  close(): Promise<void>;
}

export async function openFocusedWindow(display: string): Promise<FocusedWindow> {
  const dpy: XDisplay = await connect(display);
  const { client } = dpy;
  let received = 0;
  client.on('error', () => {});
  client.on('event', (_ev: XEvent) => {
    received++;
  });
  const wid = client.AllocID();
  const c = client as unknown as {
    CreateWindow(
      wid: number,
      parent: number,
      x: number,
      y: number,
      w: number,
      h: number,
      border: number,
      depth: number,
      cls: number,
      visual: number,
      values: Record<string, number>,
    ): void;
    MapWindow(wid: number): void;
    SetInputFocus(wid: number, revertTo: number): void;
  };
  c.CreateWindow(wid, dpy.root, 0, 0, dpy.widthPx, dpy.heightPx, 0, 0, 0, 0, { eventMask: KEY_BUTTON_MOTION_MASK });
  c.MapWindow(wid);
  c.SetInputFocus(wid, REVERT_TO_POINTER_ROOT);
  await sync(client);
  return { received: () => received, close: () => disconnect(client, 500) };
}
