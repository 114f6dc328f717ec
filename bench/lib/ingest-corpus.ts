/**
 * The ingest bench's corpus: simulated employee-days through the real capture
 * agent (default configuration), decoded and re-issued under many device ids
 * so that every upload is a new batch, re-compressed with brotli-5, and
 * serialized as complete signed HTTP requests ready for the socket (signed
 * before the run, so the client does no crypto).
 */
import { randomBytes } from 'node:crypto';
import { BATCHES_PATH, BATCH_CONTENT_TYPE, createRequestSigner, newDeviceKey } from '../../src/auth/index.js';
import { DEFAULT_AGENT_CONFIG, type Transport, type UploadOutcome, type UploadRequest } from '../../src/agent/index.js';
import { defaultDayEnvironment } from '../../src/behaviour/index.js';
import { DEFAULT_POLICY_RULES, isExempt } from '../../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../../src/population/index.js';
import { compress, decodeBatch, decompress, encodeBatch, type DecodedBatch } from '../../src/wire/index.js';
import { runLaptopDay } from '../../src/run/laptop-day.js';

/** The fleet secret every bench service runs with (device keys derive from it). */
export const FLEET_SECRET = 'bench-ingest-fleet-secret';
export const UPLOAD_LINE = { method: 'POST', target: BATCHES_PATH };

/** Accepts every upload and keeps the bodies. */
class RecordingTransport implements Transport {
  bodies: Uint8Array[] = [];
  async send(req: UploadRequest): Promise<UploadOutcome> {
    this.bodies.push(req.body);
    return { kind: 'response', status: 200, requestBytes: req.body.byteLength };
  }
}

export interface Upload {
  readonly deviceId: string;
  readonly events: number;
  /** The batch's sequence number and capture window (what the store indexes). */
  readonly sequence: number;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Compressed body. */
  readonly body: Uint8Array;
  /** Request line + headers + body, ready for the socket. */
  wire: Buffer;
}

export async function buildCorpus(
  employees: number,
  copies: number,
): Promise<{ uploads: Upload[]; agentBatches: DecodedBatch[]; agentBodies: Uint8Array[] }> {
  const P = DEFAULT_POPULATION_PARAMS;
  const env = defaultDayEnvironment('bench-ingest');
  const agentBatches: DecodedBatch[] = [];
  const agentBodies: Uint8Array[] = [];
  for (let i = 0, n = 0; n < employees; i++) {
    const e = createEmployee('bench-ingest', i, P);
    if (isExempt(e.exemptionRequested, e.exemptionDraw, DEFAULT_POLICY_RULES)) continue;
    n++;
    const transport = new RecordingTransport();
    await runLaptopDay({ employee: e, day: 0, env, agentConfig: DEFAULT_AGENT_CONFIG, transport });
    for (const body of transport.bodies) {
      agentBodies.push(body);
      agentBatches.push(decodeBatch(decompress(DEFAULT_AGENT_CONFIG.codec, body, { maxOutputBytes: 64 << 20 })));
    }
  }
  const issued: Upload[] = [];
  for (let c = 0; c < copies; c++) {
    for (const b of agentBatches) {
      const deviceId = `bench-${c}-${b.header.deviceId}`;
      const encoded = encodeBatch({ header: { ...b.header, deviceId, batchId: randomBytes(16) }, controls: b.controls, events: b.events });
      const { sequence, windowStartMs, windowEndMs } = b.header;
      const body = compress('br', encoded, 5);
      issued.push({ deviceId, events: b.events.length, sequence, windowStartMs, windowEndMs, body, wire: Buffer.alloc(0) });
    }
  }
  // Arrival order: by the end of the batch's window, as a fleet's uploads reach a service (a stable sort keeps each
  // device's batches in sequence order). Issued device by device instead, one device's batches would follow each
  // other and share the store's index pages within a commit, and every copy would replay the day from its start.
  issued.sort((a, b) => a.windowEndMs - b.windowEndMs);
  return { uploads: issued, agentBatches, agentBodies };
}

/** Signs with the keys enrollment handed out; a device without one (no-op servers verify nothing) signs with a random key. */
export function serialize(uploads: Upload[], host: string, signedAtMs: number, keys: ReadonlyMap<string, Buffer>): void {
  const signers = new Map<string, ReturnType<typeof createRequestSigner>>();
  for (const u of uploads) {
    let sign = signers.get(u.deviceId);
    if (sign === undefined) {
      sign = createRequestSigner({ deviceId: u.deviceId, key: keys.get(u.deviceId) ?? newDeviceKey() }, () => signedAtMs);
      signers.set(u.deviceId, sign);
    }
    const h = {
      'content-type': BATCH_CONTENT_TYPE,
      'content-encoding': 'br',
      ...sign({ method: 'POST', target: BATCHES_PATH, body: u.body }),
    };
    let head = `POST ${BATCHES_PATH} HTTP/1.1\r\nhost: ${host}\r\nconnection: keep-alive\r\ncontent-length: ${u.body.byteLength}\r\n`;
    for (const [k, v] of Object.entries(h)) head += `${k}: ${v}\r\n`;
    u.wire = Buffer.concat([Buffer.from(`${head}\r\n`), u.body]);
  }
}
