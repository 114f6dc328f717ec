/**
 * What it costs a load generator to send fleetsim batches as OTLP/HTTP logs
 * instead of the fleetsim wire format: encoding CPU per request, for the same
 * batches, side by side, each with and without gzip (OTLP exporters gzip by
 * default; the agent compresses its wire bodies too). Bench:load adds these
 * to its figures; bench/otlp.ts prints them alone.
 */
import { gzipSync } from 'node:zlib';
import { encodeOtlpLogs, type OtlpEncoding } from '../../src/targets/otlp/encode.js';
import { encodeBatch } from '../../src/wire/index.js';
import type { BatchInput } from '../../src/wire/types.js';

export interface EncodeCost {
  readonly cpu_us_per_request: number;
  readonly bytes_per_request_p50: number;
}

export interface OtlpCost {
  readonly requests_measured: number;
  readonly events_per_request_p50: number;
  readonly wire: EncodeCost;
  readonly wire_gzip: EncodeCost;
  readonly otlp_protobuf: EncodeCost;
  readonly otlp_protobuf_gzip: EncodeCost;
  readonly otlp_json: EncodeCost;
  readonly otlp_json_gzip: EncodeCost;
  /** OTLP protobuf encode CPU over the wire encode CPU, same batches (no compression on either side). */
  readonly otlp_protobuf_ratio_to_wire: number;
  readonly otlp_json_ratio_to_wire: number;
}

export interface OtlpCostOptions {
  /** Keep measuring each encoder until this much wall time has passed (at least one pass over the batches). */
  readonly minMs?: number;
  /** gzip level for the *_gzip figures (node's default is 6; OTLP exporters use the default). */
  readonly gzipLevel?: number;
  readonly employeeId?: string;
}

/**
 * CPU µs per request of each encoder over `batches` (one request each), measured
 * with process.cpuUsage around whole passes after a warm-up pass, so the JIT
 * and GC are counted as a sender would pay them.
 */
export function measureOtlpCost(batches: readonly BatchInput[], o: OtlpCostOptions = {}): OtlpCost {
  if (batches.length === 0) throw new Error('measureOtlpCost needs at least one batch');
  const minMs = o.minMs ?? 1000;
  const level = o.gzipLevel ?? 6;
  const otlp = (encoding: OtlpEncoding) => (b: BatchInput) =>
    encodeOtlpLogs(b, { encoding, ...(o.employeeId !== undefined ? { employeeId: o.employeeId } : {}) });
  const gz = (f: (b: BatchInput) => Uint8Array) => (b: BatchInput) => gzipSync(f(b), { level });
  const wire = (b: BatchInput) => encodeBatch(b);
  const measure = (f: (b: BatchInput) => Uint8Array): EncodeCost => {
    const sizes = batches.map((b) => f(b).byteLength);
    let requests = 0;
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    do {
      for (const b of batches) f(b);
      requests += batches.length;
    } while (performance.now() - wall0 < minMs);
    const cpu = process.cpuUsage(cpu0);
    return { cpu_us_per_request: round2((cpu.user + cpu.system) / requests), bytes_per_request_p50: median(sizes) };
  };
  const w = measure(wire);
  const pb = measure(otlp('protobuf'));
  const js = measure(otlp('json'));
  return {
    requests_measured: batches.length,
    events_per_request_p50: median(batches.map((b) => b.events.length)),
    wire: w,
    wire_gzip: measure(gz(wire)),
    otlp_protobuf: pb,
    otlp_protobuf_gzip: measure(gz(otlp('protobuf'))),
    otlp_json: js,
    otlp_json_gzip: measure(gz(otlp('json'))),
    otlp_protobuf_ratio_to_wire: round2(pb.cpu_us_per_request / w.cpu_us_per_request),
    otlp_json_ratio_to_wire: round2(js.cpu_us_per_request / w.cpu_us_per_request),
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
