import { bernoulli, clamp, lognormal, normal, type RandomStream } from '../random/index.js';

/** Per-employee pointing traits (BEHAVIOUR.md: Fitts, clicks/hour, scrolls/hour, device rate). */
export interface MouseTraits {
  /** Fitts throughput in bits/s; the slope b = 1000 / throughput ms/bit. */
  readonly throughputBitsPerS: number;
  /** Fitts intercept a (ms). */
  readonly fittsA_ms: number;
  /** Pointing-device report rate while moving (Hz); 125 for touchpad users. */
  readonly deviceRateHz: number;
  /** Touchpad users scroll in smooth streams of small deltas instead of wheel notches. */
  readonly touchpad: boolean;
  readonly clicksPerActiveHour: number;
  readonly scrollBurstsPerActiveHour: number;
  readonly leftHanded: boolean;
}

export interface MouseTraitParams {
  /** Soukoreff & MacKenzie 2004: TP 3.7–4.9 bits/s. */
  readonly throughputMean: number;
  readonly throughputSd: number;
  readonly throughputMin: number;
  readonly throughputMax: number;
  /** MacKenzie, Sellen & Buxton 1991 intercepts. */
  readonly fittsAMean_ms: number;
  readonly fittsASd_ms: number;
  readonly fittsAMax_ms: number;
  /** Share of high-rate (500/1000 Hz) mice among non-touchpad users: assumption. */
  readonly highRateShare: number;
  /** Share of touchpad users: assumption (large effect on scroll event counts). */
  readonly touchpadShare: number;
  /** Balabit session median 478/h; esure 214/h → LogNormal(ln 320, 0.6). */
  readonly clicksLogMu: number;
  readonly clicksLogSigma: number;
  /** Balabit: scroll bursts per active hour LogNormal(ln 40, 1.0). */
  readonly scrollBurstsLogMu: number;
  readonly scrollBurstsLogSigma: number;
  readonly leftHandedShare: number;
}

export const DEFAULT_MOUSE_TRAIT_PARAMS: MouseTraitParams = {
  throughputMean: 4.3,
  throughputSd: 0.35,
  throughputMin: 3.3,
  throughputMax: 5.3,
  fittsAMean_ms: 150,
  fittsASd_ms: 50,
  fittsAMax_ms: 300,
  highRateShare: 0.15,
  touchpadShare: 0.3,
  clicksLogMu: Math.log(320),
  clicksLogSigma: 0.6,
  scrollBurstsLogMu: Math.log(40),
  scrollBurstsLogSigma: 1.0,
  leftHandedShare: 0.1,
};

export function drawMouseTraits(s: RandomStream, p: MouseTraitParams = DEFAULT_MOUSE_TRAIT_PARAMS): MouseTraits {
  // Draw order is part of the seed contract: keep it when adding fields (append new draws at the end).
  const highRate = bernoulli(s, p.highRateShare);
  const throughputBitsPerS = clamp(normal(s, p.throughputMean, p.throughputSd), p.throughputMin, p.throughputMax);
  const fittsA_ms = clamp(normal(s, p.fittsAMean_ms, p.fittsASd_ms), 0, p.fittsAMax_ms);
  const mouseRateHz = highRate ? (bernoulli(s, 0.5) ? 500 : 1000) : 125;
  const touchpad = bernoulli(s, p.touchpadShare);
  return {
    throughputBitsPerS,
    fittsA_ms,
    // A touchpad reports at about 125 Hz (Windows Precision Touchpad); high-rate devices are
    // external gaming-class mice. So high-rate users are highRateShare × (1 − touchpadShare)
    // ≈ 10 % of employees, inside BEHAVIOUR.md's 10–20 % assumption.
    deviceRateHz: touchpad ? 125 : mouseRateHz,
    touchpad,
    clicksPerActiveHour: lognormal(s, p.clicksLogMu, p.clicksLogSigma),
    scrollBurstsPerActiveHour: lognormal(s, p.scrollBurstsLogMu, p.scrollBurstsLogSigma),
    leftHanded: bernoulli(s, p.leftHandedShare),
  };
}
