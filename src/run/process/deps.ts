/**
 * The real input paths, observer and blackhole a process run uses by
 * default; tests and benchmarks hand runProcessFleet their own only where
 * they need to.
 */
import { join } from 'node:path';
import { ControlChannel } from '../../agent-process/control.js';
import { TapDriver } from '../../input/tap/index.js';
import { createX11Driver } from '../../input/x11/index.js';
import type { InputDriver, InputKind } from '../../input/types.js';
import { createBlackhole } from '../../ingest/blackhole.js';
import { observeProcessTree, startPackageEnergy } from '../../observe/index.js';
import type { ProcessRunDeps } from './process-run.js';

export function createInputDriver(
  kind: InputKind,
  o: { readonly dir: string; readonly index: number; readonly foreign: boolean; readonly sourceMoveRateHz?: number },
): InputDriver {
  const sourceMoveRateHz = o.sourceMoveRateHz ?? 0;
  switch (kind) {
    case 'tap':
      return new TapDriver(join(o.dir, 'tap.sock'), { sourceMoveRateHz });
    case 'x11':
      // fleetsim's agent marks its display when its capture is live; a foreign agent only connects.
      return createX11Driver({ readiness: o.foreign ? 'client' : 'property', sourceMoveRateHz });
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
