import { resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { LoadOptions, LoadResult } from '../../src/load/index.js';
import { protocolSpec, type ProtocolSettings } from '../../src/targets/protocols/index.js';
import { loadOptions, runLoad, smallScenario, writeCorpus } from '../load/helpers.js';

/** The part of a load run a foreign-target test chooses: pace and time limits. */
export type ForeignLoadLimits = Pick<LoadOptions, 'rateOverridePerS' | 'durationMs'> &
  Partial<Pick<LoadOptions, 'graceMs' | 'requestTimeoutMs'>>;

/**
 * For a describe block of load runs against targets that know nothing of
 * fleetsim: writes the small scenario's corpus before its tests and removes it
 * after. `load` runs the scenario at url with no fleet secret (a foreign target
 * enrolls nobody), the protocol given as its flags would give it, and the
 * test's limits.
 */
export function useForeignLoad(): { load: (url: string, protocol: ProtocolSettings, limits: ForeignLoadLimits) => Promise<LoadResult> } {
  const s = smallScenario();
  let corpus: Awaited<ReturnType<typeof writeCorpus>> | undefined;
  beforeAll(async () => {
    corpus = await writeCorpus(s);
  });
  afterAll(() => corpus?.cleanup());
  return {
    load: (url, protocol, limits) => {
      if (corpus === undefined) throw new Error('useForeignLoad: load called outside a test of its describe block');
      const spec = protocolSpec(
        protocol,
        (k) => `--${k}`,
        (f) => resolve(f),
      );
      return runLoad(loadOptions(s, url, corpus.dir, { fleetSecret: '', protocol: spec, ...limits }));
    },
  };
}
