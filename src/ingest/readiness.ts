/**
 * Whether the store can take writes, for GET /readyz: a probe of the store,
 * bounded and shared. A readiness probe is polled by every kubelet and load
 * balancer in front of the service (Kubernetes: every periodSeconds, default
 * 10 s, per pod, and by hand by anyone), and answering it must never become
 * load on the store it is about: at most one probe is in flight, its answer
 * is reused for `maxAgeMs`, and a probe that does not answer within
 * `timeoutMs` counts as a failure (a hung store is as unready as a dead one).
 *
 * What Kubernetes does with the answer: a pod that is not ready is taken out
 * of its Service's endpoints (no new traffic) and put back when it is ready
 * again; it is not restarted (that is liveness, /healthz, which stays a
 * check that the process answers). So a store outage drains traffic to pods
 * that can still write, and the pod comes back by itself when the store does.
 */

export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

export interface ReadinessOptions {
  /** Checks the store can take writes; rejects with why it cannot. */
  readonly probe: () => Promise<void>;
  /** A monotonic clock, ms (performance.now in the service). */
  readonly clock: () => number;
  /** How long an answer is reused. */
  readonly maxAgeMs: number;
  /** A probe not answered by then is a failure. */
  readonly timeoutMs: number;
}

export class StoreReadiness {
  /** The store was just opened and read when the service starts: ready until a probe says otherwise. */
  private last: Readiness = { ready: true };
  private checkedAtMs: number;
  private running: Promise<Readiness> | null = null;
  /** The store's own answer to the last probe, while it has not come: a timed-out probe is not sent again on top of it. */
  private unanswered: Promise<void> | null = null;
  /** Probes sent to the store (for tests). */
  probes = 0;

  constructor(private readonly o: ReadinessOptions) {
    this.checkedAtMs = o.clock();
  }

  /** The store's readiness, probing it only when the last answer is older than maxAgeMs and no probe is running. */
  current(): Promise<Readiness> {
    if (this.running !== null) return this.running;
    if (this.o.clock() - this.checkedAtMs < this.o.maxAgeMs) return Promise.resolve(this.last);
    this.running = this.probeOnce().then((r) => {
      this.last = r;
      this.checkedAtMs = this.o.clock();
      this.running = null;
      return r;
    });
    return this.running;
  }

  private async probeOnce(): Promise<Readiness> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Readiness>((resolve) => {
      timer = setTimeout(
        () => resolve({ ready: false, reason: `the store did not answer a probe within ${this.o.timeoutMs} ms` }),
        this.o.timeoutMs,
      );
    });
    if (this.unanswered === null) {
      this.probes++;
      // A probe that throws instead of rejecting is a failed probe too.
      const sent = new Promise<void>((resolve) => resolve(this.o.probe()));
      this.unanswered = sent;
      const settle = () => {
        if (this.unanswered === sent) this.unanswered = null;
      };
      sent.then(settle, settle);
    }
    const answered = this.unanswered.then(
      (): Readiness => ({ ready: true }),
      (e: unknown): Readiness => ({ ready: false, reason: (e as Error)?.message ?? String(e) }),
    );
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
