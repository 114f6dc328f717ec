/**
 * The battery proxy: measured agent activity turned into energy with
 * coefficients that a scenario can override. Each default names its source or
 * how it was derived; none is a measurement of a particular laptop.
 */
export interface EnergyModel {
  /**
   * Joules per second of CPU time the agent used (one busy core, above idle).
   * Derived: a 15 W-class mobile CPU package over 4 cores ≈ 3.75 W per busy core
   * (Intel U-series TDP); 3.5 W used.
   */
  readonly joulesPerCpuSecond: number;
  /**
   * Joules per wake-up from idle (C-state exit, timer, cache refill).
   * Derived from Microsoft, "Timers, Timer Resolution, and Development of Efficient
   * Code" (2010): a 1 ms timer (≈ 1,000 wake-ups/s instead of 64) can cost up to 25 %
   * of a ≈ 10 W platform → ≈ 2.5 mJ per wake-up.
   */
  readonly joulesPerWakeup: number;
  /**
   * Joules per byte sent over Wi-Fi: 0.007 J/KB (Balasubramanian et al.,
   * "Energy Consumption in Mobile Phones", IMC 2009, Wi-Fi transfer model).
   */
  readonly joulesPerRadioByte: number;
  /**
   * Joules per transmission for the radio leaving power save and its tail
   * (assumption: ≈ 200 ms at ≈ 0.5 W over the transfer itself).
   */
  readonly joulesPerTransmission: number;
  /** Battery capacity in watt-hours (typical 13–14" business laptop: 50–56 Wh). */
  readonly batteryWh: number;
  /**
   * Input delivery (DeliveryCoefficients): CPU µs and wake-ups per read the
   * agent makes of its input (a batched reader: one per read interval that
   * held input; a reader woken per event: one per event), plus CPU µs per
   * event read, by kind, and wake-ups per event (0 unless the OS wakes
   * something per event besides the agent's read). Virtual-time runs add
   * them for what the OS delivers of the events the employee produced;
   * measured with `npm run bench:delivery` on the reference agent as a process.
   */
  readonly deliveryCpuUsPerRead: number;
  readonly deliveryWakeupsPerRead: number;
  /** The same for a read of a reader woken per event (inputReadIntervalMs 0): its process stays warm while input flows. */
  readonly deliveryCpuUsPerUnbatchedRead: number;
  readonly deliveryWakeupsPerUnbatchedRead: number;
  readonly deliveryCpuUsPerKeyEvent: number;
  readonly deliveryCpuUsPerClickEvent: number;
  readonly deliveryCpuUsPerMoveEvent: number;
  readonly deliveryCpuUsPerWheelEvent: number;
  readonly deliveryWakeupsPerEvent: number;
  /** Where the delivery coefficients come from (recorded in summary.json with the scenario). */
  readonly deliverySource: string;
}

/**
 * Delivery coefficients measured by `npm run bench:delivery` (bench/delivery.ts):
 * the reference agent as its own process on default settings (it reads its
 * input in 5 s batches, agent.inputReadIntervalMs) fed one event per message
 * over the tap socket, as an OS hook delivers input, on a seeded laptop's
 * realistic input with and without a move cap at the source (events drop,
 * reads hardly), minus an idle agent over the same window and the same
 * agent's in-process cost for the same events; reads as the agent counted
 * them. Fitted: CPU = per read × reads + per event × events.
 *
 * The per-read figure is that of a read after 5 s of sleep (a cold
 * process: the same run priced a read after 1 s at 1,957 µs). A reader
 * woken per event (inputReadIntervalMs 0, or a macOS/Windows hook) pays
 * far less per read, its process being warm: 113 µs and 1.00 wake-up per
 * read in the same run (the per-event part taken out), the unbatched pair.
 * Each agent ran 25 s unobserved before its window and without V8's memory
 * reducer, whose one-off heap compaction (≈ 0.2 s of CPU, once per boot)
 * had swamped earlier runs (docs/process-agents.md).
 */
export const DEFAULT_DELIVERY = {
  deliveryCpuUsPerRead: 3230,
  deliveryWakeupsPerRead: 2.18,
  deliveryCpuUsPerUnbatchedRead: 113,
  deliveryWakeupsPerUnbatchedRead: 1.0,
  deliveryCpuUsPerKeyEvent: 4.8,
  deliveryCpuUsPerClickEvent: 4.8,
  deliveryCpuUsPerMoveEvent: 4.8,
  deliveryCpuUsPerWheelEvent: 4.8,
  deliveryWakeupsPerEvent: 0,
  deliverySource:
    'npm run bench:delivery, 2026-12-04 16:12–16:33 UTC, 2-core VM (load average 5 falling to 0.3): reference agent process over the tap reading in 5 s batches, 120 s of one laptop’s realistic input with and without a 60 Hz move cap, 25 s settled, no memory reducer, idle agent and in-process capture subtracted, reads as the agent counted them; fitted per read and per event. A reader woken per event: 113 µs and 1.00 wake-up per read in the same run (per-event part taken out), the unbatched pair',
} as const;

export const DEFAULT_ENERGY_MODEL: EnergyModel = {
  joulesPerCpuSecond: 3.5,
  joulesPerWakeup: 0.0025,
  joulesPerRadioByte: 0.007 / 1024,
  joulesPerTransmission: 0.1,
  batteryWh: 54,
  ...DEFAULT_DELIVERY,
};

export interface EnergyInputs {
  readonly cpuSeconds: number;
  readonly wakeups: number;
  readonly radioBytes: number;
  readonly transmissions: number;
}

export interface EnergyEstimate {
  readonly joules: number;
  /** Share of a full battery. */
  readonly batteryPct: number;
  /** Joules by term, so a reader sees what dominates. */
  readonly byTerm: { readonly cpu: number; readonly wakeups: number; readonly radioBytes: number; readonly transmissions: number };
}

export function estimateEnergy(x: EnergyInputs, m: EnergyModel = DEFAULT_ENERGY_MODEL): EnergyEstimate {
  const byTerm = {
    cpu: x.cpuSeconds * m.joulesPerCpuSecond,
    wakeups: x.wakeups * m.joulesPerWakeup,
    radioBytes: x.radioBytes * m.joulesPerRadioByte,
    transmissions: x.transmissions * m.joulesPerTransmission,
  };
  const joules = byTerm.cpu + byTerm.wakeups + byTerm.radioBytes + byTerm.transmissions;
  return { joules, batteryPct: (100 * joules) / (m.batteryWh * 3600), byTerm };
}
