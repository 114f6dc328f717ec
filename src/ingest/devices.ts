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
      k = deriveDeviceKey(this.fleetSecret, deviceId);
      this.keys.set(deviceId, k);
    }
    return k;
  }

  /** Records an enrollment (an enrolled device keeps its record); refuses a revoked device. */
  async enroll(deviceId: string): Promise<Buffer> {
    const existing = this.devices.get(deviceId);
    if (existing?.revokedMs != null) throw new IngestError('AUTH_REVOKED', `device ${JSON.stringify(deviceId)} was revoked; enroll the laptop under a new device id`);
    if (existing === undefined) {
      const rec: DeviceRecord = { deviceId, enrolledMs: this.now(), revokedMs: null };
      await this.store.enrollDevice(deviceId, rec.enrolledMs);
      this.devices.set(deviceId, rec);
    }
    return this.keyOf(deviceId);
  }

  /** Revokes the device's key; returns the time of revocation. */
  async revoke(deviceId: string): Promise<number> {
    const at = this.now();
    await this.store.revokeDevice(deviceId, at);
    this.devices.set(deviceId, { deviceId, enrolledMs: this.devices.get(deviceId)?.enrolledMs ?? at, revokedMs: at });
    return at;
  }
}
