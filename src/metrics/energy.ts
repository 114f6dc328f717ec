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
   * Input delivery (DeliveryCoefficients): CPU µs per event handed from the
   * OS to the agent, by kind, and wake-ups per event. Virtual-time runs add
   * them for every event the employee produced; measured with
   * `npm run bench:delivery` on the reference agent as a process.
   */
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
 * input in 1 s batches, agent.inputReadIntervalMs) fed one event per message
 * over the tap socket, as an OS hook delivers input, on a seeded laptop's
 * realistic input, minus an idle agent over the same window and the same
 * agent's in-process cost for the same events. A batched reader pays about
 * one wake-up per second of activity, so the per-event figure holds for
 * realistic input (bursts of typing and movement), not for any event rate.
 * A reader woken per event (inputReadIntervalMs 0, or a macOS/Windows hook)
 * measured 110–250 µs and 0.37–0.9 wake-ups per event on the same runs.
 */
export const DEFAULT_DELIVERY = {
  deliveryCpuUsPerKeyEvent: 49,
  deliveryCpuUsPerClickEvent: 49,
  deliveryCpuUsPerMoveEvent: 49,
  deliveryCpuUsPerWheelEvent: 49,
  deliveryWakeupsPerEvent: 0.048,
  deliverySource:
    'npm run bench:delivery, 2026-12-04, 2-core VM under load (load average ≈ 15–19): reference agent process over the tap reading in 1 s batches, 40 s of one laptop’s realistic input, idle agent and in-process capture subtracted; a read per delivery measured 116 µs and 0.37 wake-ups per event on the same run, X11 RECORD 251 µs and 0.85 (95 µs and 0.061 batched)',
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
