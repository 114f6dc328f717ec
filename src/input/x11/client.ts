/**
 * Typed promise wrappers over the few node-x11 calls the X11 input path uses.
 * node-x11 is callback based and untyped; everything that touches it directly
 * lives here so the driver and sources stay readable.
 */
import { createRequire } from 'node:module';
import x11 from 'x11';
import { InputError } from '../errors.js';

/**
 * node-x11 caches interned atoms in its module-level table of standard atoms,
 * shared by every client: a second server (another laptop's Xvfb) would be
 * handed atom ids interned on the first, and answer "Bad atom". Each
 * connection gets its own table, started from a copy of the standard atoms
 * taken before anything was interned.
 */
const STANDARD_ATOMS: Readonly<Record<string, number>> = {
  ...(createRequire(import.meta.url)('x11/lib/stdatoms.js') as Record<string, number>),
};

function ownAtomCache(client: { atoms: Record<string, number>; atom_names: Record<number, string> }): void {
  client.atoms = { ...STANDARD_ATOMS };
  client.atom_names = Object.fromEntries(Object.entries(STANDARD_ATOMS).map(([name, atom]) => [atom, name]));
}

/** The subset of a node-x11 client (display.client) this module calls. */
export interface XClient {
  AllocID(): number;
  InternAtom(onlyIfExists: boolean, name: string, cb: (err: Error | null, atom: number) => void): void;
  ChangeProperty(mode: number, wid: number, name: number, type: number, format: number, data: number[] | Buffer): void;
  GetProperty(
    del: number,
    wid: number,
    name: number,
    type: number,
    longOffset: number,
    longLength: number,
    cb: (err: Error | null, prop: { type: number; format: number; data: Buffer }) => void,
  ): void;
  ChangeWindowAttributes(wid: number, values: Record<string, number>): void;
  GetKeyboardMapping(startCode: number, num: number, cb: (err: Error | null, rows: number[][]) => void): void;
  ChangeKeyboardControl(values: Record<string, number>): void;
  GetInputFocus(cb: (err: Error | null, focus: unknown) => void): void;
  require(name: string, cb: (err: Error | null, ext: unknown) => void): void;
  close(cb?: (err?: Error) => void): void;
  terminate(): void;
  on(event: 'event', cb: (ev: XEvent) => void): void;
  on(event: 'error' | 'end', cb: (err?: Error) => void): void;
  removeAllListeners(event?: string): void;
  readonly display: { readonly min_keycode: number; readonly max_keycode: number };
}

export interface XEvent {
  readonly type: number;
  readonly name?: string;
  readonly [field: string]: unknown;
}

export interface XDisplay {
  readonly client: XClient;
  readonly root: number;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly minKeycode: number;
  readonly maxKeycode: number;
}

/** Core protocol constants this path needs. */
export const X = {
  PropModeReplace: 0,
  AtomCARDINAL: 6,
  AnyPropertyType: 0,
  PropertyChangeMask: 0x400000,
  PropertyNotify: 28,
} as const;

/** Connects to `display` (e.g. ":3"); rejects with INPUT_DISPLAY_FAILED naming the display. */
export function connect(display: string): Promise<XDisplay> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(
        new InputError('INPUT_DISPLAY_FAILED', `cannot connect to X display ${display}: ${(err as Error)?.message ?? String(err)}`, {
          cause: err,
        }),
      );
    };
    try {
      const client = x11.createClient(
        { display },
        (
          err: Error | null,
          dpy: {
            client: XClient;
            screen: Array<{ root: number; pixel_width: number; pixel_height: number }>;
            min_keycode: number;
            max_keycode: number;
          },
        ) => {
          if (err) return fail(err);
          if (settled) return;
          settled = true;
          ownAtomCache(dpy.client as unknown as Parameters<typeof ownAtomCache>[0]);
          const screen = dpy.screen[0]!;
          resolve({
            client: dpy.client,
            root: screen.root,
            widthPx: screen.pixel_width,
            heightPx: screen.pixel_height,
            minKeycode: dpy.min_keycode,
            maxKeycode: dpy.max_keycode,
          });
        },
      );
      client.on('error', fail);
    } catch (err) {
      fail(err);
    }
  });
}

export function requireExtension<T>(client: XClient, name: string, xName: string): Promise<T> {
  return new Promise((resolve, reject) => {
    client.require(name, (err, ext) => {
      if (err || !ext)
        reject(
          new InputError(
            'INPUT_EXTENSION_MISSING',
            `the X server lacks the ${xName} extension (${err?.message ?? 'not present'}); Xvfb from Debian's xvfb package has it`,
            { cause: err },
          ),
        );
      else resolve(ext as T);
    });
  });
}

export function internAtom(client: XClient, name: string): Promise<number> {
  return new Promise((resolve, reject) => client.InternAtom(false, name, (err, atom) => (err ? reject(err) : resolve(atom))));
}

export function keyboardMapping(client: XClient, min: number, max: number): Promise<number[][]> {
  return new Promise((resolve, reject) =>
    client.GetKeyboardMapping(min, max - min + 1, (err, rows) => (err ? reject(err) : resolve(rows))),
  );
}

/** A 32-bit CARDINAL property's first value, or null when the property is not set. */
export function readCardinal(client: XClient, wid: number, atom: number): Promise<number | null> {
  return new Promise((resolve, reject) =>
    client.GetProperty(0, wid, atom, X.AnyPropertyType, 0, 1, (err, prop) => {
      if (err) return reject(err);
      resolve(prop.format === 32 && prop.data.length >= 4 ? prop.data.readUInt32LE(0) : null);
    }),
  );
}

/** Round trip: resolves once the server has processed everything sent before. */
export function sync(client: XClient): Promise<void> {
  return new Promise((resolve, reject) => client.GetInputFocus((err) => (err ? reject(err) : resolve())));
}

/** Closes the connection; never rejects (a connection already gone is closed). */
export function disconnect(client: XClient, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        client.terminate();
      } catch {
        /* already gone */
      }
      resolve();
    }, timeoutMs);
    try {
      client.close(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
