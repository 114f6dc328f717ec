/**
 * npm run bench:ingest-codecs [-- --json] [--employees N (default 16)]
 *
 * What the body codec costs the ingest service, side by side with what it
 * costs the agent: the agent's own batches (simulated employee-days, default
 * agent configuration: brotli-5, 15-minute batches) re-compressed with each
 * codec and level this runtime has, and for each: bytes per batch (what the
 * laptop uploads), the agent's compression CPU, and the service's inflate
 * (bomb-safe, as decompress() runs it) and inflate + batch check (decodeBody,
 * what the service runs per upload), in µs per batch on this thread.
 *
 * zstd rows appear on runtimes whose node:zlib has it (Node >= 22.15; run
 * this file with `npx -p node@24 node dist/bench/ingest-codecs.js`), with a
 * raw-content dictionary (other employees' batches) when node:zlib takes a
 * zstd dictionary. "deflate + dictionary" is zlib's preset dictionary, for
 * comparison only: no Content-Encoding carries it. The agent's default codec
 * is not changed by any of this; the table is the measurement behind
 * choosing it, or another, later.
 */
import './lib/flag-errors.js';
import zlib from 'node:zlib';
import { decodeBody } from '../src/ingest/decode-body.js';
import { DEFAULT_INGEST_LIMITS } from '../src/ingest/index.js';
import { availableCodecs, compress, decompress, type Codec } from '../src/wire/index.js';
import { buildCorpus } from './lib/ingest-corpus.js';
import { intFlag, printTable, wantsJson } from './lib/output.js';

interface Variant {
  readonly name: string;
  readonly compress: (raw: Uint8Array) => Uint8Array;
  readonly inflate: (body: Uint8Array) => Uint8Array;
  /** The service's whole per-upload check (inflate + scanBatch), for codecs the service accepts. */
  readonly check?: (body: Uint8Array) => void;
}

const LIMITS = { maxDecodedBytes: DEFAULT_INGEST_LIMITS.maxDecodedBytes, maxEvents: DEFAULT_INGEST_LIMITS.maxEventsPerBatch };

function wireVariant(codec: Exclude<Codec, 'identity'>, level: number, note = ''): Variant {
  return {
    name: `${codec}-${level}${note}`,
    compress: (raw) => compress(codec, raw, level),
    inflate: (body) => decompress(codec, body, { maxOutputBytes: LIMITS.maxDecodedBytes }),
    check: (body) => {
      if (!decodeBody(codec, body, LIMITS).ok) throw new Error(`${codec}-${level}: the service refuses the batch`);
    },
  };
}

/** node:zlib's zstd with a dictionary (Node 24.6+), feature-detected: absent from @types/node 20. */
type ZstdSync = (data: Uint8Array, options: object) => Buffer;
const z = zlib as unknown as { zstdCompressSync?: ZstdSync; zstdDecompressSync?: ZstdSync; constants: Record<string, number> };

function zstdDictionaryVariant(level: number, dictionary: Uint8Array): Variant | null {
  if (z.zstdCompressSync === undefined || z.zstdDecompressSync === undefined) return null;
  const params = { [z.constants.ZSTD_c_compressionLevel!]: level };
  const c = (raw: Uint8Array) => z.zstdCompressSync!(raw, { params, dictionary });
  const d = (body: Uint8Array) => z.zstdDecompressSync!(body, { dictionary, maxOutputLength: LIMITS.maxDecodedBytes });
  // Older runtimes ignore the option: the dictionary must change the output, or the row would be a duplicate.
  const probe = new Uint8Array(dictionary.subarray(0, Math.min(4096, dictionary.length)));
  if (c(probe).length >= z.zstdCompressSync(probe, { params }).length) return null;
  return { name: `zstd-${level} + ${Math.round(dictionary.length / 1024)} KB dictionary`, compress: c, inflate: d };
}

function deflateDictionaryVariant(level: number, dictionary: Uint8Array): Variant {
  return {
    name: `deflate-${level} + ${Math.round(dictionary.length / 1024)} KB dictionary (not on the wire)`,
    compress: (raw) => zlib.deflateSync(raw, { level, dictionary }),
    inflate: (body) => zlib.inflateSync(body, { dictionary, maxOutputLength: LIMITS.maxDecodedBytes }),
  };
}

/** CPU µs per batch of f over every batch, best of `rounds` passes after one warm-up pass. */
function cpuUsPerBatch<T>(items: readonly T[], f: (x: T) => unknown, rounds = 5): number {
  for (const x of items) f(x);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    for (const x of items) f(x);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / items.length);
  }
  return best;
}

async function main(): Promise<void> {
  const employees = intFlag('employees', 16);
  const { agentBodies } = await buildCorpus(employees, 1);
  const raws = agentBodies.map((b) => decompress('br', b, { maxOutputBytes: LIMITS.maxDecodedBytes }));
  // Dictionary from the first quarter of the batches; measured on the others (a dictionary is trained on past days).
  const split = Math.floor(raws.length / 4);
  const measured = raws.slice(split);
  const dictionary = Buffer.concat(raws.slice(0, split)).subarray(0, 64 * 1024);
  const rawBytes = measured.reduce((a, r) => a + r.length, 0) / measured.length;

  const variants: Variant[] = [];
  for (const level of [1, 3, 5, 7, 9, 11]) variants.push(wireVariant('br', level, level === 5 ? ' (agent default)' : ''));
  for (const level of [1, 6, 9]) variants.push(wireVariant('gzip', level));
  if (availableCodecs().includes('zstd')) {
    for (const level of [1, 3, 6, 9, 19]) variants.push(wireVariant('zstd', level));
    const withDict = zstdDictionaryVariant(3, dictionary);
    if (withDict) variants.push(withDict);
  }
  variants.push(deflateDictionaryVariant(6, dictionary));

  const rows = variants.map((v) => {
    const bodies = measured.map((r) => v.compress(r));
    for (let i = 0; i < bodies.length; i++) {
      if (Buffer.compare(Buffer.from(v.inflate(bodies[i]!)), Buffer.from(measured[i]!)) !== 0)
        throw new Error(`${v.name}: round trip differs`);
    }
    return {
      codec: v.name,
      bytes_per_batch: Math.round(bodies.reduce((a, b) => a + b.length, 0) / bodies.length),
      agent_compress_us: Number(cpuUsPerBatch(measured, v.compress, 2).toFixed(1)),
      service_inflate_us: Number(cpuUsPerBatch(bodies, v.inflate).toFixed(1)),
      service_inflate_check_us: v.check ? Number(cpuUsPerBatch(bodies, v.check).toFixed(1)) : null,
    };
  });
  const base = rows.find((r) => r.codec.startsWith('br-5'))!;
  const figures = {
    node: process.versions.node,
    batches: measured.length,
    raw_bytes_per_batch: Math.round(rawBytes),
    codecs: rows.map((r) => ({
      ...r,
      bytes_vs_br5: Number((r.bytes_per_batch / base.bytes_per_batch).toFixed(3)),
      inflate_vs_br5: Number((r.service_inflate_us / base.service_inflate_us).toFixed(3)),
    })),
  };
  if (wantsJson()) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  printTable(
    `Body codecs on the agent's own batches (Node ${process.versions.node}; ${measured.length} batches of ${Math.round(rawBytes)} B encoded; µs per batch, this thread)`,
    ['codec', 'bytes/batch', 'vs br-5', 'agent compress µs', 'service inflate µs', 'vs br-5', 'service inflate + check µs'],
    figures.codecs.map((r) => [
      r.codec,
      r.bytes_per_batch,
      r.bytes_vs_br5,
      r.agent_compress_us,
      r.service_inflate_us,
      r.inflate_vs_br5,
      r.service_inflate_check_us ?? '-',
    ]),
  );
  if (!availableCodecs().includes('zstd'))
    process.stdout.write(`\n(no zstd rows: node:zlib ${process.versions.node} lacks zstd; run under Node >= 22.15, e.g. npx -p node@24)\n`);
}

await main();
