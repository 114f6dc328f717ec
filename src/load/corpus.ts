/**
 * The payload corpus: real agent batches. Either read from a folder that
 * `fleetsim run` wrote with `transport: corpus` (`<device>.<seq>.<codec>`
 * files), or generated now by running the scenario's fleet through the real
 * agent in piscina workers with the corpus transport.
 *
 * Batches are decoded once here into templates; `prepareBodies` re-heads them
 * for the load run's own devices.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { runFleet } from '../run/fleet-run.js';
import { fleetOptionsFor } from '../run/scenario-run.js';
import type { Scenario } from '../scenario/index.js';
import { codecFromContentEncoding, decodeBatch, decompress, type Codec, type DecodedBatch } from '../wire/index.js';

export interface CorpusTemplate {
  readonly batch: DecodedBatch;
  readonly codec: Codec;
  /** The body as the agent sent it (sealed and compressed at the agent's level). */
  readonly body: Uint8Array;
  /** Size of the body as the agent sent it. */
  readonly originalBytes: number;
}

export interface Corpus {
  readonly templates: readonly CorpusTemplate[];
  /** Devices that wrote it, and batches per device: the upload rate a laptop-day produces. */
  readonly devices: number;
  readonly batchesPerDevice: number;
  readonly source: string;
}

const FILE = /^(.+)\.(\d+)\.(identity|gzip|br|zstd)$/;

/** Reads a corpus folder; batches carrying an exemption marker are left out (they would make the target refuse the device). */
export function loadCorpus(dir: string, maxTemplates = 5000): Corpus {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--corpus ${dir} is not a folder; point it at <report>/corpus of a \`fleetsim run\` with transport: corpus`);
  }
  const files = readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort();
  if (files.length === 0)
    throw new UsageError(
      `--corpus ${dir} holds no batch files (<device>.<sequence>.<codec>); write one with \`fleetsim run\` and transport: corpus`,
    );
  const devices = new Set<string>();
  for (const f of files) devices.add(FILE.exec(f)![1]!);
  // An even spread over the corpus keeps its size distribution when it is larger than maxTemplates.
  const stride = Math.max(1, files.length / maxTemplates);
  const templates: CorpusTemplate[] = [];
  for (let k = 0; Math.floor(k * stride) < files.length; k++) {
    const f = files[Math.floor(k * stride)]!;
    const enc = FILE.exec(f)![3]!;
    const codec = codecFromContentEncoding(enc === 'identity' ? undefined : enc);
    const body = readFileSync(join(dir, f));
    let batch: DecodedBatch;
    try {
      batch = decodeBatch(decompress(codec, body, { maxOutputBytes: 256 << 20 }));
    } catch (err) {
      throw new UsageError(`--corpus ${join(dir, f)} is not an agent batch: ${(err as Error).message}`);
    }
    if (batch.controls.some((c) => c.kind === 'exempt')) continue;
    templates.push({ batch, codec, body, originalBytes: body.byteLength });
  }
  if (templates.length === 0) throw new UsageError(`--corpus ${dir}: every batch carries an exemption marker; nothing usable for load`);
  return { templates, devices: devices.size, batchesPerDevice: files.length / devices.size, source: dir };
}

/**
 * Generates a corpus with the scenario's fleet (the real agent, in piscina
 * workers) for one day of `laptops` employees, then reads it.
 */
export async function generateCorpus(s: Scenario, laptops: number, workers: number): Promise<Corpus> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-load-corpus-'));
  try {
    await runFleet(fleetOptionsFor(s, { employees: laptops, days: 1, transport: { kind: 'corpus', dir: join(dir, 'corpus') }, workers }));
    const c = loadCorpus(join(dir, 'corpus'));
    return { ...c, source: `generated: ${laptops} laptops × 1 day of ${s.name} (seed ${s.seed})` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
