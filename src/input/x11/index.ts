/**
 * The X11 input path: createX11Driver (harness side: Xvfb + XTEST) and
 * createX11Source (agent side: RECORD, or XInput2 raw events).
 */
import type { InputSource } from '../types.js';
import { X11_CAPTURE_METHODS } from '../../agent/limits.js';
import { InputError } from '../errors.js';
import { createRecordSource, type X11SourceOptions } from './record-source.js';
import { createXi2Source } from './xi2-source.js';

export { createX11Driver, type X11DriverOptions } from './driver.js';
export { startXvfb, type Xvfb, type XvfbOptions } from './xvfb.js';
export { CONTEXT_ATOM_NAME, LISTENING_ATOM_NAME } from './context-property.js';
export type { X11SourceOptions } from './record-source.js';

/** The agent-side X11 source: RECORD (default) or XInput2 raw events (`method: 'xi2'`). */
export function createX11Source(options: X11SourceOptions): InputSource {
  const method = options.method ?? 'record';
  if (method === 'record') return createRecordSource(options);
  if (method === 'xi2') return createXi2Source(options);
  throw new InputError(
    'INPUT_DISPLAY_FAILED',
    `X11 capture method "${String(method)}" is unknown; use one of ${X11_CAPTURE_METHODS.join(', ')}`,
  );
}
