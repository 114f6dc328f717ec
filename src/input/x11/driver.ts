/**
 * Harness side of the X11 input path: one Xvfb per laptop, and the laptop's
 * events replayed into it through XTEST on the real clock.
 */
import { EventType, type EventBlock } from '../../events/index.js';
import { InputError } from '../errors.js';
import { capReplay, sourceMoveRate } from '../source-cap.js';
import type { InjectionLateness, InputDriver, ReplayOptions } from '../types.js';
import { connect, disconnect, internAtom, keyboardMapping, readCardinal, requireExtension, sync, X, type XDisplay } from './client.js';
import { CONTEXT_ATOM_NAME, LISTENING_ATOM_NAME } from './context-property.js';
import { buildKeymap, type Keymap } from './keymap.js';
import { LatenessMeter, nowMs, waitUntil } from './pacing.js';
import {
  BUTTON_TO_X,
  WHEEL_DOWN_BUTTON,
  WHEEL_UP_BUTTON,
  X_BUTTON_PRESS,
  X_BUTTON_RELEASE,
  X_KEY_PRESS,
  X_KEY_RELEASE,
  X_MOTION_NOTIFY,
} from './record-decode.js';
import { openFocusedWindow, type FocusedWindow } from './focused-window.js';
import { startXvfb, type Xvfb } from './xvfb.js';

export interface X11DriverOptions {
  /** ":N" to insist on a display; omitted: the first free one. */
  readonly display?: string;
  readonly widthPx?: number;
  readonly heightPx?: number;
  readonly startTimeoutMs?: number;
  /** The Xvfb binary (default "Xvfb" on PATH). */
  readonly xvfbCommand?: string;
  /**
   * Wheel delta units per wheel click: 1 for a notched wheel (the behaviour
   * model writes ±1 per notch); a touchpad writes pixels, and the core
   * protocol only knows clicks, so its pixels are summed and a click is sent
   * per this many (fractions carry over).
   */
  readonly wheelUnitsPerNotch?: number;
  /**
   * When waitForAgent counts the agent as listening: 'property' (default) when
   * it has set _FLEETSIM_INPUT_LISTENING on the root window, as the fleetsim
   * source does once its capture is live; 'client' when any other X client has
   * been connected for clientSettleMs (a foreign agent that knows nothing of
   * fleetsim).
   */
  readonly readiness?: 'property' | 'client';
  readonly clientSettleMs?: number;
  /**
   * Open a full-screen focused window that takes the input, standing in for
   * the employee's application (focused-window.ts); default true. Without it
   * RECORD agents look cheaper than on a real desktop.
   */
  readonly focusedWindow?: boolean;
  /** The laptop's pointer reports motion at most this often (src/input/source-cap.ts); 0 or absent: every move. */
  readonly sourceMoveRateHz?: number;
}

interface XTestExt {
  FakeInput(type: number, detail: number, time: number, wid: number, x: number, y: number): void;
}
interface ResExt {
  QueryClients(cb: (err: Error | null, clients: unknown[]) => void): void;
}

interface Live {
  readonly xvfb: Xvfb;
  readonly dpy: XDisplay;
  readonly xtest: XTestExt;
  readonly keymap: Keymap;
  readonly contextAtom: number;
  readonly listeningAtom: number;
  readonly app: FocusedWindow | null;
}

const POLL_MS = 20;

export function createX11Driver(
  options: X11DriverOptions = {},
): InputDriver & { readonly xvfbPid: number | null; readonly appEventsReceived: number } {
  const unitsPerNotch = options.wheelUnitsPerNotch ?? 1;
  if (!(unitsPerNotch > 0) || !Number.isFinite(unitsPerNotch)) {
    throw new InputError(
      'INPUT_DISPLAY_FAILED',
      `wheelUnitsPerNotch ${unitsPerNotch} is not allowed; give a positive number (1 for a notched wheel)`,
    );
  }
  const moveRateHz = sourceMoveRate(options.sourceMoveRateHz);
  let live: Live | null = null;
  let closed = false;
  let closing: Promise<void> | null = null;
  let xvfbStarted: Xvfb | null = null;

  const need = (what: string): Live => {
    if (!live)
      throw new InputError(
        'INPUT_DISPLAY_FAILED',
        `the X11 driver cannot ${what} before start() has brought its display up${closed ? ' (it was closed)' : ''}`,
      );
    return live;
  };

  return {
    kind: 'x11',
    get placeholders(): Readonly<Record<string, string>> {
      return live ? { display: live.xvfb.display } : {};
    },
    get xvfbPid() {
      return xvfbStarted?.pid ?? null;
    },
    /** Input events the focused-window stand-in received (0 without one). */
    get appEventsReceived() {
      return live?.app?.received() ?? 0;
    },

    async start() {
      if (live) return;
      if (closed) throw new InputError('INPUT_DISPLAY_FAILED', 'the X11 driver was closed; create a new one');
      const xvfb = await startXvfb({
        display: options.display,
        widthPx: options.widthPx,
        heightPx: options.heightPx,
        startTimeoutMs: options.startTimeoutMs,
        command: options.xvfbCommand,
      });
      xvfbStarted = xvfb;
      let dpy: XDisplay | null = null;
      let app: FocusedWindow | null = null;
      try {
        dpy = await connect(xvfb.display);
        dpy.client.on('error', () => {
          /* a failed request surfaces as a lost event at the source, never as a crash of the harness */
        });
        const xtest = await requireExtension<XTestExt>(dpy.client, 'xtest', 'XTEST');
        const keymap = buildKeymap(await keyboardMapping(dpy.client, dpy.minKeycode, dpy.maxKeycode), dpy.minKeycode);
        // The behaviour model writes every key release itself; server autorepeat would add presses it never typed.
        dpy.client.ChangeKeyboardControl({ autoRepeatMode: 0 });
        const contextAtom = await internAtom(dpy.client, CONTEXT_ATOM_NAME);
        const listeningAtom = await internAtom(dpy.client, LISTENING_ATOM_NAME);
        await sync(dpy.client);
        if (options.focusedWindow ?? true) app = await openFocusedWindow(xvfb.display);
        if (closed) throw new InputError('INPUT_DISPLAY_FAILED', 'the X11 driver was closed while starting');
        live = { xvfb, dpy, xtest, keymap, contextAtom, listeningAtom, app };
      } catch (err) {
        if (app) await app.close();
        if (dpy) await disconnect(dpy.client);
        await xvfb.stop();
        throw err;
      }
    },

    async waitForAgent(timeoutMs) {
      const l = need('wait for an agent');
      const deadline = nowMs() + timeoutMs;
      const res = options.readiness === 'client' ? await requireExtension<ResExt>(l.dpy.client, 'res', 'X-Resource') : null;
      const settleMs = options.clientSettleMs ?? 500;
      let othersSince: number | null = null;
      for (;;) {
        if (live !== l)
          throw new InputError('INPUT_AGENT_NOT_LISTENING', `display ${l.xvfb.display} was closed while waiting for the agent`);
        if (res) {
          const clients = await new Promise<unknown[]>((ok, ko) => res.QueryClients((e, c) => (e ? ko(e) : ok(c))));
          if (clients.length > 1) {
            othersSince ??= nowMs();
            if (nowMs() - othersSince >= settleMs) return;
          } else othersSince = null;
        } else if ((await readCardinal(l.dpy.client, l.dpy.root, l.listeningAtom)) !== null) {
          return;
        }
        if (nowMs() >= deadline) {
          throw new InputError(
            'INPUT_AGENT_NOT_LISTENING',
            res
              ? `no agent connected to X display ${l.xvfb.display} within ${timeoutMs} ms; its command must connect to {display}`
              : `no agent started capturing on X display ${l.xvfb.display} within ${timeoutMs} ms (root property ${LISTENING_ATOM_NAME} never set); its command must capture from {display}`,
          );
        }
        await waitUntil(nowMs() + POLL_MS);
      }
    },

    async replay(window: EventBlock, replay: ReplayOptions): Promise<InjectionLateness> {
      const l = need('replay events');
      const { events, removed } = capReplay(window, replay.virtualEndMs, moveRateHz);
      const { client } = l.dpy;
      const root = l.dpy.root;
      const { toX } = l.keymap;
      const meter = new LatenessMeter();
      const offsetMs = replay.wallStartMs - replay.virtualStartMs;
      let context = -1;
      let wheelCarry = 0;
      // Where the pointer is (XTEST presses buttons there): unknown until this replay moves it.
      let pointerX = -1;
      let pointerY = -1;
      let movesAdded = 0;
      const w = l.dpy.widthPx;
      const h = l.dpy.heightPx;
      const moveTo = (x: number, y: number): void => {
        const cx = Math.min(Math.max(x, 0), w - 1);
        const cy = Math.min(Math.max(y, 0), h - 1);
        l.xtest.FakeInput(X_MOTION_NOTIFY, 0, 0, root, cx, cy);
        pointerX = cx;
        pointerY = cy;
      };
      /** A button goes down or up at the event's own position: the pointer goes there first if it is elsewhere. */
      const pointAt = (x: number, y: number): void => {
        if (Math.min(Math.max(x, 0), w - 1) === pointerX && Math.min(Math.max(y, 0), h - 1) === pointerY) return;
        moveTo(x, y);
        movesAdded++;
      };
      for (let i = 0; i < events.length; i++) {
        if (replay.signal?.aborted || live !== l) break;
        const t = events.t_ms[i]!;
        if (replay.virtualEndMs !== undefined && t >= replay.virtualEndMs) break;
        const dueMs = t + offsetMs;
        if (dueMs > nowMs()) await waitUntil(dueMs, replay.signal);
        if (replay.signal?.aborted || live !== l) break;
        const ctx = events.context[i]!;
        if (ctx !== context) {
          client.ChangeProperty(X.PropModeReplace, root, l.contextAtom, X.AtomCARDINAL, 32, [ctx]);
          context = ctx;
        }
        const x = events.x[i]!;
        const y = events.y[i]!;
        switch (events.type[i]) {
          case EventType.keydown:
            l.xtest.FakeInput(X_KEY_PRESS, toX[events.key[i]!]!, 0, 0, 0, 0);
            break;
          case EventType.keyup:
            l.xtest.FakeInput(X_KEY_RELEASE, toX[events.key[i]!]!, 0, 0, 0, 0);
            break;
          case EventType.mousemove:
            moveTo(x, y);
            break;
          case EventType.mousedown:
            pointAt(x, y);
            l.xtest.FakeInput(X_BUTTON_PRESS, BUTTON_TO_X[events.button[i]!] ?? 1, 0, 0, 0, 0);
            break;
          case EventType.mouseup:
            pointAt(x, y);
            l.xtest.FakeInput(X_BUTTON_RELEASE, BUTTON_TO_X[events.button[i]!] ?? 1, 0, 0, 0, 0);
            break;
          case EventType.wheel: {
            wheelCarry += events.key[i]! / unitsPerNotch;
            const button = wheelCarry > 0 ? WHEEL_DOWN_BUTTON : WHEEL_UP_BUTTON;
            for (let n = Math.trunc(Math.abs(wheelCarry)); n > 0; n--) {
              l.xtest.FakeInput(X_BUTTON_PRESS, button, 0, 0, 0, 0);
              l.xtest.FakeInput(X_BUTTON_RELEASE, button, 0, 0, 0, 0);
            }
            wheelCarry -= Math.trunc(wheelCarry);
            break;
          }
          default:
            continue;
        }
        meter.record(nowMs() - dueMs);
      }
      if (live === l) await sync(client);
      return {
        ...meter.figures(),
        ...(movesAdded > 0 ? { pointer_moves_added: movesAdded } : {}),
        ...(removed > 0 ? { moves_coalesced_at_source: removed } : {}),
      };
    },

    close() {
      closed = true;
      const l = live;
      live = null;
      closing ??= (async () => {
        if (l?.app) await l.app.close();
        if (l) await disconnect(l.dpy.client, 500);
        await xvfbStarted?.stop();
      })();
      return closing;
    },
  };
}
