import type { TypingTraits } from '../../population/typing-traits.js';
import { clamp } from '../../random/index.js';
import { BIGRAM_CLASS, classFactors, KEY_COUNT } from './key-tables.js';
import { DEFAULT_TYPING_MODEL_PARAMS, type TypingModelParams } from './params.js';
import { referenceTextStats } from './reference-text.js';

/** A typist: the traits plus every per-typist constant the per-key loop needs, computed once. */
export interface Typist {
  readonly traits: TypingTraits;
  readonly params: TypingModelParams;
  /** m: mean ordinary inter-key interval before context multipliers (ms); see ikiScaleFor. */
  readonly ikiScale_ms: number;
  /** Probability that an interval comes from the fluent component (1 − hesitation share). */
  readonly fluentShare: number;
  readonly fluentMu_ms: number;
  readonly fluentSigma_ms: number;
  readonly fluentTau_ms: number;
  readonly hesitationLogMu: number;
  /** Log-median of letter and space holds, the typist's hold scale included. */
  readonly holdLogMu: number;
  readonly holdLogSigma: number;
  readonly backspaceHoldLogMu: number;
  /** Probability that an eligible character starts an error that is then corrected with Backspace. */
  readonly correctedErrorPerChar: number;
  /** Probability that an eligible character starts an error left in the text. */
  readonly uncorrectedErrorPerChar: number;
  /** Context multiplier per (previous key, key), flattened prev * KEY_COUNT + key, mean 1 over prose. */
  readonly ikiMultiplier: Float64Array;
}

const multiplierCache = new WeakMap<TypingModelParams, Float64Array>();

/** BEHAVIOUR.md context multipliers per key pair, divided by their mean over typed prose (so m is kept). */
export function ikiMultiplierTable(p: TypingModelParams): Float64Array {
  const cached = multiplierCache.get(p);
  if (cached !== undefined) return cached;
  const factors = classFactors(p);
  const share = referenceTextStats().bigramClassShare;
  let mean = 0;
  for (let c = 0; c < factors.length; c++) mean += factors[c]! * share[c]!;
  const table = new Float64Array(KEY_COUNT * KEY_COUNT);
  for (let i = 0; i < table.length; i++) table[i] = factors[BIGRAM_CLASS[i]!]! / mean;
  multiplierCache.set(p, table);
  return table;
}

/** Mean Backspace-run length: 1 + min(Geometric(p), maxDelay) = 1 + Σ_{k=1..max} (1-p)^k. */
export function meanCorrectionRun_keys(p: TypingModelParams): number {
  let run = 1;
  for (let k = 1; k <= p.detectionDelayMax_keys; k++) run += (1 - p.detectionDelayGeometricP) ** k;
  return run;
}

export function createTypist(traits: TypingTraits, params: TypingModelParams = DEFAULT_TYPING_MODEL_PARAMS): Typist {
  const p = params;
  const ref = referenceTextStats();
  // Backspace share b of all keystrokes. Each Backspace also cost the keystroke it
  // deletes, so per character: keys = 1 + shift + 2β and β = b (1 + shift) / (1 - 2b).
  const b = clamp(traits.correctionShare, 0, p.maxCorrectionShare);
  const backspacesPerChar = (b * (1 + ref.shiftPerChar)) / (1 - 2 * b);
  const episodesPerChar = backspacesPerChar / meanCorrectionRun_keys(p);
  const correctedErrorPerChar = episodesPerChar / ref.errorEligibleShare;
  const uncorrectedErrorPerChar = Math.min(0.05, (p.uncorrectedErrorsPerChar * (b / p.referenceCorrectionShare)) / ref.errorEligibleShare);
  const m = ikiScaleFor(traits.wpm, 1 + ref.shiftPerChar + 2 * backspacesPerChar, episodesPerChar, p);
  const holdLogMu = traits.holdLogMu + Math.log(traits.holdScale);
  // Mixture mean = (1 - h) · f · (μ + τ) m + h · median · e^(σ²/2) m; choose f so it is m.
  // h is capped where f would fall below 1/3 (or at 0.25), whatever traits and parameters are handed in
  // (defaults: the trait draw caps h at 0.2, f ≥ 0.55; the bound is 0.24).
  const hesitationMean = p.hesitationMedianFactor * Math.exp(p.hesitationLogSigma ** 2 / 2);
  const fluentMean = p.fluentMuFraction + p.fluentTauFraction;
  const excess = hesitationMean - fluentMean / 3;
  const hMax = excess > 0 ? Math.min(0.25, Math.max(0, (1 - fluentMean / 3) / excess)) : 0.25;
  const h = clamp(traits.hesitationShare, 0, hMax);
  const fluentScale = (1 - h * hesitationMean) / ((1 - h) * (p.fluentMuFraction + p.fluentTauFraction));
  return {
    traits,
    params: p,
    ikiScale_ms: m,
    fluentShare: 1 - h,
    fluentMu_ms: fluentScale * p.fluentMuFraction * m,
    fluentSigma_ms: fluentScale * p.fluentSigmaFraction * m,
    fluentTau_ms: fluentScale * p.fluentTauFraction * m,
    hesitationLogMu: Math.log(p.hesitationMedianFactor * m),
    holdLogMu,
    holdLogSigma: traits.holdLogSigma,
    backspaceHoldLogMu: holdLogMu + Math.log(p.backspaceHoldFactor),
    correctedErrorPerChar,
    uncorrectedErrorPerChar,
    ikiMultiplier: ikiMultiplierTable(p),
  };
}

/** Mean of LogNormal(ln median, sigma). */
function lognormalMean(median: number, sigma: number): number {
  return median * Math.exp((sigma * sigma) / 2);
}

/**
 * The IKI scale m at which a typist spends wpmTimeConstant_ms / WPM per net
 * character: keysPerChar keystrokes, of which 2 per correction episode are not
 * ordinary intervals but the pause before the first Backspace and the first
 * key after the run (fixed population distributions, BEHAVIOUR.md). Without
 * this, fixed correction pauses would slow fast typists proportionally more
 * and squeeze the measured WPM distribution. Floored at a third of the
 * error-free value for the rare very fast, very error-prone typist whose
 * correction pauses alone would exceed the time budget.
 */
export function ikiScaleFor(wpm: number, keysPerChar: number, episodesPerChar: number, p: TypingModelParams): number {
  const timePerChar_ms = p.wpmTimeConstant_ms / wpm;
  const correctionPauses_ms =
    lognormalMean(p.pauseBeforeBackspaceMedian_ms, p.pauseBeforeBackspaceLogSigma) +
    lognormalMean(p.keyAfterCorrectionMedian_ms, p.keyAfterCorrectionLogSigma);
  const m = (timePerChar_ms - episodesPerChar * correctionPauses_ms) / (keysPerChar - 2 * episodesPerChar);
  return Math.max(m, timePerChar_ms / keysPerChar / 3);
}
