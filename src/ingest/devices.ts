/**
 * Enrolled devices and their keys, in memory for the hot path and written
 * through to the store (memory changes after the write commits). A key is
 * drawn at random when the device enrolls and kept in the store, so a
 * restarted service still verifies every enrolled laptop; it derives from no
 * other secret (src/auth).
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import {
  DEVICE_HEADER,
  RequestSigner,
  SIGNATURE_HEADER,
  SIGNATURE_VERSION,
  TIMESTAMP_HEADER,
  newDeviceKey,
  parseDeviceAuth,
  type RequestLine,
  type SignedHeaders,
} from '../auth/index.js';
import { IngestError } from './errors.js';
import type { BatchStore, DeviceRecord } from './store/index.js';

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly signers = new Map<string, RequestSigner>();
  /** Ids whose enrollment is being written: a second enrollment of the same id meanwhile is refused, not given another key. */
  private readonly enrolling = new Set<string>();
  /**
   * Verifies requests from ids that have no key (unknown, or reinstated and not enrolled again): the same HMAC
   * work as a real check, with a key nobody has, so the answer and its timing do not tell these ids apart.
   */
  private readonly nobody = new RequestSigner(randomBytes(32));

  constructor(
    private readonly store: BatchStore,
    private readonly now: () => number,
    private readonly maxSkewMs: number,
    /** The clock a signature's timestamp must be near: the real wall clock, even when `now` replays a past day. */
    private readonly signatureNow: () => number = now,
  ) {}

  async load(): Promise<void> {
    for (const d of await this.store.loadDevices()) this.devices.set(d.deviceId, d);
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.devices.get(deviceId);
  }

  /** Step 1 of every device request: the signed headers' form and the skew bound, before any body byte is read. */
  parseHeaders(req: http.IncomingMessage): SignedHeaders {
    const h = req.headers;
    const parsed = parseDeviceAuth(
      {
        authorization: h.authorization,
        device: h[DEVICE_HEADER] as string | undefined,
        timestamp: h[TIMESTAMP_HEADER] as string | undefined,
        signature: h[SIGNATURE_HEADER] as string | undefined,
      },
      this.signatureNow(),
      this.maxSkewMs,
    );
    if ('failure' in parsed) throw new IngestError(parsed.failure, parsed.message);
    return parsed;
  }

  /**
   * The signature check, once the body is in. Without the device's key every
   * failure reads the same (AUTH_BAD_SIGNATURE, one message): an unknown, an
   * enrolled and a revoked id cannot be told apart by someone who only knows
   * ids. A request signed with the right key learns why it is refused: an
   * unknown device that it must enroll, a revoked one that it is revoked.
   */
  verify(signed: SignedHeaders, line: RequestLine, body: Uint8Array): { failure: IngestError | null; keyGeneration: number } {
    const id = signed.deviceId;
    const device = this.devices.get(id);
    const signer = device?.key == null ? this.nobody : this.signerOf(id, device.key);
    if (!signer.verify(signed, line, body)) {
      return {
        keyGeneration: -1,
        failure: new IngestError(
          'AUTH_BAD_SIGNATURE',
          `the signature does not match this request for device ${JSON.stringify(id.slice(0, 128))}; sign the ${SIGNATURE_VERSION} canonical request (method, path, query, device, timestamp, body SHA-256) with the key enrollment gave this device`,
        ),
      };
    }
    if (device === undefined)
      return {
        keyGeneration: -1,
        failure: new IngestError(
          'AUTH_UNKNOWN_DEVICE',
          `device ${JSON.stringify(id.slice(0, 128))} is not enrolled; enroll it at POST /v1/enroll`,
        ),
      };
    if (device.revokedMs !== null)
      return {
        keyGeneration: device.keyGeneration,
        failure: new IngestError(
          'AUTH_REVOKED',
          `device ${JSON.stringify(id)} was revoked at ${new Date(device.revokedMs).toISOString()}; it can no longer upload`,
        ),
      };
    return { failure: null, keyGeneration: device.keyGeneration };
  }

  /** The device's verifier, its HMAC states computed once per key. */
  private signerOf(deviceId: string, key: Uint8Array): RequestSigner {
    let s = this.signers.get(deviceId);
    if (s === undefined) {
      s = new RequestSigner(key);
      this.signers.set(deviceId, s);
    }
    return s;
  }

  /**
   * Records an enrollment and returns the device's new key, drawn at random.
   * A device that already has a key is refused (AUTH_ALREADY_ENROLLED): the
   * fleet secret every laptop holds must not hand out another device's key.
   * A revoked device is refused until an admin reinstates it; a reinstated
   * one (or one from a store written before keys were stored) enrolls once
   * more and gets a new key.
   */
  async enroll(deviceId: string, timezone?: string): Promise<Buffer> {
    const existing = this.devices.get(deviceId);
    if (existing?.revokedMs != null) {
      throw new IngestError(
        'AUTH_REVOKED',
        `device ${JSON.stringify(deviceId)} was revoked; an admin can reinstate it (POST /v1/devices/<id>/reinstate with the admin secret), or enroll the laptop under a new device id`,
      );
    }
    if (existing?.key != null || this.enrolling.has(deviceId)) {
      throw new IngestError(
        'AUTH_ALREADY_ENROLLED',
        `device ${JSON.stringify(deviceId)} is already enrolled and keeps the key it was given; a laptop that lost its key needs an admin to revoke and reinstate it (POST /v1/devices/<id>/revoke, then /reinstate, with the admin secret), then it enrolls again`,
      );
    }
    this.enrolling.add(deviceId);
    try {
      const key = newDeviceKey();
      const enrolledMs = existing?.enrolledMs ?? this.now();
      await this.store.enrollDevice(deviceId, enrolledMs, timezone, key);
      this.devices.set(deviceId, {
        deviceId,
        enrolledMs,
        revokedMs: null,
        keyGeneration: existing?.keyGeneration ?? 0,
        timezone: timezone ?? existing?.timezone ?? null,
        key,
      });
      this.signers.delete(deviceId);
      return key;
    } finally {
      this.enrolling.delete(deviceId);
    }
  }

  /** Revokes the device's key; returns the time of revocation. */
  async revoke(deviceId: string): Promise<number> {
    const at = this.now();
    await this.store.revokeDevice(deviceId, at);
    const cur = this.devices.get(deviceId);
    this.devices.set(deviceId, {
      deviceId,
      enrolledMs: cur?.enrolledMs ?? at,
      revokedMs: at,
      keyGeneration: cur?.keyGeneration ?? 0,
      timezone: cur?.timezone ?? null,
      key: cur?.key ?? null,
    });
    return at;
  }

  /**
   * Re-admits a revoked device without a key (the next key generation): the
   * revoked key is dropped, and the laptop enrolls again for a new one.
   */
  async reinstate(deviceId: string): Promise<DeviceRecord> {
    const cur = this.devices.get(deviceId);
    if (cur === undefined)
      throw new IngestError(
        'INGEST_UNKNOWN_DEVICE',
        `device ${JSON.stringify(deviceId.slice(0, 128))} was never enrolled; enroll it at POST /v1/enroll`,
      );
    if (cur.revokedMs === null)
      throw new IngestError('INGEST_NOT_REVOKED', `device ${JSON.stringify(deviceId)} is not revoked; nothing to reinstate`);
    const next: DeviceRecord = { ...cur, revokedMs: null, keyGeneration: cur.keyGeneration + 1, key: null };
    await this.store.reinstateDevice(deviceId, next.keyGeneration);
    this.devices.set(deviceId, next);
    this.signers.delete(deviceId);
    return next;
  }
}
