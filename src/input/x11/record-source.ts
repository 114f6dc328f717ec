/**
 * Agent side of the X11 input path through the RECORD extension, as
 * keyloggers and input-analytics agents on X11 capture input: the server
 * copies every device event into a recording stream, several events per
 * reply, and the source hands each reply to the sink as one block.
 *
 * Two connections, as RECORD requires: a control connection that owns the
 * record context, and a data connection that carries nothing but the
 * recorded replies.
 */
import type net from 'node:net';
import { InputError } from '../errors.js';
import { paceReads, type ReadPacer } from '../read-pacing.js';
import type { InputSink, InputSource } from '../types.js';
import { connect, disconnect, internAtom, keyboardMapping, readCardinal, requireExtension, sync, X, type XDisplay } from './client.js';
import { CONTEXT_ATOM_NAME, lastPropertyValue, LISTENING_ATOM_NAME } from './context-property.js';
import { buildKeymap } from './keymap.js';
import { decodeDeviceEvents, DeliveryBuffer, X_KEY_PRESS, X_MOTION_NOTIFY, type DecodeState } from './record-decode.js';
import { probeServerClock } from './server-clock.js';

export interface X11SourceOptions {
  /** The X display to capture, e.g. ":3". */
  readonly display: string;
  /** 'record' (default): X11 RECORD; 'xi2': XInput2 raw events. */
  readonly method?: 'record' | 'xi2';
  /** Agent clock − wall clock in ms (a replayed day that is not today); 0 by default. */
  readonly clockOffsetMs?: number;
  /** How long start() may take to connect and go live. */
  readonly startTimeoutMs?: number;
  /** 0: read each delivery as the server sends it; N: read in batches, at most one wake-up per N ms while input flows (read-pacing.ts). */
  readonly readIntervalMs?: number;
}

interface RecordReply {
  readonly category: number;
  readonly clientSwapped: boolean;
  readonly data: Buffer;
}
interface RecordExt {
  readonly CS: { readonly AllClients: number };
  readonly Category: { readonly FromServer: number; readonly FromClient: number; readonly StartOfData: number };
  CreateContext(context: number, elementHeader: number, clientSpecs: number[], ranges: object[]): void;
  EnableContext(context: number, onData: (reply: RecordReply) => void, cb: (err: Error | null) => void): void;
  DisableContext(context: number): void;
  FreeContext(context: number): void;
}

const CHANGE_PROPERTY_OPCODE = 18;

export function createRecordSource(options: X11SourceOptions): InputSource {
  let control: XDisplay | null = null;
  let data: XDisplay | null = null;
  let recordContext = 0;
  let record: RecordExt | null = null;
  let listeningAtom = 0;
  let closing: Promise<void> | null = null;
  let pacer: ReadPacer | null = null;

  const release = async (): Promise<void> => {
    // What the server sent and a paced reader has not taken yet is still the agent's input.
    if (data) await pacer?.drain();
    const c = control;
    const d = data;
    control = null;
    data = null;
    if (c) {
      try {
        if (record && recordContext) {
          record.DisableContext(recordContext);
          record.FreeContext(recordContext);
        }
        if (listeningAtom) (c.client as unknown as { DeleteProperty(w: number, a: number): void }).DeleteProperty(c.root, listeningAtom);
        await Promise.race([sync(c.client), new Promise((r) => setTimeout(r, 500))]);
      } catch {
        /* the display is already gone: nothing left to release */
      }
      await disconnect(c.client, 500);
    }
    if (d) await disconnect(d.client, 500);
  };

  return {
    kind: 'x11',
    async start(sink: InputSink) {
      if (control || closing)
        throw new InputError(
          'INPUT_DISPLAY_FAILED',
          `the X11 source on ${options.display} was already started or closed; create a new one`,
        );
      const timeoutMs = options.startTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new InputError(
                'INPUT_DISPLAY_FAILED',
                `the RECORD capture on X display ${options.display} did not go live within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
      });
      try {
        await Promise.race([
          timeout,
          (async () => {
            control = await connect(options.display);
            control.client.on('error', () => {
              /* requests on a display being torn down fail; close() copes */
            });
            data = await connect(options.display);
            data.client.on('error', () => {});
            record = await requireExtension<RecordExt>(control.client, 'record', 'RECORD');
            const record2 = await requireExtension<RecordExt>(data.client, 'record', 'RECORD');
            const keymap = buildKeymap(await keyboardMapping(control.client, control.minKeycode, control.maxKeycode), control.minKeycode);
            const contextAtom = await internAtom(control.client, CONTEXT_ATOM_NAME);
            listeningAtom = await internAtom(control.client, LISTENING_ATOM_NAME);
            const clock = await probeServerClock(control, options.clockOffsetMs ?? 0);
            const state: DecodeState = {
              fromX: keymap.fromX,
              clock,
              context: (await readCardinal(control.client, control.root, contextAtom)) ?? 0,
            };
            const root = control.root;
            const buffer = new DeliveryBuffer();
            const reader = (data.client as unknown as { stream: net.Socket }).stream;
            pacer = paceReads(reader, options.readIntervalMs ?? 0);
            // One block per socket read: node-x11 hands over the read's RECORD replies one by one, synchronously.
            let flushQueued = false;
            const flush = () => {
              flushQueued = false;
              if (buffer.length === 0) return;
              sink(buffer.view());
              buffer.clear();
              pacer?.afterRead();
            };

            recordContext = control.client.AllocID();
            record.CreateContext(
              recordContext,
              0,
              [record.CS.AllClients],
              [
                {
                  deviceEvents: { first: X_KEY_PRESS, last: X_MOTION_NOTIFY },
                  // the context property changes, in order with the device events (context-property.ts)
                  coreRequests: { first: CHANGE_PROPERTY_OPCODE, last: CHANGE_PROPERTY_OPCODE },
                },
              ],
            );
            await sync(control.client);
            const cat = record.Category;
            await new Promise<void>((live, fail) => {
              record2.EnableContext(
                recordContext,
                (reply) => {
                  if (reply.category === cat.FromServer) {
                    decodeDeviceEvents(reply.data, reply.clientSwapped, state, buffer);
                    if (buffer.length > 0 && !flushQueued) {
                      flushQueued = true;
                      queueMicrotask(flush);
                    }
                  } else if (reply.category === cat.FromClient) {
                    const ctx = lastPropertyValue(reply.data, reply.clientSwapped, root, contextAtom);
                    if (ctx !== null) state.context = ctx;
                  } else if (reply.category === cat.StartOfData) {
                    live();
                  }
                },
                (err) => {
                  if (err) fail(err);
                },
              );
            });
            control.client.ChangeProperty(X.PropModeReplace, control.root, listeningAtom, X.AtomCARDINAL, 32, [process.pid]);
            await sync(control.client);
          })(),
        ]);
      } catch (err) {
        await release();
        throw err instanceof InputError
          ? err
          : new InputError('INPUT_DISPLAY_FAILED', `RECORD capture on X display ${options.display} failed: ${(err as Error).message}`, {
              cause: err,
            });
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      closing ??= release();
      return closing;
    },
  };
}
