/**
 * Bodies not yet authenticated: what a request holds before its signature
 * can be checked. The signature covers the body, so the body must be read
 * first; whoever knows a device id (no key) can therefore make the service
 * hold bytes. The intake keeps that from hurting anyone else:
 *
 * - bytes are charged as they arrive, not as Content-Length promises, so a
 *   slow body (one byte a second) holds one byte a second, not 4 MiB;
 * - the budget is shared fairly: when an arriving chunk would overrun it, the
 *   reader holding the most unverified bytes is shed (503, connection closed),
 *   so a forger who fills the budget with large, stalled bodies loses them
 *   to an honest laptop's small upload instead of locking it out.
 *
 * Rate-limit tokens and upload admission (decode, store) are charged only after
 * the signature checks out (routes/upload.ts): a forger spends its own share.
 */
import type http from 'node:http';
import { IngestError } from './errors.js';

interface Reader {
  held: number;
  fail: (e: IngestError) => void;
}

export class BodyIntake {
  private readonly readers = new Set<Reader>();
  /** Unverified body bytes held now. */
  heldBytes = 0;
  /** Readers shed to make room (a counter for /metrics and tests). */
  shed = 0;

  constructor(private readonly budgetBytes: number) {}

  /**
   * Reads exactly `length` bytes into one buffer, charging them to the intake
   * as they arrive; the charge is released when the promise settles (the
   * caller then holds the body under its own admission). The buffer has its
   * own memory, not a slice of Buffer's shared pool: a stored body travels to
   * the SQLite writer thread, and a pool slice would copy (and keep alive) the
   * whole 8 KiB pool with it.
   */
  read(req: http.IncomingMessage, res: http.ServerResponse, length: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const buf = Buffer.allocUnsafeSlow(length);
      let off = 0;
      let done = false;
      const reader: Reader = { held: 0, fail: (e) => finish(e) };
      const finish = (e: IngestError | null): void => {
        if (done) return;
        done = true;
        this.readers.delete(reader);
        this.heldBytes -= reader.held;
        reader.held = 0;
        // Every request emits 'close' once answered; a listener left here would build (and throw away) an error per
        // upload. The 'error' listener stays: an error event without one would throw.
        req.off('data', onData);
        req.off('close', onClose);
        if (e === null) resolve(buf);
        else {
          if (e.code === 'INGEST_OVERLOADED') {
            // The rest of the body is not read: the connection closes after the answer.
            res.setHeader('connection', 'close');
            req.pause();
          }
          reject(e);
        }
      };
      const onData = (chunk: Buffer): void => {
        if (done) return;
        if (off + chunk.length > length) return finish(new IngestError('INGEST_BODY_TOO_LARGE', 'more bytes than Content-Length'));
        if (!this.makeRoom(reader, chunk.length)) return;
        reader.held += chunk.length;
        this.heldBytes += chunk.length;
        chunk.copy(buf, off);
        off += chunk.length;
      };
      const onEnd = (): void =>
        finish(off === length ? null : new IngestError('INGEST_BODY_INCOMPLETE', `the body ended after ${off} of ${length} bytes`));
      const onClose = (): void =>
        finish(new IngestError('INGEST_BODY_INCOMPLETE', `the connection closed after ${off} of ${length} body bytes`));
      this.readers.add(reader);
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('close', onClose);
      req.once('error', (e) => finish(new IngestError('INGEST_BODY_INCOMPLETE', `the body could not be read (${e.message})`)));
    });
  }

  /** Sheds the largest holders until `bytes` more fit; false when the reader itself was the largest (it is shed). */
  private makeRoom(reader: Reader, bytes: number): boolean {
    while (this.heldBytes + bytes > this.budgetBytes) {
      let largest: Reader = reader;
      for (const r of this.readers) if (r.held > largest.held) largest = r;
      this.shed++;
      largest.fail(
        new IngestError(
          'INGEST_OVERLOADED',
          `the service holds ${this.budgetBytes} bytes of bodies not yet authenticated and this request held the most; retry after the Retry-After delay`,
          1,
        ),
      );
      if (largest === reader) return false;
    }
    return true;
  }
}
