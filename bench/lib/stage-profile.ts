/**
 * Where a service's time goes: the V8 sampling profiler in the service's own
 * process (started on demand, after the warm-up), its samples attributed to
 * stages by call stack, and the store's commit time on its writer thread.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { IngestServer } from '../../src/ingest/index.js';

/** Main-thread sample time by stage (ms), idle excluded, and the store's commit time on its writer thread. */
export interface StageProfile {
  readonly stages_ms: Record<string, number>;
  readonly idle_ms: number;
  readonly store_commit_s: number;
  readonly store_groups: number;
}

/** A stage is the nearest frame on the stack (from the leaf up) that one of these recognizes; the rest is HTTP and glue. */
export const STAGES: readonly (readonly [string, (fn: string, url: string) => boolean])[] = [
  // src/auth holds the header parsing and the HMAC (signer.js); devices.js asks it per upload.
  ['auth: signed headers + HMAC-SHA256', (_f, u) => u.includes('/src/auth/') || u.endsWith('/ingest/devices.js')],
  ['inflate (brotli, bomb-safe)', (f) => f === 'decompress'],
  ['decode + validate the batch', (f) => f === 'decodeBatch' || f === 'scanBatch'],
  [
    'policy (pause windows, exemption, capture hours)',
    (_f, u) => u.endsWith('/ingest/policy-state.js') || u.endsWith('/ingest/event-filter.js') || u.includes('/src/policy/'),
  ],
  ['store, main thread (queue, postMessage to the writer)', (_f, u) => u.includes('/ingest/store/')],
  ['metrics (prom-client)', (_f, u) => u.includes('/prom-client/') || u.endsWith('/ingest/metrics.js')],
  ['response (JSON, socket write)', (f) => f === 'sendJson' || f === 'sendRefusal'],
];
export const HTTP_STAGE = 'HTTP: parse, route, read the body, glue';
export const GC_STAGE = 'garbage collection';
export const RUNTIME_STAGE = 'V8/libuv outside JS ((program))';
export const STAGE_ORDER = [HTTP_STAGE, ...STAGES.map(([name]) => name), GC_STAGE, RUNTIME_STAGE];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

export async function startStageProfile(server: IngestServer): Promise<() => Promise<StageProfile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  const commit0 = await storeCommits(server);
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as {
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    };
    const commit1 = await storeCommits(server);
    session.disconnect();
    // FLEETSIM_BENCH_PROFILE_OUT=FILE also writes the raw profile (open it in Chrome DevTools, or speedscope).
    const out = process.env.FLEETSIM_BENCH_PROFILE_OUT;
    if (out) writeFileSync(`${out}.${process.pid}.cpuprofile`, JSON.stringify(profile));
    const stageOf = new Map<number, string>();
    const parent = new Map<number, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const classify = (id: number): string => {
      const leaf = byId.get(id)!.callFrame.functionName;
      if (leaf === '(idle)') return 'idle';
      if (leaf === '(garbage collector)') return GC_STAGE;
      if (leaf === '(program)') return RUNTIME_STAGE;
      for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
        const f = byId.get(x)!.callFrame;
        for (const [name, test] of STAGES) if (test(f.functionName, f.url)) return name;
      }
      return HTTP_STAGE;
    };
    const stages: Record<string, number> = Object.fromEntries(STAGE_ORDER.map((k) => [k, 0]));
    let idle = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      const id = profile.samples[i]!;
      let stage = stageOf.get(id);
      if (stage === undefined) stageOf.set(id, (stage = classify(id)));
      const ms = profile.timeDeltas[i]! / 1000;
      if (stage === 'idle') idle += ms;
      else stages[stage] = (stages[stage] ?? 0) + ms;
    }
    return {
      stages_ms: stages,
      idle_ms: idle,
      store_commit_s: commit1.seconds - commit0.seconds,
      store_groups: commit1.groups - commit0.groups,
    };
  };
}

/** The store's own commit timer (the fleetsim_ingest_store_write_seconds histogram): sum and count so far. */
async function storeCommits(server: IngestServer): Promise<{ seconds: number; groups: number }> {
  const m = await server.metrics.storeWrite.get();
  const value = (suffix: string) => m.values.find((v) => v.metricName === `fleetsim_ingest_store_write_seconds_${suffix}`)?.value ?? 0;
  return { seconds: value('sum'), groups: value('count') };
}
