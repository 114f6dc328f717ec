/**
 * Prometheus metrics (prom-client) on a registry of the server's own, so two
 * servers in one process (tests, `fleetsim run`) do not share counters.
 * Label children are cached: the hot path does no label hashing.
 */
import client from 'prom-client';

export class IngestMetrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<'route' | 'status'>;
  private readonly batches: client.Counter<'result' | 'reason'>;
  private readonly events: client.Counter<'result' | 'reason'>;
  readonly bytesIn: client.Counter;
  readonly decodedBytes: client.Counter;
  readonly latency: client.Histogram<'route'>;
  readonly storeWrite: client.Histogram;
  readonly storeGroupRows: client.Histogram;
  private readonly children = new Map<string, { inc(v?: number): void }>();
  private readonly latencyChildren = new Map<string, client.Histogram.Internal<'route'>>();

  constructor(queueDepth: () => number, storeQueueDepth: () => number, inFlightBytes: () => number) {
    const registers = [this.registry];
    this.requests = new client.Counter({ name: 'fleetsim_ingest_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers });
    this.batches = new client.Counter({
      name: 'fleetsim_ingest_batches_total',
      help: 'Batches by result (stored, duplicate, rejected) and rejection code',
      labelNames: ['result', 'reason'],
      registers,
    });
    this.events = new client.Counter({
      name: 'fleetsim_ingest_events_total',
      help: 'Events by result (accepted, refused, rejected) and reason (paused, exempt, or the rejection code)',
      labelNames: ['result', 'reason'],
      registers,
    });
    this.bytesIn = new client.Counter({ name: 'fleetsim_ingest_body_bytes_total', help: 'Request body bytes received (compressed, as sent)', registers });
    this.decodedBytes = new client.Counter({ name: 'fleetsim_ingest_decoded_bytes_total', help: 'Batch bytes after decompression', registers });
    this.latency = new client.Histogram({
      name: 'fleetsim_ingest_request_duration_seconds',
      help: 'Time from request start to the end of the response',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    });
    this.storeWrite = new client.Histogram({
      name: 'fleetsim_ingest_store_write_seconds',
      help: 'Duration of one store transaction (a group of batches, committed)',
      buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.storeGroupRows = new client.Histogram({
      name: 'fleetsim_ingest_store_group_rows',
      help: 'Batches committed per store transaction (group commit)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    });
    new client.Gauge({ name: 'fleetsim_ingest_queue_depth', help: 'Uploads being processed (admitted, not yet answered)', registers, collect() { this.set(queueDepth()); } });
    new client.Gauge({ name: 'fleetsim_ingest_store_queue_depth', help: 'Batches waiting for their store transaction', registers, collect() { this.set(storeQueueDepth()); } });
    new client.Gauge({ name: 'fleetsim_ingest_inflight_body_bytes', help: 'Request body bytes admitted and held in memory', registers, collect() { this.set(inFlightBytes()); } });
  }

  private child(metric: client.Counter<string>, a: string, b: string, la: string, lb: string): { inc(v?: number): void } {
    const key = `${metric === this.requests ? 'q' : metric === this.batches ? 'b' : 'e'}\0${a}\0${b}`;
    let c = this.children.get(key);
    if (c === undefined) {
      c = metric.labels({ [la]: a, [lb]: b });
      this.children.set(key, c);
    }
    return c;
  }

  request(route: string, status: number, seconds: number): void {
    this.child(this.requests, route, String(status), 'route', 'status').inc();
    let h = this.latencyChildren.get(route);
    if (h === undefined) {
      h = this.latency.labels({ route });
      this.latencyChildren.set(route, h);
    }
    h.observe(seconds);
  }

  batch(result: 'stored' | 'duplicate' | 'rejected', reason: string): void {
    this.child(this.batches, result, reason, 'result', 'reason').inc();
  }

  eventsCounted(result: 'accepted' | 'refused' | 'rejected', reason: string, n: number): void {
    if (n > 0) this.child(this.events, result, reason, 'result', 'reason').inc(n);
  }

  storeWritten(seconds: number, rows: number): void {
    this.storeWrite.observe(seconds);
    this.storeGroupRows.observe(rows);
  }
}
