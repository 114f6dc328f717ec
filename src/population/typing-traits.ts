import { clamp, beta, lognormal, normal, standardNormal, type RandomStream } from '../random/index.js';

/** Per-employee typing traits (BEHAVIOUR.md, "Suggested generator defaults"). */
export interface TypingTraits {
  /** Nominal words per minute; the typing model derives its inter-key interval scale from it. */
  readonly wpm: number;
  /** Share of keystrokes that are corrections (Backspace runs). */
  readonly correctionShare: number;
  /** Log-scale median of key hold time (ms). */
  readonly holdLogMu: number;
  /** Log-scale spread of key hold time within this typist. */
  readonly holdLogSigma: number;
  /** Per-typist multiplier on hold time, independent of speed: decorrelates rollover from WPM. */
  readonly holdScale: number;
}

export interface TypingTraitParams {
  /** Dhakal et al. CHI 2018: WPM mean 51.56, SD 20.20 → moment-matched lognormal. */
  readonly wpmLogMu: number;
  readonly wpmLogSigma: number;
  readonly wpmMin: number;
  readonly wpmMax: number;
  /** Beta(a, b) for correction share: mean 4.6 %, SD 3.5 % (measured on public data). */
  readonly correctionBetaA: number;
  readonly correctionBetaB: number;
  /** Correlation of correction share with WPM (fast typists correct less), via a Gaussian copula. */
  readonly correctionWpmCorrelation: number;
  readonly holdLogMuMean: number;
  readonly holdLogMuSd: number;
  readonly holdLogSigmaMean: number;
  readonly holdLogSigmaSd: number;
  readonly holdScaleLogSigma: number;
}

export const DEFAULT_TYPING_TRAIT_PARAMS: TypingTraitParams = {
  wpmLogMu: 3.871,
  wpmLogSigma: 0.378,
  wpmMin: 10,
  wpmMax: 150,
  correctionBetaA: 1.6,
  correctionBetaB: 33,
  correctionWpmCorrelation: -0.25,
  holdLogMuMean: 4.634,
  holdLogMuSd: 0.204,
  holdLogSigmaMean: 0.274,
  holdLogSigmaSd: 0.04,
  holdScaleLogSigma: 0.2,
};

export function drawTypingTraits(s: RandomStream, p: TypingTraitParams = DEFAULT_TYPING_TRAIT_PARAMS): TypingTraits {
  const zWpm = standardNormal(s);
  const wpm = clamp(Math.exp(p.wpmLogMu + p.wpmLogSigma * zWpm), p.wpmMin, p.wpmMax);
  // Gaussian copula: rank of the beta draw follows a normal correlated with the WPM normal.
  const rho = p.correctionWpmCorrelation;
  const zCorr = rho * zWpm + Math.sqrt(1 - rho * rho) * standardNormal(s);
  const correctionShare = betaQuantileBySampling(s, p.correctionBetaA, p.correctionBetaB, normalCdf(zCorr));
  return {
    wpm,
    correctionShare,
    holdLogMu: normal(s, p.holdLogMuMean, p.holdLogMuSd),
    holdLogSigma: clamp(normal(s, p.holdLogSigmaMean, p.holdLogSigmaSd), 0.1, 0.6),
    holdScale: lognormal(s, 0, p.holdScaleLogSigma),
  };
}

/**
 * Beta quantile at probability u, approximated from 63 sorted draws: the
 * copula needs a monotone map from u, and the beta inverse CDF has no closed form.
 */
function betaQuantileBySampling(s: RandomStream, a: number, b: number, u: number): number {
  const n = 63;
  const draws = new Float64Array(n);
  for (let i = 0; i < n; i++) draws[i] = beta(s, a, b);
  draws.sort();
  return draws[Math.min(n - 1, Math.floor(u * n))] as number;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
