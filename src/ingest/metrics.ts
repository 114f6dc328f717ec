/**
 * Prometheus metrics (prom-client) on a registry of the server's own, so two
 * servers in one process (tests, `fleetsim run`) do not share counters.
 * Label children are cached: the hot path does no label hashing. Counter
 * increments on the hot path add to plain numbers, handed to prom-client when
 * a scrape (or get()) collects them: a scrape reads exactly what a direct
 * increment would have shown, at a fraction of the per-request cost
 * (bench:ingest's profile showed prom-client's setValue among the top frames).
 */
import client from 'prom-client';

export class IngestMetrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<'route' | 'status'>;
  private readonly batches: client.Counter<'result' | 'reason'>;
  private readonly events: client.Counter<'result' | 'reason'>;
  private readonly bytesIn: client.Counter;
  private readonly decodedBytes: client.Counter;
  readonly latency: client.Histogram<'route'>;
  readonly storeWrite: client.Histogram;
  readonly storeGroupRows: client.Histogram;
  private readonly children = new Map<string, PendingChild>();
  private readonly pending: PendingChild[] = [];
  private bytesInPending = 0;
  private decodedPending = 0;
  private readonly latencyChildren = new Map<string, client.Histogram.Internal<'route'>>();

  constructor(queueDepth: () => number, storeQueueDepth: () => number, inFlightBytes: () => number) {
    const registers = [this.registry];
    // Every counter flushes all pending increments, whichever is collected first.
    const collect = () => this.flush();
    this.requests = new client.Counter({
      name: 'fleetsim_ingest_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers,
      collect,
    });
    this.batches = new client.Counter({
      name: 'fleetsim_ingest_batches_total',
      help: 'Batches by result (stored, duplicate, rejected) and rejection code',
      labelNames: ['result', 'reason'],
      registers,
      collect,
    });
    this.events = new client.Counter({
      name: 'fleetsim_ingest_events_total',
      help: 'Events by result (accepted, refused, rejected) and reason (paused, outside_capture_hours, exempt, or the rejection code)',
      labelNames: ['result', 'reason'],
      registers,
      collect,
    });
    this.bytesIn = new client.Counter({
      name: 'fleetsim_ingest_body_bytes_total',
      help: 'Request body bytes received (compressed, as sent)',
      registers,
      collect,
    });
    this.decodedBytes = new client.Counter({
      name: 'fleetsim_ingest_decoded_bytes_total',
      help: 'Batch bytes after decompression',
      registers,
      collect,
    });
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
    new client.Gauge({
      name: 'fleetsim_ingest_queue_depth',
      help: 'Uploads being processed (admitted, not yet answered)',
      registers,
      collect() {
        this.set(queueDepth());
      },
    });
    new client.Gauge({
      name: 'fleetsim_ingest_store_queue_depth',
      help: 'Batches waiting for their store transaction',
      registers,
      collect() {
        this.set(storeQueueDepth());
      },
    });
    new client.Gauge({
      name: 'fleetsim_ingest_inflight_body_bytes',
      help: 'Request body bytes admitted and held in memory',
      registers,
      collect() {
        this.set(inFlightBytes());
      },
    });
  }

  private child(metric: client.Counter<string>, a: string, b: string, la: string, lb: string): PendingChild {
    const key = `${metric === this.requests ? 'q' : metric === this.batches ? 'b' : 'e'}\0${a}\0${b}`;
    let c = this.children.get(key);
    if (c === undefined) {
      c = { child: metric.labels({ [la]: a, [lb]: b }), n: 0 };
      this.children.set(key, c);
      this.pending.push(c);
    }
    return c;
  }

  /** Hands pending increments to prom-client (a scrape calls it through each counter's collect). */
  private flush(): void {
    for (const c of this.pending) {
      if (c.n > 0) {
        c.child.inc(c.n);
        c.n = 0;
      }
    }
    if (this.bytesInPending > 0) this.bytesIn.inc(this.bytesInPending);
    if (this.decodedPending > 0) this.decodedBytes.inc(this.decodedPending);
    this.bytesInPending = 0;
    this.decodedPending = 0;
  }

  bodyBytes(n: number): void {
    this.bytesInPending += n;
  }

  inflatedBytes(n: number): void {
    this.decodedPending += n;
  }

  request(route: string, status: number, seconds: number): void {
    this.child(this.requests, route, String(status), 'route', 'status').n++;
    let h = this.latencyChildren.get(route);
    if (h === undefined) {
      h = this.latency.labels({ route });
      this.latencyChildren.set(route, h);
    }
    h.observe(seconds);
  }

  batch(result: 'stored' | 'duplicate' | 'rejected', reason: string): void {
    this.child(this.batches, result, reason, 'result', 'reason').n++;
  }

  eventsCounted(result: 'accepted' | 'refused' | 'rejected', reason: string, n: number): void {
    if (n > 0) this.child(this.events, result, reason, 'result', 'reason').n += n;
  }

  storeWritten(seconds: number, rows: number): void {
    this.storeWrite.observe(seconds);
    this.storeGroupRows.observe(rows);
  }
}

/** A cached label child and the increments it has not been handed yet. */
interface PendingChild {
  readonly child: { inc(v?: number): void };
  n: number;
}
