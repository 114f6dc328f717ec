/**
 * A transport that accepts every upload, keeps its body, and answers with the
 * bytes HttpTransport would have put on the radio for it: the request line and
 * headers as it sends them, signed in the agent's form (any key: only the
 * signature's length matters; a 13-digit time, as today's), plus the body.
 * bench:agent and the floor guard (test/agent/floor.test.ts) count with it.
 */
import type { Transport, UploadOutcome, UploadRequest } from '../../src/agent/transport.js';
import { requestHeaderBytes, uploadHeaders } from '../../src/agent/http-transport.js';
import { BATCHES_PATH, DEVICE_HEADER, createRequestSigner, type OutgoingRequest } from '../../src/auth/index.js';
import { codecFromContentEncoding, decompress } from '../../src/wire/index.js';

const UPLOAD_URL = new URL(`http://127.0.0.1:8080${BATCHES_PATH}`);
const SIGNED_AT_MS = Date.UTC(2026, 2, 3, 12);

export class RecordingTransport implements Transport {
  readonly bodies: { readonly body: Uint8Array; readonly contentEncoding: string | undefined }[] = [];
  private sign: ((req: OutgoingRequest) => Record<string, string>) | undefined;

  async send(req: UploadRequest): Promise<UploadOutcome> {
    this.bodies.push({ body: req.body, contentEncoding: req.headers['content-encoding'] });
    this.sign ??= createRequestSigner(
      { deviceId: req.headers[DEVICE_HEADER]!, key: new Uint8Array(32) },
      () => SIGNED_AT_MS,
      'authorization',
    );
    const headers = uploadHeaders(req, UPLOAD_URL.pathname, this.sign);
    return { kind: 'response', status: 200, requestBytes: requestHeaderBytes(UPLOAD_URL, headers) + req.body.byteLength };
  }

  /** The bodies decompressed: the agent's encoded batches, in upload order. */
  encoded(maxOutputBytes = 256 << 20): Uint8Array[] {
    return this.bodies.map((b) => decompress(codecFromContentEncoding(b.contentEncoding), b.body, { maxOutputBytes }));
  }
}
