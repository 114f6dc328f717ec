/**
 * Enrolled devices and their keys, in memory for the hot path and written
 * through to the store (memory changes after the write commits). Keys are
 * derived from the fleet secret (src/auth), never stored.
 */
import type http from 'node:http';
import { DEVICE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, deriveDeviceKey, parseSignedHeaders, type SignedHeaders } from '../auth/index.js';
import { IngestError } from './errors.js';
import type { BatchStore, DeviceRecord } from './store/index.js';

/** A request whose headers passed step 1: the device it claims to be and that device's key. */
export interface AuthenticatedHeaders {
  readonly signed: SignedHeaders;
  readonly key: Buffer;
}

export class DeviceRegistry {
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly store: BatchStore,
    private readonly fleetSecret: string,
    private readonly now: () => number,
    private readonly maxSkewMs: number,
  ) {}

  async load(): Promise<void> {
    for (const d of await this.store.loadDevices()) this.devices.set(d.deviceId, d);
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.devices.get(deviceId);
  }

  /** Step 1 of every device request: signed headers, before any body byte is read. */
  authenticate(req: http.IncomingMessage): AuthenticatedHeaders {
    const h = req.headers;
    const parsed = parseSignedHeaders(
      h[DEVICE_HEADER] as string | undefined,
      h[TIMESTAMP_HEADER] as string | undefined,
      h[SIGNATURE_HEADER] as string | undefined,
      this.now(),
      this.maxSkewMs,
    );
    if ('failure' in parsed) throw new IngestError(parsed.failure, parsed.message);
    const device = this.devices.get(parsed.deviceId);
    if (device === undefined) throw new IngestError('AUTH_UNKNOWN_DEVICE', `device ${JSON.stringify(parsed.deviceId.slice(0, 128))} is not enrolled; enroll it at POST /v1/enroll with the fleet secret`);
    if (device.revokedMs !== null) throw new IngestError('AUTH_REVOKED', `device ${JSON.stringify(parsed.deviceId)} was revoked at ${new Date(device.revokedMs).toISOString()}; it can no longer upload`);
    return { signed: parsed, key: this.keyOf(parsed.deviceId) };
  }

  keyOf(deviceId: string): Buffer {
    let k = this.keys.get(deviceId);
    if (k === undefined) {
      k = deriveDeviceKey(this.fleetSecret, deviceId, this.devices.get(deviceId)?.keyGeneration ?? 0);
      this.keys.set(deviceId, k);
    }
    return k;
  }

  /**
   * Records an enrollment and returns the device's key. An enrolled device
   * keeps its record; a timezone given replaces the one stored (a laptop that
   * moved office). A revoked device is refused until an admin reinstates it.
   */
  async enroll(deviceId: string, timezone?: string): Promise<Buffer> {
    const existing = this.devices.get(deviceId);
    if (existing?.revokedMs != null) {
      throw new IngestError('AUTH_REVOKED', `device ${JSON.stringify(deviceId)} was revoked; an admin can reinstate it (POST /v1/devices/<id>/reinstate with the fleet secret), or enroll the laptop under a new device id`);
    }
    if (existing === undefined || (timezone !== undefined && timezone !== existing.timezone)) {
      const enrolledMs = existing?.enrolledMs ?? this.now();
      await this.store.enrollDevice(deviceId, enrolledMs, timezone);
      this.devices.set(deviceId, { deviceId, enrolledMs, revokedMs: null, keyGeneration: existing?.keyGeneration ?? 0, timezone: timezone ?? existing?.timezone ?? null });
    }
    return this.keyOf(deviceId);
  }

  /** Revokes the device's key; returns the time of revocation. */
  async revoke(deviceId: string): Promise<number> {
    const at = this.now();
    await this.store.revokeDevice(deviceId, at);
    const cur = this.devices.get(deviceId);
    this.devices.set(deviceId, { deviceId, enrolledMs: cur?.enrolledMs ?? at, revokedMs: at, keyGeneration: cur?.keyGeneration ?? 0, timezone: cur?.timezone ?? null });
    return at;
  }

  /**
   * Re-admits a revoked device under the next key generation: the revoked key
   * stays refused, and the laptop enrolls again for its new key.
   */
  async reinstate(deviceId: string): Promise<DeviceRecord> {
    const cur = this.devices.get(deviceId);
    if (cur === undefined) throw new IngestError('INGEST_UNKNOWN_DEVICE', `device ${JSON.stringify(deviceId.slice(0, 128))} was never enrolled; enroll it at POST /v1/enroll`);
    if (cur.revokedMs === null) throw new IngestError('INGEST_NOT_REVOKED', `device ${JSON.stringify(deviceId)} is not revoked; nothing to reinstate`);
    const next: DeviceRecord = { ...cur, revokedMs: null, keyGeneration: cur.keyGeneration + 1 };
    await this.store.reinstateDevice(deviceId, next.keyGeneration);
    this.devices.set(deviceId, next);
    this.keys.delete(deviceId);
    return next;
  }
}
