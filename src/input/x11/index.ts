/**
 * The X11 input path: createX11Driver (harness side: Xvfb + XTEST) and
 * createX11Source (agent side: RECORD, or XInput2 raw events).
 */
import type { InputSource } from '../types.js';
import { createRecordSource, type X11SourceOptions } from './record-source.js';

export { createX11Driver, type X11DriverOptions } from './driver.js';
export { startXvfb, type Xvfb, type XvfbOptions } from './xvfb.js';
export { CONTEXT_ATOM_NAME, LISTENING_ATOM_NAME } from './context-property.js';
export type { X11SourceOptions } from './record-source.js';

export function createX11Source(options: X11SourceOptions): InputSource {
  return createRecordSource(options);
}
