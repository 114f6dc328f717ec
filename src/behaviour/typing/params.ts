/**
 * Every constant of the typing model, with its source. "BEHAVIOUR.md" means
 * the row of /shared/BEHAVIOUR.md "Suggested generator defaults" named in the
 * comment; "assumption" marks values with no verified published source (expose
 * them in scenarios and let sweeps vary them).
 */
export interface TypingModelParams {
  // ── inter-key interval (BEHAVIOUR.md "inter-key interval (within burst)") ──
  /**
   * Time per net character at 1 WPM: a typist at W WPM spends this / W ms per
   * character of final text (12,000 by WPM's definition, 5 characters a word).
   * Each typist's IKI scale m is solved from it so that keystrokes, Shift
   * presses, errors, Backspaces and correction pauses together take that time
   * (typist.ts ikiScaleFor); it replaces BEHAVIOUR.md's m = 10,900 / WPM, which
   * leaves errors out (an error-free typist here gets m ≈ 11,800 / WPM; one
   * with the mean 6.3 % Backspace share at 51.56 WPM, m ≈ 9,500 / WPM).
   * CALIBRATED on the generated events (test/behaviour/typing.test.ts #1):
   * with 12,000, WPM measured as a ratio of sums came out at 0.998 × nominal,
   * and Dhakal-style (per copied sentence, (net characters − 1) ÷ 5 per minute
   * first to last key, averaged per typist) at 1.0095 × nominal — an average of
   * per-sentence rates exceeds the overall rate when sentence speeds vary. So
   * 12,000 × 1.0095 = 12,114; measured/nominal is then 1.000.
   */
  readonly wpmTimeConstant_ms: number;
  /**
   * Fluent ex-Gaussian μ, σ, τ as fractions of m (the mixture weight is the
   * typist's TypingTraits.hesitationShare; the fluent component is rescaled so
   * the mixture mean stays m whatever the typist's share). BEHAVIOUR.md gives
   * 0.50, 0.075, 0.25 for a mixture fitted to every IKI; here corrections are
   * drawn apart and the hesitation share is lower (typing-traits.ts), and a
   * narrower fluent component (μ 0.55, τ 0.20: same μ + τ) fits the measured
   * pooled quantiles (CALIBRATED: p5/p25/p50/p75/p95 in
   * test/behaviour/typing-iki-quantiles.test.ts).
   */
  readonly fluentMuFraction: number;
  readonly fluentSigmaFraction: number;
  readonly fluentTauFraction: number;
  /**
   * Hesitation lognormal median as a multiple of m and log-sd: BEHAVIOUR.md 3.0
   * and 0.40; 3.2 and 0.30 here (CALIBRATED with the lower hesitation share so
   * the pooled p95 and the share of IKIs over 1 s stay at the measured 699 ms
   * and 2.0 %: the pauses around corrections now fill part of that tail).
   */
  readonly hesitationMedianFactor: number;
  readonly hesitationLogSigma: number;
  /** Per-burst speed factor LogNormal(0, 0.10): bursts are typed faster or slower as a whole. */
  readonly burstSpeedLogSigma: number;
  readonly ikiMin_ms: number;
  readonly ikiMax_ms: number;

  // ── bigram context multipliers (same row; renormalised over English prose to keep m) ──
  readonly alternateHandFactor: number;
  readonly sameHandFactor: number;
  readonly sameFingerFactor: number;
  readonly repeatKeyFactor: number;
  readonly wordInitialFactor: number;
  readonly beforeSpaceFactor: number;

  // ── key hold (BEHAVIOUR.md "key hold"; per-typist μh, σh come from TypingTraits) ──
  readonly backspaceHoldFactor: number;
  /** Shift wraps the chord: hold LogNormal(ln 248 ms, 0.55). */
  readonly modifierHoldMedian_ms: number;
  readonly modifierHoldLogSigma: number;
  readonly holdMin_ms: number;
  readonly holdMax_ms: number;
  /**
   * When Shift's own hold draw would end before the shifted key goes down, it is
   * released up to this long after that keydown instead (assumption: the chord
   * only needs Shift down at the key's keydown; real Shift holds, median 248 ms,
   * often end before the letter's release).
   */
  readonly modifierReleaseAfterKeyMax_ms: number;

  // ── errors and corrections (BEHAVIOUR.md "error / backspace") ──
  /** Detection delay: extra keys typed after the error before noticing, Geometric(p) capped (0–3 keys). */
  readonly detectionDelayGeometricP: number;
  readonly detectionDelayMax_keys: number;
  /** Pause before the first Backspace, LogNormal(ln 460 ms, 0.48). */
  readonly pauseBeforeBackspaceMedian_ms: number;
  readonly pauseBeforeBackspaceLogSigma: number;
  /** First key after a Backspace run, LogNormal(ln 250 ms, 0.6). */
  readonly keyAfterCorrectionMedian_ms: number;
  readonly keyAfterCorrectionLogSigma: number;
  /** Uncorrected errors per character at the population-mean correction share (Dhakal 2018: 1.167 %). */
  readonly uncorrectedErrorsPerChar: number;
  /** The population-mean correction share the line above is quoted at (Dhakal 2018: 6.3 %; TypingTraitParams' Beta mean). */
  readonly referenceCorrectionShare: number;
  /** Error kinds, substitution > omission > insertion (Dhakal 2018 ordering; weights are an assumption). */
  readonly substitutionWeight: number;
  readonly omissionWeight: number;
  readonly insertionWeight: number;
  /** Share of insertions that repeat the intended key (a double press) rather than hit a neighbour (assumption). */
  readonly insertionRepeatShare: number;
  /** Upper bound on a typist's Backspace share (the Beta tail is long; assumption). */
  readonly maxCorrectionShare: number;

  // ── bursts and pauses (BEHAVIOUR.md "burst / pause (composition)") ──
  /** Burst length LogNormal(ln 30 keys, 0.8) (assumption). */
  readonly burstLengthMedian_keys: number;
  readonly burstLengthLogSigma: number;
  /** A burst never runs past this many keystrokes without a pause (assumption; guards code with no spaces). */
  readonly burstLengthMax_keys: number;
  /** Inter-burst pause LogNormal(ln 3.5 s, 0.9) (assumption)… */
  readonly interBurstPauseMedian_ms: number;
  readonly interBurstPauseLogSigma: number;
  /** …truncated below at the P-burst threshold of 2 s (Chenoweth & Hayes 2001): a shorter pause would not end a burst… */
  readonly interBurstPauseMin_ms: number;
  /** …and capped at 60 s (longer gaps are the day composer's business). */
  readonly interBurstPauseMax_ms: number;
  /** ×2–3 at sentence and paragraph ends. */
  readonly sentenceEndPauseFactorMin: number;
  readonly sentenceEndPauseFactorMax: number;
  /** Chance that a sentence end closes the burst before its drawn length is reached (assumption). */
  readonly sentenceEndBreakProbability: number;
}

export const DEFAULT_TYPING_MODEL_PARAMS: TypingModelParams = {
  wpmTimeConstant_ms: 12_114,
  fluentMuFraction: 0.55,
  fluentSigmaFraction: 0.075,
  fluentTauFraction: 0.2,
  hesitationMedianFactor: 3.2,
  hesitationLogSigma: 0.3,
  burstSpeedLogSigma: 0.1,
  ikiMin_ms: 5,
  ikiMax_ms: 5_000,

  alternateHandFactor: 0.91,
  sameHandFactor: 1.09,
  sameFingerFactor: 1.26,
  repeatKeyFactor: 0.98,
  wordInitialFactor: 1.34,
  beforeSpaceFactor: 0.9,

  backspaceHoldFactor: 0.78,
  modifierHoldMedian_ms: 248,
  modifierHoldLogSigma: 0.55,
  holdMin_ms: 20,
  holdMax_ms: 1_000,
  modifierReleaseAfterKeyMax_ms: 30,

  detectionDelayGeometricP: 0.54,
  detectionDelayMax_keys: 3,
  pauseBeforeBackspaceMedian_ms: 460,
  pauseBeforeBackspaceLogSigma: 0.48,
  keyAfterCorrectionMedian_ms: 250,
  keyAfterCorrectionLogSigma: 0.6,
  uncorrectedErrorsPerChar: 0.011,
  referenceCorrectionShare: 0.063,
  substitutionWeight: 0.6,
  omissionWeight: 0.25,
  insertionWeight: 0.15,
  insertionRepeatShare: 0.3,
  maxCorrectionShare: 0.3,

  burstLengthMedian_keys: 30,
  burstLengthLogSigma: 0.8,
  burstLengthMax_keys: 400,
  interBurstPauseMedian_ms: 3_500,
  interBurstPauseLogSigma: 0.9,
  interBurstPauseMin_ms: 2_000,
  interBurstPauseMax_ms: 60_000,
  sentenceEndPauseFactorMin: 2,
  sentenceEndPauseFactorMax: 3,
  sentenceEndBreakProbability: 0.5,
};

/**
 * The same keystroke model in a copy-typing configuration, as in Dhakal et
 * al.'s task: each sentence is typed as one burst (no composition pauses
 * inside it) and sentences are at least 5 s apart. Measuring WPM per sentence
 * and IKIs ≤ 5 s then follows the published protocol exactly; the day
 * composer uses the defaults (composition bursts of ~30 keys).
 */
export function transcriptionTypingParams(p: TypingModelParams = DEFAULT_TYPING_MODEL_PARAMS): TypingModelParams {
  return {
    ...p,
    burstLengthMedian_keys: 1e9,
    burstLengthLogSigma: 0,
    burstLengthMax_keys: 1e9,
    sentenceEndBreakProbability: 1,
    interBurstPauseMin_ms: Math.max(p.interBurstPauseMin_ms, p.ikiMax_ms),
  };
}
