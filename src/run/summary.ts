import { distribution, histogram, sig, type Distribution, type Histogram } from '../metrics/distribution.js';
import type { Ledger } from '../metrics/ledger.js';
import { decodeFreshness, freshnessFigures } from '../metrics/freshness.js';
import { decodeLatency, latencyFigures } from '../metrics/latency.js';
import type { Fault } from '../scenario/index.js';
import type { FleetRunResult } from './fleet-run.js';
import type { LaptopRow } from './shard.js';
import { processFigures, type ProcessFigures } from './process/figures.js';

/** The figures of a run (summary.json): computed here; report writers only present them. */
export interface RunFigures {
  /**
   * What the figures named per day (bandwidth.mb_per_laptop_day,
   * battery.pct_per_day, battery.wh_per_day) cover: a worked day ('day'), or
   * in a paced run over a window shorter than a day that window only
   * ('20 min window'): each laptop's costs add up over the window, and are
   * not scaled to a day (see figureNotPerDayBecause in scenario/resolve.ts).
   */
  readonly period: { readonly label: string; readonly window_minutes: number | null };
  readonly ledger: Ledger;
  readonly bandwidth: {
    /** Upload bytes (headers + bodies, retries included) per laptop per worked day, in MB (10^6 bytes). */
    readonly mb_per_laptop_day: Distribution;
    /** The same per hour with input, in kB (10^3 bytes). */
    readonly kb_per_active_hour: Distribution;
  };
  readonly battery: {
    readonly pct_per_day: Distribution;
    readonly wh_per_day: Distribution;
    /** Agent CPU seconds per hour of the working day. */
    readonly cpu_s_per_hour: Distribution;
    /** Agent wake-ups per minute with input. */
    readonly wakeups_per_min: Distribution;
  };
  /**
   * Seconds from an event's input to the acknowledgement (2xx) of the batch
   * holding it, counted per acknowledged event (not per batch): over the
   * whole fleet's events, and each laptop's own percentiles across laptops.
   * Null figures when nothing was acknowledged (transport null counts every
   * batch acknowledged when sent).
   */
  readonly freshness: {
    readonly events: number;
    readonly p50_s: number | null;
    readonly p95_s: number | null;
    readonly max_s: number | null;
    readonly per_laptop_p50_s: Distribution;
    readonly per_laptop_p95_s: Distribution;
    readonly per_laptop_max_s: Distribution;
  };
  readonly yield: {
    /**
     * Share of produced events that were captured and reached the store, counting
     * mouse moves merged by coalescing as captured (their path is kept):
     * 1 − (dropped_paused + dropped_exempt + lost + spooled) ÷ produced.
     */
    readonly overall: number;
    /** (stored + redacted) ÷ produced: events stored one for one (coalescing lowers it). */
    readonly stored_share: number;
    /** The captured share per employee, across the fleet. */
    readonly per_employee: Distribution;
    readonly by_department: Readonly<Record<string, number>>;
    readonly by_role: Readonly<Record<string, number>>;
  };
  readonly leaks: { readonly canaries_planted: number; readonly canaries: number; readonly scanned: 'accepted uploads' | 'ingest store' };
  /** Over HTTP: where the uploads went, in what protocol, and the figures that target cannot give (with why), so none reads as a silent zero. */
  readonly target?: {
    readonly kind: 'embedded' | 'process' | 'url';
    readonly protocol: string;
    readonly missing: readonly { readonly figure: string; readonly why: string }[];
  };
  /**
   * Uploads as the laptops saw them (HDR latency from send to response, per
   * request); null figures when uploads went nowhere (transport null/corpus).
   */
  readonly ingest: {
    readonly p50_ms: number | null;
    readonly p90_ms: number | null;
    readonly p99_ms: number | null;
    readonly p999_ms: number | null;
    readonly max_ms: number | null;
    readonly requests: number;
    readonly batches_per_s: number;
    readonly events_per_s: number;
    readonly errors: number;
    readonly error_rate: number;
    readonly by_status: Readonly<Record<string, number>>;
    /** Events the service refused as inside a pause window: the agent should never send any (null: a target that does not report them, see `target.missing`). */
    readonly refused_paused: number | null;
    readonly refused_exempt: number | null;
    /** Scan of the store against the service's pause and exemption records (null when there is no store). */
    readonly stored_in_pause_windows: number | null;
    readonly stored_while_exempt: number | null;
    /**
     * Events the laptops saw acknowledged (2xx) that the store does not hold
     * (nor refused inside an acknowledged batch): must be 0, also across a
     * SIGKILL of the service (null when there is no store to look in).
     */
    readonly acknowledged_missing: number | null;
  };
  readonly faults: {
    /** Requests the faults intercepted or altered, by kind. */
    readonly injected: Readonly<Record<string, number>>;
    readonly injected_total: number;
    /**
     * After each outage, did the fleet come back as a herd? In the hour after
     * it: the most upload attempts in a minute (peak), against the batches the
     * fleet sealed per minute then (steady: the rate it produces uploads at, which
     * an outage does not change). A fleet that came back all at once after a
     * 30-minute outage with 15-minute batches would read about 45x.
     */
    readonly recoveries: readonly {
      readonly outage: string;
      readonly steady_per_min: number;
      readonly peak_per_min: number;
      readonly peak_to_steady: number | null;
    }[];
    /** The largest peak_to_steady of the run (null without outages). */
    readonly peak_to_steady: number | null;
  };
  readonly laptops: number;
  readonly events: number;
  readonly simulation: {
    /** Employee-days simulated per wall minute; in a run over a window shorter than a day (see period), laptop-windows. */
    readonly employee_days_per_min: number;
    readonly events_per_s: number;
    readonly wall_seconds: number;
    readonly workers: number;
  };
  /**
   * Paced runs (null otherwise): the pacing, and how late the agents' timers
   * (batch seals, retries) and input feeds (where full or aged batches seal)
   * fired against the wall clock. A run is on schedule
   * when the 99th percentile stays within ON_SCHEDULE_LAG_MS: then uploads
   * reached the service when the laptops would have sent them.
   */
  readonly paced: {
    readonly speed: number;
    readonly from_utc: string;
    readonly until_utc: string | null;
    readonly timers: number;
    readonly schedule_lag_p50_ms: number | null;
    readonly schedule_lag_p99_ms: number | null;
    readonly schedule_lag_max_ms: number | null;
    readonly on_schedule: boolean;
  } | null;
  /** Runs of process agents on the real clock (null otherwise): see ProcessFigures. */
  readonly process: ProcessFigures | null;
  /** Events produced and accepted by the store per UTC hour. */
  readonly hourly: readonly { readonly hour_utc: string; readonly produced: number; readonly accepted: number }[];
  /** Distributions across laptops, binned for charts. */
  readonly histograms: {
    readonly mb_per_laptop_day: Histogram;
    readonly battery_pct_per_day: Histogram;
  };
}

/**
 * Figures whose size depends on how long the run measured: a 10-minute window
 * uploads a few kB (0.001234 MB) and uses milliseconds of CPU, where fixed
 * decimals would print every configuration as the same 0.001. Four
 * significant digits, as the battery figures have, tell them apart.
 */
const SCALE_FREE = sig(4);

function perWorkedDay(rows: readonly LaptopRow[], f: (r: LaptopRow) => number): Distribution {
  return distribution(
    rows.filter((r) => r.days_worked > 0).map((r) => f(r) / r.days_worked),
    SCALE_FREE,
  );
}

function yieldBy(rows: readonly LaptopRow[], key: (r: LaptopRow) => string): Record<string, number> {
  const acc = new Map<string, { kept: number; produced: number }>();
  for (const r of rows) {
    const a = acc.get(key(r)) ?? { kept: 0, produced: 0 };
    a.kept += r.produced - r.dropped_paused - r.dropped_exempt - r.lost - r.spooled;
    a.produced += r.produced;
    acc.set(key(r), a);
  }
  return Object.fromEntries(
    [...acc].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.produced ? round(v.kept / v.produced) : 0]),
  );
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** What the ingest service's own records add (store totals, a scan of stored payloads). */
export interface StoreFindings {
  readonly refusedPaused: number;
  readonly refusedExempt: number;
  readonly canariesFound: number;
  /** Stored events inside a pause window the service recorded: must be 0. */
  readonly storedInPauses: number;
  /** Stored events of a device while the service had it exempt: must be 0. */
  readonly storedWhileExempt: number;
  /** Events in the store's batch rows (after the service's own refusals). */
  readonly storedEvents: number;
}

export function computeRunFigures(r: FleetRunResult, batteryWh: number, store?: StoreFindings, faults: readonly Fault[] = []): RunFigures {
  const rows = r.laptops;
  const active = rows.filter((x) => x.active_minutes > 0);
  const worked = rows.filter((x) => x.days_worked > 0);
  const produced = r.ledger.produced;
  const period = periodOf(r);
  // A window run simulates one window per laptop, whatever days it touches (and on a day off too).
  const simulated = period.window_minutes === null ? rows.reduce((a, x) => a + x.days_worked, 0) || rows.length : rows.length;
  return {
    period,
    ledger: r.ledger,
    bandwidth: {
      mb_per_laptop_day: perWorkedDay(rows, (x) => x.radio_bytes / 1e6),
      kb_per_active_hour: distribution(
        active.map((x) => x.radio_bytes / 1e3 / (x.active_minutes / 60)),
        SCALE_FREE,
      ),
    },
    battery: {
      // Configurations differ in the third significant digit (a day costs a few thousandths of a battery).
      pct_per_day: distribution(
        worked.map((x) => x.battery_pct_per_day),
        SCALE_FREE,
      ),
      wh_per_day: distribution(
        worked.map((x) => (x.battery_pct_per_day / 100) * batteryWh),
        SCALE_FREE,
      ),
      cpu_s_per_hour: distribution(
        rows.filter((x) => x.work_hours > 0).map((x) => x.agent_cpu_seconds / x.work_hours),
        SCALE_FREE,
      ),
      wakeups_per_min: distribution(active.map((x) => x.wakeups / x.active_minutes)),
    },
    freshness: {
      ...freshnessFigures(decodeFreshness(r.freshness ?? '')),
      per_laptop_p50_s: distribution(rows.flatMap((x) => (x.freshness_p50_s === null ? [] : [x.freshness_p50_s]))),
      per_laptop_p95_s: distribution(rows.flatMap((x) => (x.freshness_p95_s === null ? [] : [x.freshness_p95_s]))),
      per_laptop_max_s: distribution(rows.flatMap((x) => (x.freshness_max_s === null ? [] : [x.freshness_max_s]))),
    },
    yield: {
      overall: produced ? round(1 - (r.ledger.dropped_paused + r.ledger.dropped_exempt + r.ledger.lost + r.ledger.spooled) / produced) : 0,
      stored_share: produced ? round((r.ledger.stored + r.ledger.redacted) / produced) : 0,
      per_employee: distribution(
        rows.filter((x) => x.produced > 0).map((x) => (x.produced - x.dropped_paused - x.dropped_exempt - x.lost - x.spooled) / x.produced),
      ),
      by_department: yieldBy(rows, (x) => x.department),
      by_role: yieldBy(rows, (x) => x.role),
    },
    leaks: {
      canaries_planted: rows.reduce((a, x) => a + x.canaries_planted, 0),
      canaries: store ? store.canariesFound : rows.reduce((a, x) => a + x.canaries_leaked, 0),
      scanned: store ? 'ingest store' : 'accepted uploads',
    },
    ingest: ingestFigures(r, store),
    faults: faultFigures(r, faults),
    laptops: rows.length,
    events: produced,
    simulation: {
      employee_days_per_min: Math.round(simulated / Math.max(r.wallMs / 60_000, 1e-9)),
      events_per_s: Math.round(produced / Math.max(r.wallMs / 1000, 1e-9)),
      wall_seconds: Math.round(r.wallMs) / 1000,
      workers: r.workers,
    },
    paced: pacedFigures(r),
    process: r.process ? processFigures(r.process, batteryWh) : null,
    hourly: Object.entries(r.hours)
      .map(([h, c]) => ({ h: Number(h), c }))
      .sort((a, b) => a.h - b.h)
      .map(({ h, c }) => ({ hour_utc: new Date(r.epochUtcMs + h * 3_600_000).toISOString(), produced: c.produced, accepted: c.accepted })),
    histograms: {
      mb_per_laptop_day: histogram(rows.filter((x) => x.days_worked > 0).map((x) => x.radio_bytes / 1e6 / x.days_worked)),
      battery_pct_per_day: histogram(rows.filter((x) => x.days_worked > 0).map((x) => x.battery_pct_per_day)),
    },
  };
}

const DAY_MS = 86_400_000;

/** A paced window shorter than a day is what the per-day figures cover; process agents' figures are scaled to a working day. */
function periodOf(r: FleetRunResult): RunFigures['period'] {
  const span = r.paced && r.paced.untilUtcMs !== null && !r.process ? r.paced.untilUtcMs - r.paced.fromUtcMs : null;
  if (span === null || span >= DAY_MS) return { label: 'day', window_minutes: null };
  const minutes = Math.round(span / 60) / 1000;
  return { label: `${minutes} min window`, window_minutes: minutes };
}

/** Wall-clock lateness (ms, p99) up to which a paced run counts as on schedule. */
export const ON_SCHEDULE_LAG_MS = 1_000;

function pacedFigures(r: FleetRunResult): RunFigures['paced'] {
  if (!r.paced) return null;
  const lag = latencyFigures(decodeLatency(r.paced.scheduleLag));
  return {
    speed: r.paced.speed,
    from_utc: new Date(r.paced.fromUtcMs).toISOString(),
    until_utc: r.paced.untilUtcMs === null ? null : new Date(r.paced.untilUtcMs).toISOString(),
    timers: lag.requests,
    schedule_lag_p50_ms: lag.p50_ms,
    schedule_lag_p99_ms: lag.p99_ms,
    schedule_lag_max_ms: lag.max_ms,
    on_schedule: lag.p99_ms === null || lag.p99_ms <= ON_SCHEDULE_LAG_MS,
  };
}

function ingestFigures(r: FleetRunResult, store: StoreFindings | undefined): RunFigures['ingest'] {
  const lat = latencyFigures(decodeLatency(r.latency));
  let ok = 0;
  let errors = 0;
  for (const [status, n] of Object.entries(r.statuses)) {
    if (/^2\d\d$/.test(status)) ok += n;
    else errors += n;
  }
  const wallS = Math.max(r.wallMs / 1000, 1e-9);
  // Rates over the network only mean something when there was one (latency was recorded).
  const networked = lat.requests > 0;
  return {
    ...lat,
    requests: ok + errors,
    batches_per_s: networked ? Math.round(ok / wallS) : 0,
    events_per_s: networked ? Math.round((r.ledger.stored + r.ledger.redacted) / wallS) : 0,
    errors,
    error_rate: lat.requests ? round(errors / lat.requests) : 0,
    by_status: r.statuses,
    refused_paused: store?.refusedPaused ?? 0,
    refused_exempt: store?.refusedExempt ?? 0,
    stored_in_pause_windows: store ? store.storedInPauses : null,
    stored_while_exempt: store ? store.storedWhileExempt : null,
    acknowledged_missing: store ? r.ledger.stored + r.ledger.redacted - store.storedEvents - store.refusedPaused : null,
  };
}

function faultFigures(r: FleetRunResult, faults: readonly Fault[]): RunFigures['faults'] {
  const minuteOf = (msAfterStartDate: number) => Math.floor((r.startDateUtcMs + msAfterStartDate - r.epochUtcMs) / 60_000);
  const at = (m: number) => r.attemptsByMinute[m] ?? 0;
  const recoveries = faults
    .filter((f): f is Extract<Fault, { kind: 'ingest-outage' }> => f.kind === 'ingest-outage')
    .map((f) => {
      const end = minuteOf(f.endMs);
      // Not the hour before the outage: at the start of a working day that hour is the fleet arriving, and the
      // ratio would read the ramp, not the herd (36x where the sealing rate gives 11.5x: morning-surge-outage.yaml).
      let sealed = 0;
      let peak = 0;
      for (let m = end; m < end + 60; m++) {
        sealed += r.sealedByMinute?.[m] ?? 0;
        peak = Math.max(peak, at(m));
      }
      const steady = sealed / 60;
      return {
        outage: `day ${f.day} ${f.at} UTC, ${f.durationMinutes} min`,
        steady_per_min: round(steady),
        peak_per_min: peak,
        peak_to_steady: steady > 0 ? round(peak / steady) : null,
      };
    });
  const ratios = recoveries.map((x) => x.peak_to_steady).filter((x): x is number => x !== null);
  return {
    injected: r.injected,
    injected_total: Object.values(r.injected).reduce((a, b) => a + b, 0),
    recoveries,
    peak_to_steady: ratios.length ? Math.max(...ratios) : null,
  };
}
