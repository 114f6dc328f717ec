import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transport, UploadOutcome, UploadRequest } from '../agent/index.js';
import type { EventBlock } from '../events/index.js';
import { codecFromContentEncoding, decodeBatch, decompress } from '../wire/index.js';

/** Where a run's uploads go. */
export type RunTransportSpec =
  | { readonly kind: 'null' }
  | { readonly kind: 'corpus'; readonly dir: string };

/** Accepts every upload at once: pure modelling, no network. */
export class NullTransport implements Transport {
  async send(req: UploadRequest): Promise<UploadOutcome> {
    return { kind: 'response', status: 200, requestBytes: requestBytes(req) };
  }
}

/** Writes every body to a file, named by device and sequence, for `fleetsim load` to replay. */
export class CorpusTransport implements Transport {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  async send(req: UploadRequest): Promise<UploadOutcome> {
    const device = (req.headers['x-fleetsim-device'] ?? 'unknown').replace(/[^\w.-]/g, '_');
    const seq = req.headers['x-fleetsim-sequence'] ?? '0';
    const codec = req.headers['content-encoding'] ?? 'identity';
    writeFileSync(join(this.dir, `${device}.${seq.padStart(6, '0')}.${codec}`), req.body);
    return { kind: 'response', status: 200, requestBytes: requestBytes(req) };
  }
}

/** Request bytes on the wire: request line, headers, body (HTTP/1.1 framing). */
export function requestBytes(req: UploadRequest): number {
  let n = 'POST /v1/batches HTTP/1.1\r\n'.length + 2 + req.body.byteLength;
  for (const [k, v] of Object.entries(req.headers)) n += k.length + v.length + 4;
  return n;
}

/**
 * Wraps a transport and looks at what was accepted: decodes every body the
 * server acknowledged (after the response, so not on the agent's CPU bill) and
 * hands its events to `onAccepted` — for the leak scan and stored-per-hour.
 */
export class ObservingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly onAccepted: (events: EventBlock) => void,
  ) {}

  async send(req: UploadRequest): Promise<UploadOutcome> {
    const outcome = await this.inner.send(req);
    if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
      const raw = decompress(codecFromContentEncoding(req.headers['content-encoding']), req.body, { maxOutputBytes: 256 << 20 });
      this.onAccepted(decodeBatch(raw).events);
    }
    return outcome;
  }

  close(): Promise<void> {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

export function createTransport(spec: RunTransportSpec): Transport {
  switch (spec.kind) {
    case 'null':
      return new NullTransport();
    case 'corpus':
      return new CorpusTransport(spec.dir);
  }
}
