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
  /**
   * Share of this typist's inter-key intervals that are hesitations rather than
   * fluent keystrokes (0.07 on average at the mean WPM, more for slow typists;
   * TypingTraitParams). At the same WPM a
   * typist with more hesitations types the fluent stretches faster, hence rolls
   * over more: the "rollover style" that keeps rollover from tracking WPM alone.
   */
  readonly hesitationShare: number;
}

export interface TypingTraitParams {
  /**
   * Dhakal et al. CHI 2018: WPM mean 51.56, SD 20.20 → moment-matched gamma
   * (shape (mean/sd)² = 6.5). A gamma rather than BEHAVIOUR.md's lognormal
   * because, with the same mean and SD, it also reproduces Dhakal's per-typist
   * IKI mean and SD (238.7 / 111.6 ms: IKI ∝ 1/WPM, so the slow tail matters)
   * and the WPM p10/p90 (≈ 26 / 78): the lognormal gives IKI SD ≈ 92 ms and p10 29.6.
   */
  readonly wpmMean: number;
  readonly wpmSd: number;
  readonly wpmMin: number;
  readonly wpmMax: number;
  /**
   * Beta(a, b) for the correction (Backspace) share of keystrokes: mean 6.3 %
   * (Dhakal 2018 corrections), SD 3.5 % (measured on public data). BEHAVIOUR.md's
   * measured mean 4.6 % gives KSPC ≈ 1.13 with prose's 2.6 % Shift presses, at the
   * edge of Dhakal's 1.17 ± 0.04; Dhakal's 6.3 % and 1.17 come from the same typists.
   */
  readonly correctionBetaA: number;
  readonly correctionBetaB: number;
  /** Correlation of correction share with WPM (fast typists correct less), via a Gaussian copula. */
  readonly correctionWpmCorrelation: number;
  /**
   * Per-typist log-median hold μh ~ N(4.67, 0.204) (BEHAVIOUR.md "key hold": measured
   * N(4.634, 0.204)). Mean raised by 0.036 so the measured per-typist mean hold
   * (113 ms) sits nearer Dhakal's 116 while the pooled median stays near the measured 103.
   */
  readonly holdLogMuMean: number;
  readonly holdLogMuSd: number;
  /** Within-typist σh ~ N(0.274, 0.04) (measured on public data). */
  readonly holdLogSigmaMean: number;
  readonly holdLogSigmaSd: number;
  /**
   * Extra per-typist hold scale LogNormal(0, σ). 0 by default: μh's spread alone gives
   * Dhakal's per-typist hold SD (≈ 23 ms); rollover is decorrelated from WPM by the
   * hesitation share instead (a larger σ here would inflate the hold SD to ≈ 31 ms).
   */
  readonly holdScaleLogSigma: number;
  /**
   * Hesitation share ~ Beta with this mean at the population-mean WPM. Below
   * BEHAVIOUR.md's mixture weight 0.10: that mixture was fitted to all IKIs, the
   * pauses before and after a correction included, and the model draws those
   * separately (episode.ts); counting them twice made the fluent component, which
   * keeps the typist's mean, too fast (pooled p25 97 ms against the measured 120).
   * CALIBRATED with hesitationWpmExponent and the mixture's shape in
   * TypingModelParams on the pooled IKI quantiles (test/behaviour/typing-iki-quantiles.test.ts).
   */
  readonly hesitationShareMean: number;
  /** …and this SD across typists at the mean WPM (assumption, keeps Spearman(WPM, rollover) near Dhakal's 0.72)… */
  readonly hesitationShareSd: number;
  /**
   * …both scaled by (wpmMean / WPM)^k: slow typists are slow partly because
   * they pause more often, not only because every stroke is slower. With k = 0
   * the whole between-typist spread of the mean IKI (Dhakal SD 111.6 ms) lands
   * on every fluent stroke and the pooled middle comes out too wide (p75/p25
   * 2.7 against the measured 262/120 = 2.2); k = 0.5 gives 2.3 (calibrated, no published value).
   */
  readonly hesitationWpmExponent: number;
  /** Cap (assumption): above it the fluent stretches of a typist with a given WPM would be implausibly fast. */
  readonly hesitationShareMax: number;
}

export const DEFAULT_TYPING_TRAIT_PARAMS: TypingTraitParams = {
  wpmMean: 51.56,
  wpmSd: 20.2,
  wpmMin: 10,
  wpmMax: 150,
  correctionBetaA: 2.973,
  correctionBetaB: 44.22,
  correctionWpmCorrelation: -0.25,
  holdLogMuMean: 4.67,
  holdLogMuSd: 0.204,
  holdLogSigmaMean: 0.274,
  holdLogSigmaSd: 0.04,
  holdScaleLogSigma: 0,
  hesitationShareMean: 0.07,
  hesitationShareSd: 0.028,
  hesitationWpmExponent: 0.5,
  hesitationShareMax: 0.2,
};

export function drawTypingTraits(s: RandomStream, p: TypingTraitParams = DEFAULT_TYPING_TRAIT_PARAMS): TypingTraits {
  const zWpm = standardNormal(s);
  const wpm = clamp(gammaFromNormal(zWpm, p.wpmMean, p.wpmSd), p.wpmMin, p.wpmMax);
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
    hesitationShare: drawHesitationShare(s, p, wpm),
  };
}

function drawHesitationShare(s: RandomStream, p: TypingTraitParams, wpm: number): number {
  const scale = (p.wpmMean / wpm) ** p.hesitationWpmExponent;
  const m = Math.min(p.hesitationShareMean * scale, p.hesitationShareMax);
  const sd = p.hesitationShareSd * scale;
  if (!(sd > 0)) return m;
  // Beta(a, b) with mean m and variance sd²: a + b = m (1 − m) / sd² − 1. Scenario validation keeps it > 0 at the
  // mean WPM; a slow typist's scaled SD could pass that bound under extreme settings, and then gets the mean.
  const n = (m * (1 - m)) / (sd * sd) - 1;
  if (!(n > 0)) return m;
  return Math.min(beta(s, m * n, (1 - m) * n), p.hesitationShareMax);
}

/**
 * The gamma variate with this mean and SD at standard-normal deviate z, by the
 * Wilson–Hilferty cube-root transform ((X/mean)^(1/3) ≈ N(1 − 1/9k, 1/9k);
 * accurate to well under 1 % for shape k ≥ 2). Monotone in z, so the WPM keeps
 * a Gaussian deviate for the correction-share copula.
 */
export function gammaFromNormal(z: number, mean: number, sd: number): number {
  const k = (mean / sd) ** 2;
  const c = 1 - 1 / (9 * k) + z / (3 * Math.sqrt(k));
  return c <= 0 ? 0 : mean * c * c * c;
}

/**
 * Beta quantile at probability u, approximated from 63 draws (the order statistic at u):
 * the copula needs a monotone map from u, and the beta inverse CDF has no closed form.
 */
function betaQuantileBySampling(s: RandomStream, a: number, b: number, u: number): number {
  const n = 63;
  const draws = new Float64Array(n);
  let sortable = true;
  for (let i = 0; i < n; i++) {
    const x = beta(s, a, b);
    draws[i] = x;
    if (Number.isNaN(x)) sortable = false;
  }
  const k = Math.min(n - 1, Math.floor(u * n));
  if (sortable) return kthSmallest(draws, k);
  // 0/0 from two zero gamma draws: a full sort puts NaN last, which selection by comparison cannot.
  return draws.sort()[k] as number;
}

/** The k-th smallest value of `a` (0-based), by Hoare's selection: what a[k] would be after sorting, without sorting. Reorders `a`. */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
