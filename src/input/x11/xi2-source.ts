/**
 * Agent side of the X11 input path through XInput2 raw events, the other way
 * an X11 agent captures input: XI_RawKeyPress/Release, XI_RawButtonPress/
 * Release and XI_RawMotion selected on the root window, delivered as ordinary
 * events on one connection. Raw events carry no window coordinates: the
 * pointer position comes from the motion valuators (absolute on the XTEST
 * pointer that drives Xvfb; a real relative mouse would need QueryPointer).
 *
 * Each socket read's events reach the sink as one block (node-x11 emits them
 * one by one, synchronously, from one read; the flush runs after that read).
 * The input context is read from the root property on PropertyNotify
 * (context-property.ts); events that arrive between the notify and the
 * property's value are held back and tagged with the new value.
 */
import { EventType, MouseButton } from '../../events/index.js';
import type net from 'node:net';
import { InputError } from '../errors.js';
import { paceReads, type ReadPacer } from '../read-pacing.js';
import type { InputSink, InputSource } from '../types.js';
import {
  connect,
  disconnect,
  internAtom,
  keyboardMapping,
  readCardinal,
  requireExtension,
  sync,
  X,
  type XDisplay,
  type XEvent,
} from './client.js';
import { CONTEXT_ATOM_NAME, LISTENING_ATOM_NAME } from './context-property.js';
import { buildKeymap } from './keymap.js';
import { agentTime, DeliveryBuffer } from './record-decode.js';
import type { X11SourceOptions } from './record-source.js';
import { probeServerClock } from './server-clock.js';

interface XIExt {
  readonly AllMasterDevices: number;
  readonly EventMask: Readonly<Record<string, number>>;
  XISelectEvents(window: number, masks: { deviceId: number; mask: number | string[] }): void;
}

const BUTTON_FROM_X = [MouseButton.none, MouseButton.left, MouseButton.middle, MouseButton.right];
const WHEEL_DELTA_FROM_X: Record<number, number> = { 4: -1, 5: 1, 6: -1, 7: 1 };

export function createXi2Source(options: X11SourceOptions): InputSource {
  let dpy: XDisplay | null = null;
  let listeningAtom = 0;
  let closing: Promise<void> | null = null;
  let pacer: ReadPacer | null = null;

  const release = async (): Promise<void> => {
    // What the server sent and a paced reader has not taken yet is still the agent's input.
    if (dpy) await pacer?.drain();
    const d = dpy;
    dpy = null;
    if (!d) return;
    try {
      if (listeningAtom) (d.client as unknown as { DeleteProperty(w: number, a: number): void }).DeleteProperty(d.root, listeningAtom);
      await Promise.race([sync(d.client), new Promise((r) => setTimeout(r, 500))]);
    } catch {
      /* display already gone */
    }
    await disconnect(d.client, 500);
  };

  return {
    kind: 'x11',
    async start(sink: InputSink) {
      if (dpy || closing)
        throw new InputError(
          'INPUT_DISPLAY_FAILED',
          `the X11 source on ${options.display} was already started or closed; create a new one`,
        );
      try {
        const d = (dpy = await connect(options.display));
        const { client, root } = d;
        client.on('error', () => {});
        const xi = await requireExtension<XIExt>(client, 'xinput', 'XInputExtension');
        const keymap = buildKeymap(await keyboardMapping(client, d.minKeycode, d.maxKeycode), d.minKeycode);
        const contextAtom = await internAtom(client, CONTEXT_ATOM_NAME);
        listeningAtom = await internAtom(client, LISTENING_ATOM_NAME);
        const clock = await probeServerClock(d, options.clockOffsetMs ?? 0);
        let context = (await readCardinal(client, root, contextAtom)) ?? 0;
        const buffer = new DeliveryBuffer();
        pacer = paceReads((client as unknown as { stream: net.Socket }).stream, options.readIntervalMs ?? 0);
        let px = 0;
        let py = 0;
        let held = 0; // context reads under way: events wait for their value
        let heldFrom = -1;
        let flushQueued = false;
        const flush = () => {
          flushQueued = false;
          if (held > 0 || buffer.length === 0) return;
          sink(buffer.view());
          buffer.clear();
          pacer?.afterRead();
        };
        const queueFlush = () => {
          if (!flushQueued) {
            flushQueued = true;
            queueMicrotask(flush);
          }
        };
        client.on('event', (ev: XEvent) => {
          if (ev.type === X.PropertyNotify) {
            if (ev.atom !== contextAtom || ev.wid !== root) return;
            if (held++ === 0) heldFrom = buffer.length;
            client.GetProperty(0, root, contextAtom, X.AnyPropertyType, 0, 1, (err, prop) => {
              if (!err && prop.format === 32 && prop.data.length >= 4) context = prop.data.readUInt32LE(0);
              for (let i = heldFrom; i < buffer.length; i++) buffer.context[i] = context;
              if (--held === 0) queueFlush();
            });
            return;
          }
          const name = ev.name;
          if (typeof name !== 'string' || !name.startsWith('XIRaw')) return;
          const t = agentTime(clock, ev.time as number);
          const detail = ev.detail as number;
          switch (name) {
            case 'XIRawKeyPress':
            case 'XIRawKeyRelease': {
              const key = keymap.fromX[detail] ?? -1;
              if (key >= 0) buffer.push(t, name === 'XIRawKeyPress' ? EventType.keydown : EventType.keyup, key, 0, 0, 0, context, 0);
              break;
            }
            case 'XIRawButtonPress':
            case 'XIRawButtonRelease': {
              const wheel = WHEEL_DELTA_FROM_X[detail];
              if (wheel !== undefined) {
                if (name === 'XIRawButtonPress') buffer.push(t, EventType.wheel, wheel, px, py, 0, context, 0);
              } else if (detail >= 1 && detail <= 3) {
                buffer.push(
                  t,
                  name === 'XIRawButtonPress' ? EventType.mousedown : EventType.mouseup,
                  0,
                  px,
                  py,
                  BUTTON_FROM_X[detail]!,
                  context,
                  0,
                );
              }
              break;
            }
            case 'XIRawMotion': {
              const v = ev.valuators as Record<number, number> | undefined;
              if (v?.[0] === undefined && v?.[1] === undefined) return; // a smooth-scroll axis only: the wheel buttons carry it
              if (v[0] !== undefined) px = Math.round(v[0]);
              if (v[1] !== undefined) py = Math.round(v[1]);
              buffer.push(t, EventType.mousemove, 0, px, py, 0, context, 0);
              break;
            }
            default:
              return;
          }
          queueFlush();
        });
        client.ChangeWindowAttributes(root, { eventMask: X.PropertyChangeMask });
        const m = xi.EventMask;
        xi.XISelectEvents(root, {
          deviceId: xi.AllMasterDevices,
          mask: m.RawKeyPress! | m.RawKeyRelease! | m.RawButtonPress! | m.RawButtonRelease! | m.RawMotion!,
        });
        client.ChangeProperty(X.PropModeReplace, root, listeningAtom, X.AtomCARDINAL, 32, [process.pid]);
        await sync(client);
      } catch (err) {
        await release();
        throw err instanceof InputError
          ? err
          : new InputError('INPUT_DISPLAY_FAILED', `XInput2 capture on X display ${options.display} failed: ${(err as Error).message}`, {
              cause: err,
            });
      }
    },
    close() {
      closing ??= release();
      return closing;
    },
  };
}
