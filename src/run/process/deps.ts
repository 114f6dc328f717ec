/**
 * The real input paths, observer and blackhole a process run uses by
 * default; tests and benchmarks hand runProcessFleet their own only where
 * they need to.
 */
import { join } from 'node:path';
import { ControlChannel } from '../../agent-process/control.js';
import { InputError } from '../../input/errors.js';
import { TapDriver } from '../../input/tap/index.js';
import type { InputDriver, InputKind } from '../../input/types.js';
import { createBlackhole } from '../../ingest/blackhole.js';
import { observeProcessTree, startPackageEnergy } from '../../observe/index.js';
import type { ProcessRunDeps } from './process-run.js';

export function createInputDriver(kind: InputKind, o: { readonly dir: string; readonly index: number }): InputDriver {
  switch (kind) {
    case 'tap':
      return new TapDriver(join(o.dir, 'tap.sock'));
    case 'x11':
      throw new InputError('INPUT_DISPLAY_FAILED', 'the x11 input path is not available in this build');
  }
}

export function defaultProcessDeps(): ProcessRunDeps {
  return {
    createDriver: createInputDriver,
    createControl: (path) => new ControlChannel(path),
    observe: (pid, o) => observeProcessTree(pid, { intervalMs: o.intervalMs }),
    energyMeter: () => {
      const meter = startPackageEnergy();
      return () => meter.stop();
    },
    startBlackhole: async (o) => {
      const server = createBlackhole({ status: o.status, delayMs: o.delayMs });
      const { url } = await server.start();
      return {
        url,
        counts: () => {
          const st = server.stats();
          // What crossed the radio: request lines and headers as well as bodies.
          return { requests: st.requests, bytes: st.body_bytes + st.header_bytes };
        },
        close: () => server.stop(),
      };
    },
  };
}
