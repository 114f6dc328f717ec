/**
 * npm run bench:ingest [-- --json] [--employees N] [--copies N] [--connections N] [--decode-threads N (default 1)]
 *                      [--baseline DIST [--baseline-rounds N (default 2)]] [--warmup-passes N (default 10)]
 *                      [--heap-flags 'FLAGS' (default: the server heap flags)] [--heap-rounds N (default 2; 0 skips)]
 *
 * Drives the ingest service on loopback with realistic batches and prints
 * batches/s, events/s and latency percentiles, side by side in the same run
 * with a no-op node:http server that receives the same bodies (the ceiling of
 * node:http on this machine), as a ratio.
 *
 * Batches: simulated employee-days through the real capture agent (default
 * configuration), decoded and re-issued under many device ids so that every
 * upload is a new batch (no duplicates), re-compressed with brotli-5 (brotli-11
 * costs 5 ms per batch to build a corpus of thousands; the server's inflate
 * time is the same for both, 37 µs per batch measured). Requests are signed
 * before the run (the skew bound is 5 minutes) so the client does no crypto.
 *
 * The measured run is long (--copies 100: about 26,000 uploads, 4-6 s a row)
 * because a short one is not the service's steady state: over 6,000 uploads
 * V8 was still compiling on its helper threads (most on Node 24) and the heap's
 * collections had not settled, and the service measured 20-30 % dearer.
 *
 * Every server is warmed up with the same uploads sent --warmup-passes times
 * (later passes are duplicates) before the measured run: with one pass, V8 was
 * still optimizing during the measured run, and its background compilation
 * added 40-60 µs per request to the service and doubled the no-op's CPU. On
 * Node 24, V8 moves the upload path's functions from Maglev to TurboFan only
 * after some 10,000 uploads: with 4 passes (8,000 uploads) its V8 log showed
 * 370 ms of TurboFan compiles inside a 15,000-upload measured run (about
 * 25 µs per upload on the helper threads), with 10 passes 140 ms, with 16
 * passes 130 ms (fresh uploads instead of duplicates changed nothing).
 *
 * Every server process starts with the heap flags `fleetsim serve` restarts
 * itself with (SERVER_HEAP_FLAGS), unless a row says otherwise, and its CPU is
 * also split by thread (main, V8's helpers, the threads the service started),
 * with the main heap's collections counted over the measured run.
 *
 * Each server runs in its own child process; the client is this process, a
 * closed loop of keep-alive connections writing pre-serialized requests on raw
 * sockets (cheaper than any HTTP client, so the no-op figure is node:http's
 * ceiling, not the client's). Rows:
 *   - no-op node:http and no-op fastify: read the same bodies, answer the same
 *     bytes; the framework row is the measurement behind choosing node:http;
 *   - the service on SQLite (FULL, NORMAL) and PostgreSQL (when a URL is set), decoding in
 *     its event loop as `fleetsim serve` does by default; and SQLite FULL with decode worker
 *     threads (--decode-threads), with the event loop's busy time and all threads' CPU per
 *     request for both (server CPU is read over IPC before and after the measured run only);
 *   - open-model latency: fresh SQLite FULL services driven at fixed arrival
 *     rates (50 % and 80 % of the closed-loop rate just measured), latency
 *     measured from each request's intended send time (no coordinated omission);
 *   - with --baseline DIST (the dist/ folder of another build, e.g. a copy of main's): that build's service and
 *     this one on SQLite FULL, alternated N times each in this run, for side-by-side CPU per upload;
 *   - V8's heap: the service with Node's default heap and with --heap-flags, alternated --heap-rounds times each:
 *     the CPU per upload and the major collections per 1,000 uploads of both (src/ingest/heap-flags.ts says why);
 *   - where the time goes: one more SQLite FULL run under the V8 sampling
 *     profiler (in the server process, started after the warm-up), its samples
 *     attributed to stages by call stack, in µs per request.
 */
import './lib/flag-errors.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, type OpenRunResult } from './lib/closed-loop.js';
import { importFastify, runChild } from './lib/ingest-child.js';
import { buildCorpus } from './lib/ingest-corpus.js';
import { BenchFlagError, cpuSeconds, intFlag, median, printTable, stringFlag, wantsJson } from './lib/output.js';
import { measure, type Measured } from './lib/service-launcher.js';
import { fsyncLatencyMs, inflateDecodeCpuUs, sqliteInsertCpuUs, stageCosts } from './lib/stage-costs.js';
import { DEFAULT_INGEST_LIMITS, SERVER_HEAP_FLAGS } from '../src/ingest/index.js';
import { supportedV8Flags } from '../src/v8-flags.js';
import { STAGE_ORDER } from './lib/stage-profile.js';

const metOrNot = (ok: boolean): string => (ok ? 'met' : 'NOT MET');

/** The child entry of every server this bench starts: this file, with --child. */
const SELF = fileURLToPath(import.meta.url);

async function main(): Promise<void> {
  const employees = intFlag('employees', 16);
  const copies = intFlag('copies', 100);
  const connections = intFlag('connections', 32);
  const openSeconds = intFlag('open-seconds', 3);
  const threads = intFlag('decode-threads', 1);
  const baselineDist = stringFlag('baseline');
  const baselineRounds = intFlag('baseline-rounds', 2);
  const warmupPasses = intFlag('warmup-passes', 10);
  const heapFlags = (stringFlag('heap-flags') ?? supportedV8Flags(SERVER_HEAP_FLAGS).join(' ')).split(' ').filter((f) => f !== '');
  const heapRounds = intFlag('heap-rounds', 2);
  const baselineScript = baselineDist === undefined ? undefined : join(baselineDist, 'bench', 'ingest.js');
  if (baselineScript !== undefined && !existsSync(baselineScript))
    throw new BenchFlagError(`--baseline ${baselineDist}: no bench/ingest.js there; pass the dist/ folder of a built checkout`);
  const cpu0 = cpuSeconds();
  const tBuild = performance.now();
  const { uploads, agentBatches, agentBodies } = await buildCorpus(employees, copies);
  const buildSeconds = (performance.now() - tBuild) / 1000;
  const warmup = Math.min(2000, Math.floor(uploads.length / 5));
  const totalEvents = uploads.reduce((a, u) => a + u.events, 0);
  const bodyBytes = uploads.reduce((a, u) => a + u.body.byteLength, 0);

  const tmp = mkdtempSync(join(tmpdir(), 'fleetsim-bench-ingest-'));
  try {
    const results: Measured[] = [];
    results.push(await measure('no-op node:http (ceiling)', 'noop', uploads, warmup, connections, { script: SELF, warmupPasses }));
    const hasFastify = (await importFastify()) !== null;
    const fastifyRow = hasFastify
      ? await measure('no-op fastify 5 (framework)', 'fastify-noop', uploads, warmup, connections, { script: SELF, warmupPasses })
      : null;
    if (fastifyRow) results.push(fastifyRow);
    // The service as `fleetsim serve` runs it by default (decoding in the event loop), then with decode worker threads.
    const sqlite = await measure('ingest, SQLite (synchronous=FULL)', 'sqlite', uploads, warmup, connections, {
      script: SELF,
      warmupPasses,
      storeUrl: `sqlite:${join(tmp, 'full.db')}`,
    });
    results.push(sqlite);
    const threadsLabel = `${threads} decode thread${threads === 1 ? '' : 's'}`;
    const sqliteThreads = await measure(`ingest, SQLite FULL, ${threadsLabel}`, 'sqlite', uploads, warmup, connections, {
      script: SELF,
      warmupPasses,
      storeUrl: `sqlite:${join(tmp, 'threads.db')}`,
      decodeThreads: threads,
    });
    results.push(sqliteThreads);
    const sqliteNormal = await measure('ingest, SQLite (synchronous=NORMAL)', 'sqlite-normal', uploads, warmup, connections, {
      script: SELF,
      warmupPasses,
      storeUrl: `sqlite:${join(tmp, 'normal.db')}`,
    });
    results.push(sqliteNormal);
    const pgUrl = process.env.FLEETSIM_BENCH_PG_URL ?? process.env.FLEETSIM_TEST_PG_URL;
    const pg = pgUrl
      ? await measure('ingest, PostgreSQL', 'postgres', uploads, warmup, connections, { script: SELF, storeUrl: pgUrl, warmupPasses })
      : null;
    if (pg) results.push(pg);
    // Side by side with another build: alternated, so both see the same machine load.
    const ab: { baseline: Measured[]; current: Measured[] } = { baseline: [], current: [] };
    for (let r = 0; baselineScript !== undefined && r < baselineRounds; r++) {
      ab.baseline.push(
        await measure(`ingest, SQLite FULL, baseline build (round ${r + 1})`, 'sqlite', uploads, warmup, connections, {
          script: baselineScript,
          warmupPasses,
          storeUrl: `sqlite:${join(tmp, `baseline-${r}.db`)}`,
        }),
      );
      ab.current.push(
        await measure(`ingest, SQLite FULL, this build (round ${r + 1})`, 'sqlite', uploads, warmup, connections, {
          script: SELF,
          warmupPasses,
          storeUrl: `sqlite:${join(tmp, `current-${r}.db`)}`,
        }),
      );
    }
    results.push(...ab.baseline.flatMap((b, i) => [b, ab.current[i]!]));
    // The service as it is, and with V8's heap configured for a server (heapFlags), alternated: how much of the
    // service's CPU is V8's heap sizing on a small, fast-churning heap (see the README's "Running the service").
    const heap: { plain: Measured[]; tuned: Measured[] } = { plain: [], tuned: [] };
    for (let r = 0; heapFlags.length > 0 && r < heapRounds; r++) {
      heap.plain.push(
        await measure(`ingest, SQLite FULL, node's default heap (round ${r + 1})`, 'sqlite', uploads, warmup, connections, {
          script: SELF,
          warmupPasses,
          storeUrl: `sqlite:${join(tmp, `heap-plain-${r}.db`)}`,
          nodeFlags: [],
        }),
      );
      heap.tuned.push(
        await measure(`ingest, SQLite FULL, node ${heapFlags.join(' ')} (round ${r + 1})`, 'sqlite', uploads, warmup, connections, {
          script: SELF,
          warmupPasses,
          storeUrl: `sqlite:${join(tmp, `heap-tuned-${r}.db`)}`,
          nodeFlags: heapFlags,
        }),
      );
    }
    results.push(...heap.plain.flatMap((p, i) => [p, heap.tuned[i]!]));

    const noop = results[0]!;
    const rate = (m: Measured) => m.run.ok / m.run.seconds;
    const capacity = rate(sqlite);

    // Open model on fresh SQLite FULL services: fixed arrival rates below the capacity just measured.
    const openRuns: { share: number; m: Measured }[] = [];
    for (const share of [0.5, 0.8]) {
      const ratePerSec = Math.max(1, Math.round(capacity * share));
      const requests = Math.min(uploads.length - warmup, Math.max(100, Math.round(ratePerSec * openSeconds)));
      const m = await measure(
        `open model at ${share * 100} % of capacity (${ratePerSec.toLocaleString('en-US')}/s)`,
        'sqlite',
        uploads,
        warmup,
        256,
        {
          script: SELF,
          warmupPasses,
          storeUrl: `sqlite:${join(tmp, `open-${share}.db`)}`,
          drive: { kind: 'open', ratePerSec, requests },
        },
      );
      openRuns.push({ share, m });
    }

    // Where the time goes: the same closed loop again, under the sampling profiler.
    const profiled = await measure('ingest, SQLite FULL, profiled', 'sqlite', uploads, warmup, connections, {
      script: SELF,
      warmupPasses,
      storeUrl: `sqlite:${join(tmp, 'profiled.db')}`,
      profile: true,
    });
    const prof = profiled.profile!;
    const perReq = (ms: number) => Number(((ms * 1000) / profiled.run.requests).toFixed(1));
    const stageUs: Record<string, number> = Object.fromEntries(Object.entries(prof.stages_ms).map(([k, v]) => [k, perReq(v)]));
    const busyUs = perReq(Object.values(prof.stages_ms).reduce((a, b) => a + b, 0));
    const commitUs = Number(((prof.store_commit_s * 1e6) / profiled.run.requests).toFixed(1));

    // Isolated single-thread costs on this process, same corpus.
    const stages = await stageCosts(uploads, tmp);
    const inflateDecodeCpu = inflateDecodeCpuUs(uploads.slice(warmup), {
      maxDecodedBytes: DEFAULT_INGEST_LIMITS.maxDecodedBytes,
      maxEvents: DEFAULT_INGEST_LIMITS.maxEventsPerBatch,
    });

    // The floor: what any service answering these uploads over node:http, checking them and storing them with
    // SQLite FULL pays per upload here, each part measured bare: the no-op server's CPU (all threads), the HMAC,
    // inflate + the batch check, and the durable insert of the body (groups as large as the profiled run formed).
    const batchesPerCommit = profiled.run.requests / Math.max(1, prof.store_groups);
    // fsync's kernel time varies from commit to commit: 3 runs of 3,000 timed inserts each, on fresh files, and their median.
    const floorRows = uploads.slice(0, Math.min(uploads.length, 6000));
    const sqliteCpu = median([0, 1, 2].map((i) => sqliteInsertCpuUs(floorRows, tmp, batchesPerCommit, i)));
    const noopCpuUs = (noop.cpuS * 1e6) / noop.run.requests;
    const floorUs = noopCpuUs + stages.verify_signature_us + inflateDecodeCpu + sqliteCpu;
    const eventsPerUpload = totalEvents / uploads.length;

    const fsync = fsyncLatencyMs(tmp);
    const commitMsPerGroup = (prof.store_commit_s * 1000) / Math.max(1, prof.store_groups);
    const inflateDecodeUs = (stageUs['inflate (brotli, bomb-safe)'] ?? 0) + (stageUs['decode + validate the batch'] ?? 0);
    const cpuUs = (m: Measured) => (m.cpuS * 1e6) / m.run.requests;
    const clientUs = (m: Measured) => (m.clientCpuS * 1e6) / m.run.requests;
    // Both cores, shared by the service (all its threads) and the client, at the CPU each took per request in its run.
    const twoCoreBound = (m: Measured) => 2e6 / (cpuUs(m) + clientUs(m));
    const openFigure = (share: number) => {
      const r = openRuns.find((x) => x.share === share)!.m;
      const o = r.run as OpenRunResult;
      const lag = Float64Array.from(o.lagMs).sort();
      const tag = `${Math.round(share * 100)}pct`;
      return {
        [`open_${tag}_target_per_sec`]: Math.round(o.targetPerSec),
        [`open_${tag}_achieved_per_sec`]: Math.round(o.ok / o.seconds),
        [`open_${tag}_p50_ms`]: Number(percentile(r.sorted, 0.5).toFixed(3)),
        [`open_${tag}_p99_ms`]: Number(percentile(r.sorted, 0.99).toFixed(3)),
        [`open_${tag}_p999_ms`]: Number(percentile(r.sorted, 0.999).toFixed(3)),
        [`open_${tag}_client_lag_p99_ms`]: Number(percentile(lag, 0.99).toFixed(3)),
        [`open_${tag}_requests`]: o.requests,
        [`open_${tag}_non_200`]: o.requests - o.ok,
      };
    };
    const mainUs = (m: Measured) => (m.mainThreadS === null ? null : Number(((m.mainThreadS * 1e6) / m.run.requests).toFixed(1)));
    // KiB sent to the disk per upload (median over runs), null when a build does not tell.
    const diskKib = (runs: readonly Measured[]) =>
      runs.some((m) => m.diskWrittenBytes === null)
        ? null
        : Number(median(runs.map((m) => m.diskWrittenBytes! / 1024 / m.run.requests)).toFixed(1));
    const abFigures =
      ab.baseline.length === 0
        ? {}
        : {
            baseline_service_cpu_us_per_upload: Number(median(ab.baseline.map(cpuUs)).toFixed(1)),
            current_service_cpu_us_per_upload: Number(median(ab.current.map(cpuUs)).toFixed(1)),
            service_cpu_vs_baseline: Number((median(ab.current.map(cpuUs)) / median(ab.baseline.map(cpuUs))).toFixed(3)),
            baseline_events_per_service_cpu_second: Math.round(median(ab.baseline.map((m) => m.run.events / m.cpuS))),
            current_events_per_service_cpu_second: Math.round(median(ab.current.map((m) => m.run.events / m.cpuS))),
            baseline_service_disk_kib_per_upload: diskKib(ab.baseline),
            current_service_disk_kib_per_upload: diskKib(ab.current),
          };
    const perUpload = (m: Measured, seconds: number) => Number(((seconds * 1e6) / m.run.requests).toFixed(1));
    const byThread = (m: Measured) =>
      m.threadsS === null
        ? null
        : {
            main: perUpload(m, m.threadsS.main),
            v8_helpers: perUpload(m, m.threadsS.v8Helpers),
            service_threads: perUpload(m, m.threadsS.serviceThreads),
          };
    const majors = (m: Measured) => (m.gc === null ? NaN : (m.gc.major * 1000) / m.run.requests);
    const heapFigures =
      heap.plain.length === 0
        ? {}
        : {
            heap_flags: heapFlags.join(' '),
            default_heap_service_cpu_us_per_upload: Number(median(heap.plain.map(cpuUs)).toFixed(1)),
            tuned_heap_service_cpu_us_per_upload: Number(median(heap.tuned.map(cpuUs)).toFixed(1)),
            tuned_heap_vs_default: Number((median(heap.tuned.map(cpuUs)) / median(heap.plain.map(cpuUs))).toFixed(3)),
            tuned_heap_service_over_floor: Number((median(heap.tuned.map(cpuUs)) / floorUs).toFixed(3)),
            tuned_heap_events_per_service_cpu_second: Math.round(median(heap.tuned.map((m) => m.run.events / m.cpuS))),
            default_heap_major_gcs_per_1000_uploads: Number(median(heap.plain.map(majors)).toFixed(2)),
            tuned_heap_major_gcs_per_1000_uploads: Number(median(heap.tuned.map(majors)).toFixed(2)),
          };
    // The service's figures: the median over every run of it as `fleetsim serve` runs it (the FULL row, and the heap
    // rounds when --heap-flags is the server heap): one run on this VM is within about ±10 % of another.
    const serverHeapRuns = [sqlite, ...(heapFlags.join(' ') === SERVER_HEAP_FLAGS.join(' ') ? heap.tuned : [])];
    const serviceUs = median(serverHeapRuns.map(cpuUs));
    const serviceEventsPerCpuS = median(serverHeapRuns.map((m) => m.run.events / m.cpuS));
    const figures = {
      service_cpu_us_per_upload: Number(serviceUs.toFixed(1)),
      service_runs: serverHeapRuns.length,
      service_main_thread_cpu_us_per_upload: mainUs(sqlite),
      service_cpu_by_thread_us_per_upload: byThread(sqlite),
      service_major_gcs_per_1000_uploads: sqlite.gc === null ? null : Number(((sqlite.gc.major * 1000) / sqlite.run.requests).toFixed(2)),
      service_minor_gcs_per_1000_uploads: sqlite.gc === null ? null : Number(((sqlite.gc.minor * 1000) / sqlite.run.requests).toFixed(2)),
      service_gc_pause_us_per_upload: sqlite.gc === null ? null : perUpload(sqlite, sqlite.gc.ms / 1000),
      // What SQLite FULL writes to the disk per stored batch (the WAL's pages, then the checkpoints'), against the body.
      service_disk_kib_per_upload: diskKib(serverHeapRuns),
      inflate_decode_cpu_us_per_upload: Number(inflateDecodeCpu.toFixed(1)),
      service_over_inflate_decode: Number((serviceUs / inflateDecodeCpu).toFixed(3)),
      events_per_service_cpu_second: Math.round(serviceEventsPerCpuS),
      ...abFigures,
      ...heapFigures,
      floor_cpu_us_per_upload: Number(floorUs.toFixed(1)),
      floor_noop_http_cpu_us: Number(noopCpuUs.toFixed(1)),
      floor_sqlite_insert_cpu_us: Number(sqliteCpu.toFixed(1)),
      floor_over_inflate_decode: Number((floorUs / inflateDecodeCpu).toFixed(3)),
      floor_events_per_cpu_second: Math.round((eventsPerUpload * 1e6) / floorUs),
      service_over_floor: Number((serviceUs / floorUs).toFixed(3)),
      batches_per_sec: Math.round(rate(sqlite)),
      events_per_sec: Math.round(sqlite.run.events / sqlite.run.seconds),
      noop_requests_per_sec: Math.round(rate(noop)),
      ratio_to_noop: Number((rate(sqlite) / rate(noop)).toFixed(3)),
      decode_threads: threads,
      threaded_batches_per_sec: Math.round(rate(sqliteThreads)),
      decode_threads_speedup: Number((rate(sqliteThreads) / rate(sqlite)).toFixed(3)),
      p50_ms: Number(percentile(sqlite.sorted, 0.5).toFixed(3)),
      p90_ms: Number(percentile(sqlite.sorted, 0.9).toFixed(3)),
      p99_ms: Number(percentile(sqlite.sorted, 0.99).toFixed(3)),
      p999_ms: Number(percentile(sqlite.sorted, 0.999).toFixed(3)),
      noop_p99_ms: Number(percentile(noop.sorted, 0.99).toFixed(3)),
      fastify_noop_requests_per_sec: fastifyRow ? Math.round(rate(fastifyRow)) : null,
      node_http_vs_fastify: fastifyRow ? Number((rate(noop) / rate(fastifyRow)).toFixed(3)) : null,
      fastify_noop_server_cpu_us_per_request: fastifyRow ? Math.round(cpuUs(fastifyRow)) : null,
      sqlite_normal_batches_per_sec: Math.round(rate(sqliteNormal)),
      ...(pg
        ? {
            postgres_batches_per_sec: Math.round(rate(pg)),
            postgres_events_per_sec: Math.round(pg.run.events / pg.run.seconds),
            postgres_p99_ms: Number(percentile(pg.sorted, 0.99).toFixed(3)),
          }
        : {}),
      ...openFigure(0.5),
      ...openFigure(0.8),
      server_cpu_us_per_request: Math.round(cpuUs(sqlite)),
      threaded_server_cpu_us_per_request: Math.round(cpuUs(sqliteThreads)),
      noop_server_cpu_us_per_request: Math.round(cpuUs(noop)),
      client_cpu_us_per_request: Math.round(clientUs(sqlite)),
      server_kernel_cpu_us_per_request: Math.round((sqlite.systemS * 1e6) / sqlite.run.requests),
      threaded_server_kernel_cpu_us_per_request: Math.round((sqliteThreads.systemS * 1e6) / sqliteThreads.run.requests),
      event_loop_busy_us_per_request: Math.round((sqlite.loopBusyS * 1e6) / sqlite.run.requests),
      threaded_event_loop_busy_us_per_request: Math.round((sqliteThreads.loopBusyS * 1e6) / sqliteThreads.run.requests),
      noop_client_cpu_us_per_request: Math.round(clientUs(noop)),
      ratio_bound_two_cores: Number((twoCoreBound(sqlite) / rate(noop)).toFixed(3)),
      stage_us_per_request: stageUs,
      profiled_main_thread_busy_us_per_request: busyUs,
      profiled_main_thread_idle_share: Number(
        (prof.idle_ms / (prof.idle_ms + Object.values(prof.stages_ms).reduce((a, b) => a + b, 0))).toFixed(3),
      ),
      store_commit_us_per_request_writer_thread: commitUs,
      store_batches_per_commit: Number((profiled.run.requests / Math.max(1, prof.store_groups)).toFixed(1)),
      profiled_batches_per_sec: Math.round(rate(profiled)),
      inflate_decode_us_per_request: Number(inflateDecodeUs.toFixed(1)),
      ratio_bound_inflate_decode_one_core: Number((1e6 / inflateDecodeUs / rate(noop)).toFixed(3)),
      fsync_p50_ms: Number(fsync.p50.toFixed(2)),
      fsync_p90_ms: Number(fsync.p90.toFixed(2)),
      commit_ms_per_group: Number(commitMsPerGroup.toFixed(2)),
      ratio_bound_commit_latency: Number((connections / (commitMsPerGroup / 1000) / rate(noop)).toFixed(3)),
      seconds_per_run: Number(sqlite.run.seconds.toFixed(2)),
      ...stages,
      non_200: results.reduce((a, m) => a + (m.run.requests - m.run.ok), 0),
      requests_per_run: uploads.length - warmup,
      warmup_requests: warmup,
      warmup_passes: warmupPasses,
      connections,
      events_per_batch: Number((totalEvents / uploads.length).toFixed(1)),
      body_bytes_per_batch: Math.round(bodyBytes / uploads.length),
      agent_batches: agentBatches.length,
      agent_body_bytes_per_batch: Math.round(agentBodies.reduce((a, b) => a + b.byteLength, 0) / agentBodies.length),
      devices: new Set(uploads.map((u) => u.deviceId)).size,
      corpus_build_seconds: Number(buildSeconds.toFixed(1)),
      bench_cpu_seconds: Number((cpuSeconds() - cpu0).toFixed(1)),
    };
    if (wantsJson()) {
      process.stdout.write(`${JSON.stringify(figures)}\n`);
      return;
    }
    printTable(
      `Ingest on loopback: ${figures.requests_per_run.toLocaleString('en-US')} uploads (no-ops: the same, three times) of ${figures.events_per_batch} events (${figures.body_bytes_per_batch} B brotli) per server, ${connections} keep-alive connections, closed loop`,
      [
        'server',
        'batches/s',
        'events/s',
        'vs no-op',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'p99.9 ms',
        'server CPU µs/req',
        'client CPU µs/req',
        'non-200',
      ],
      results.map((m) => [
        m.name,
        rate(m),
        m.run.events / m.run.seconds,
        rate(m) / rate(noop),
        percentile(m.sorted, 0.5),
        percentile(m.sorted, 0.9),
        percentile(m.sorted, 0.99),
        percentile(m.sorted, 0.999),
        cpuUs(m),
        clientUs(m),
        m.run.requests - m.run.ok,
      ]),
    );
    if (!fastifyRow) process.stdout.write('(no fastify row: fastify is not installed; npm install -D fastify@5 adds it)\n');
    printTable(
      "Open model, SQLite FULL: fixed arrival rates, latency from each request's intended send time (256 connections available)",
      ['arrival rate', 'achieved/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'client lag p99 ms', 'requests', 'non-200'],
      openRuns.map(({ share, m }) => {
        const o = m.run as OpenRunResult;
        return [
          `${share * 100} % of ${Math.round(capacity).toLocaleString('en-US')}/s = ${Math.round(o.targetPerSec).toLocaleString('en-US')}/s`,
          o.ok / o.seconds,
          percentile(m.sorted, 0.5),
          percentile(m.sorted, 0.9),
          percentile(m.sorted, 0.99),
          percentile(m.sorted, 0.999),
          percentile(Float64Array.from(o.lagMs).sort(), 0.99),
          o.requests,
          o.requests - o.ok,
        ];
      }),
    );
    printTable(
      `Where the time goes: the service's main thread under the V8 sampling profiler (µs per request, ${profiled.run.requests.toLocaleString('en-US')} requests at ${Math.round(rate(profiled)).toLocaleString('en-US')}/s, closed loop)`,
      ['stage', 'µs/request', 'share'],
      [
        ...STAGE_ORDER.map((k) => [k, stageUs[k] ?? 0, `${(((stageUs[k] ?? 0) / busyUs) * 100).toFixed(0)} %`]),
        ['main thread busy, all stages', busyUs, '100 %'],
        ['main thread idle (waiting for commits, for the client)', perReq(prof.idle_ms), ''],
        [`store commit on the writer thread (wall, fsync included; ${figures.store_batches_per_commit} batches per commit)`, commitUs, ''],
        ['no-op node:http server CPU per request (for scale)', figures.noop_server_cpu_us_per_request, ''],
      ],
    );
    printTable(
      'The same stages in isolation (µs per batch, single thread, this process)',
      ['stage', 'µs'],
      [
        ['HMAC-SHA256 signature check', stages.verify_signature_us],
        ['brotli inflate (bomb-safe)', stages.decompress_us],
        ['decode batch (wire, every column kept)', stages.decode_us],
        ["check batch, keep header + times (the service's scanBatch)", stages.scan_us],
        ['SQLite insert in a group transaction', stages.sqlite_insert_us],
      ],
    );
    printTable(
      'The floor: each part of an upload measured bare, CPU per upload (µs); no service on node:http + SQLite FULL pays less here',
      ['part', 'µs'],
      [
        ['no-op node:http server answering the same bodies (all threads)', figures.floor_noop_http_cpu_us],
        ['HMAC-SHA256 signature check', stages.verify_signature_us],
        ["inflate + batch check (the service's decodeBody)", figures.inflate_decode_cpu_us_per_upload],
        [
          `SQLite FULL insert of the body, ${batchesPerCommit.toFixed(1)} per commit, fsync included (user + kernel)`,
          figures.floor_sqlite_insert_cpu_us,
        ],
        ['floor, sum', figures.floor_cpu_us_per_upload],
        [`the service (all threads; median of ${figures.service_runs} runs)`, figures.service_cpu_us_per_upload],
      ],
    );
    const split = figures.service_cpu_by_thread_us_per_upload;
    if (split !== null) {
      const gcLine = (what: string, v: number | null) => [what, v ?? 'n/a'];
      printTable(
        `The service's CPU by thread (µs per upload, the SQLite FULL row: ${sqlite.run.requests.toLocaleString('en-US')} uploads in ${sqlite.run.seconds.toFixed(1)} s)`,
        ['thread', 'µs'],
        [
          ['main (HTTP, auth, inflate, check, policy, answer; GC pauses)', split.main],
          ["V8's helper threads (concurrent marking, parallel scavenges, compilers)", split.v8_helpers],
          ["threads the service started (the SQLite writer, libuv's pool)", split.service_threads],
          ['all threads', figures.service_cpu_us_per_upload],
          gcLine('major collections of the main heap per 1,000 uploads', figures.service_major_gcs_per_1000_uploads),
          gcLine('minor collections per 1,000 uploads', figures.service_minor_gcs_per_1000_uploads),
          gcLine('GC pauses on the main thread (µs per upload)', figures.service_gc_pause_us_per_upload),
          gcLine(
            `KiB sent to the disk per upload (WAL and checkpoints; the body is ${(figures.body_bytes_per_batch / 1024).toFixed(1)})`,
            figures.service_disk_kib_per_upload,
          ),
        ],
      );
    }
    process.stdout.write(
      `\nFloor: ${figures.floor_cpu_us_per_upload} µs per upload = ${figures.floor_over_inflate_decode}x inflate + decode, ${(figures.floor_events_per_cpu_second / 1e6).toFixed(2)} M events per CPU second; ` +
        `the service is ${figures.service_over_floor}x the floor.\n`,
    );
    process.stdout.write(
      `\nGoals: ≥ 2,000,000 events/s: ${metOrNot(figures.events_per_sec >= 2e6)} (${figures.events_per_sec.toLocaleString('en-US')}); ` +
        `≥ 12 M events per service CPU second: ${metOrNot(figures.events_per_service_cpu_second >= 12e6)} (${(figures.events_per_service_cpu_second / 1e6).toFixed(2)} M); ` +
        `service ≤ 1.5x inflate + check: ${metOrNot(figures.service_over_inflate_decode <= 1.5)} (${figures.service_over_inflate_decode}x; the floor alone is ${figures.floor_over_inflate_decode}x). ` +
        `Retired: ≥ 60 % of the no-op request rate (${(figures.ratio_to_noop * 100).toFixed(0)} %; two cores shared with the client cannot pass about ${(figures.ratio_bound_two_cores * 100).toFixed(0)} %).\n` +
        `Decode threads (--decode-threads ${threads}): ${figures.decode_threads_speedup}x the uploads/s of decoding in the event loop (${figures.threaded_batches_per_sec.toLocaleString('en-US')} vs ${figures.batches_per_sec.toLocaleString('en-US')}); ` +
        `the event loop's busy time per upload ${figures.threaded_event_loop_busy_us_per_request} vs ${figures.event_loop_busy_us_per_request} µs, CPU over all threads ${figures.threaded_server_cpu_us_per_request} vs ${figures.server_cpu_us_per_request} µs ` +
        `(kernel ${figures.threaded_server_kernel_cpu_us_per_request} vs ${figures.server_kernel_cpu_us_per_request}).\n` +
        `Bound: inflate + decode alone take ${inflateDecodeUs.toFixed(0)} µs per request; a core doing only that serves at most ` +
        `${Math.round(1e6 / inflateDecodeUs).toLocaleString('en-US')} requests/s = ${(figures.ratio_bound_inflate_decode_one_core * 100).toFixed(0)} % of the no-op rate. ` +
        `The service takes ${figures.server_cpu_us_per_request} µs of CPU per request over all its threads (the no-op ${figures.noop_server_cpu_us_per_request}), the client ${figures.client_cpu_us_per_request}: ` +
        `two cores shared by both serve at most ${Math.round(twoCoreBound(sqlite)).toLocaleString('en-US')}/s = ${(figures.ratio_bound_two_cores * 100).toFixed(0)} % of the no-op rate.\n` +
        `Disk: fsync takes ${figures.fsync_p50_ms} ms (p50; p90 ${figures.fsync_p90_ms}) here and a FULL commit ${figures.commit_ms_per_group} ms; with ${connections} connections in a closed loop at most ` +
        `${connections} batches can share a commit: ≤ ${Math.round(connections / (commitMsPerGroup / 1000)).toLocaleString('en-US')}/s = ${(figures.ratio_bound_commit_latency * 100).toFixed(0)} % of the no-op rate.\n`,
    );
    process.stdout.write(
      `Service CPU per upload (all threads, median of ${figures.service_runs} runs; the FULL row's main thread ${figures.service_main_thread_cpu_us_per_upload ?? 'n/a'}): ${figures.service_cpu_us_per_upload} µs against ${figures.inflate_decode_cpu_us_per_upload} µs for inflate + decode alone ` +
        `= ${figures.service_over_inflate_decode}x (goal ≤ 1.5x); ${(figures.events_per_service_cpu_second / 1e6).toFixed(2)} M events per service CPU second (goal ≥ 12 M).\n`,
    );
    if ('service_cpu_vs_baseline' in abFigures && abFigures.service_cpu_vs_baseline !== undefined) {
      process.stdout.write(
        `Against the baseline build (${baselineDist}), alternated ${baselineRounds}x in this run: ${abFigures.current_service_cpu_us_per_upload} vs ${abFigures.baseline_service_cpu_us_per_upload} µs of service CPU per upload ` +
          `(median) = ${abFigures.service_cpu_vs_baseline}x; ${((abFigures.current_events_per_service_cpu_second ?? NaN) / 1e6).toFixed(2)} vs ${((abFigures.baseline_events_per_service_cpu_second ?? NaN) / 1e6).toFixed(2)} M events per service CPU second; ` +
          `${abFigures.current_service_disk_kib_per_upload ?? 'n/a'} vs ${abFigures.baseline_service_disk_kib_per_upload ?? 'n/a'} KiB sent to the disk per upload.\n`,
      );
    }
    if ('tuned_heap_vs_default' in heapFigures && heapFigures.tuned_heap_vs_default !== undefined) {
      process.stdout.write(
        `V8's heap: node ${heapFigures.heap_flags} against node's default, alternated ${heapRounds}x: ${heapFigures.tuned_heap_service_cpu_us_per_upload} vs ${heapFigures.default_heap_service_cpu_us_per_upload} µs of service CPU per upload ` +
          `(median) = ${heapFigures.tuned_heap_vs_default}x, ${heapFigures.tuned_heap_service_over_floor}x the floor; major collections per 1,000 uploads ${heapFigures.tuned_heap_major_gcs_per_1000_uploads} vs ${heapFigures.default_heap_major_gcs_per_1000_uploads}.\n`,
      );
    }
    if (fastifyRow) {
      process.stdout.write(
        `node:http no-op vs fastify no-op on the same bodies: ${figures.node_http_vs_fastify}x the request rate (${figures.noop_server_cpu_us_per_request} vs ${figures.fastify_noop_server_cpu_us_per_request} µs server CPU per request).\n`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// Entry, last: classes above are initialized by now. `--child KIND [STORE]` is one server per process.
const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const store = process.argv[childIndex + 2];
  await runChild(process.argv[childIndex + 1]!, store === '-' ? undefined : store, Number(process.argv[childIndex + 3] ?? 0));
} else await main();
