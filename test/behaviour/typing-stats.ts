/**
 * Statistics measured from generated key events only (never from trait or
 * model parameters), the way the published figures were measured. Shared by
 * the typing test files.
 */
import { EventFlag, EventType, KEY, KEY_NAMES, type EventBlock } from '../../src/events/index.js';
import { bigramClass, BigramClass } from '../../src/behaviour/typing/key-tables.js';

/** Dhakal et al. 2018 keep IKIs ≤ 5 s: a longer gap separates two sentences of the copy task. */
export const SENTENCE_GAP_MS = 5_000;
/** P-burst threshold (Chenoweth & Hayes 2001): a pause of 2 s or more ends a burst. */
export const P_BURST_GAP_MS = 2_000;

const LETTER_A = 0;
const LETTER_Z = 25;
function isLetter(code: number): boolean {
  return code >= LETTER_A && code <= LETTER_Z;
}
/** Keys that produce a character (everything but Shift, Backspace and other modifiers/navigation). */
function isCharKey(code: number): boolean {
  return code !== KEY.shift && code !== KEY.backspace && code !== KEY.control && code < KEY_NAMES.indexOf('Alt');
}

/** Counts in 1 ms bins, for medians of millions of values without sorting. */
export class MsHistogram {
  readonly bins: Float64Array;
  count = 0;
  sum = 0;
  constructor(readonly max_ms = 10_000) {
    this.bins = new Float64Array(max_ms + 1);
  }
  add(x: number): void {
    this.bins[Math.min(this.max_ms, Math.max(0, Math.floor(x)))]! += 1;
    this.count++;
    this.sum += x;
  }
  mean(): number {
    return this.sum / this.count;
  }
  quantile(q: number): number {
    const target = q * this.count;
    let acc = 0;
    for (let i = 0; i < this.bins.length; i++) {
      acc += this.bins[i]!;
      if (acc >= target) return i + 0.5;
    }
    return this.max_ms;
  }
}

/** Pooled distributions across typists. */
export interface Pooled {
  readonly iki: MsHistogram;
  readonly hold: MsHistogram;
  /** Within-word letter→letter IKIs by BigramClass, plus word-initial (space → letter). */
  readonly bigram: readonly MsHistogram[];
}

export function createPooled(): Pooled {
  return {
    iki: new MsHistogram(),
    hold: new MsHistogram(),
    bigram: Object.keys(BigramClass).map(() => new MsHistogram()),
  };
}

export interface TypistMeasures {
  /**
   * Dhakal-style WPM: per segment (a copied sentence), (net characters − 1) ÷ 5 per
   * minute from its first to its last keydown, averaged over the typist's segments.
   */
  readonly wpm: number;
  /** Σ (net characters − 1) ÷ Σ time over all segments (ratio of sums, for comparison). */
  readonly wpmPooled: number;
  /** Mean of within-segment IKIs. */
  readonly meanIki_ms: number;
  /** Median of within-segment IKIs. */
  readonly medianIki_ms: number;
  readonly meanHold_ms: number;
  /** Keystrokes (all keydowns, Shift and Backspace included) per net character. */
  readonly kspc: number;
  readonly backspaceShare: number;
  /** Share of within-segment keydown pairs (previous key not a modifier) where the previous key is still down. */
  readonly rolloverRate: number;
  readonly keydowns: number;
  readonly keyups: number;
}

/**
 * Measures one typist's events (one context, e.g. transcription-like prose).
 * Keydowns more than segmentGap_ms apart start a new segment (a sentence, or
 * a burst); WPM, IKIs, rollover and bigrams are taken within segments.
 * Also feeds the pooled histograms when given.
 */
export function measureTypist(b: EventBlock, segmentGap_ms: number, pooled?: Pooled): TypistMeasures {
  // Match each keydown to its keyup (a key is never down twice at once).
  const n = b.length;
  const downIndexOfKey = new Int32Array(KEY_NAMES.length).fill(-1);
  const downs: number[] = [];
  const upT = new Float64Array(n).fill(NaN);
  let keyups = 0;
  for (let i = 0; i < n; i++) {
    const code = b.key[i]!;
    if (b.type[i] === EventType.keydown) {
      downIndexOfKey[code] = downs.length;
      downs.push(i);
    } else if (b.type[i] === EventType.keyup) {
      keyups++;
      const d = downIndexOfKey[code]!;
      if (d >= 0) {
        upT[d] = b.t_ms[i]!;
        downIndexOfKey[code] = -1;
      }
    }
  }

  let holdSum = 0;
  let holdN = 0;
  let ikiSum = 0;
  let ikiN = 0;
  const ikis: number[] = [];
  let rollover = 0;
  let rolloverPairs = 0;
  let backspaces = 0;
  let netTotal = 0;
  let wpmChars = 0;
  let wpmTime_ms = 0;
  let wpmSum = 0;
  let wpmSegments = 0;
  let burstFirst = 0;
  let burstNet = 0;

  const closeBurst = (lastDown: number, first: number, net: number, keys: number): void => {
    const dur = b.t_ms[downs[lastDown]!]! - b.t_ms[downs[first]!]!;
    if (keys >= 5 && dur > 0) {
      wpmChars += net - 1;
      wpmTime_ms += dur;
      wpmSum += (net - 1) / 5 / (dur / 60_000);
      wpmSegments++;
    }
  };

  for (let k = 0; k < downs.length; k++) {
    const i = downs[k]!;
    const code = b.key[i]!;
    const t = b.t_ms[i]!;
    const hold = upT[k]! - t;
    if (Number.isFinite(hold)) {
      holdSum += hold;
      holdN++;
      pooled?.hold.add(hold);
    }
    if (code === KEY.backspace) backspaces++;
    const delta = code === KEY.backspace ? -1 : isCharKey(code) ? 1 : 0;
    netTotal += delta;

    if (k > 0) {
      const iPrev = downs[k - 1]!;
      const gap = t - b.t_ms[iPrev]!;
      if (gap > segmentGap_ms) {
        closeBurst(k - 1, burstFirst, burstNet, k - burstFirst);
        burstFirst = k;
        burstNet = 0;
      } else {
        ikiSum += gap;
        ikiN++;
        ikis.push(gap);
        pooled?.iki.add(gap);
        const prevCode = b.key[iPrev]!;
        if (prevCode !== KEY.shift) {
          rolloverPairs++;
          if (upT[k - 1]! > t) rollover++;
        }
        // Bigram classes on clean text: neither key part of an error or its correction.
        const clean = ((b.flags[i]! | b.flags[iPrev]!) & (EventFlag.typo | EventFlag.correction)) === 0;
        const afterCorrection = k >= 2 && b.key[downs[k - 2]!] === KEY.backspace;
        if (pooled !== undefined && clean && !afterCorrection && isLetter(code) && (isLetter(prevCode) || prevCode === KEY.space)) {
          pooled.bigram[bigramClass(prevCode, code)]!.add(gap);
        }
      }
    }
    burstNet += delta;
  }
  if (downs.length > 0) closeBurst(downs.length - 1, burstFirst, burstNet, downs.length - burstFirst);

  return {
    wpm: wpmSum / wpmSegments,
    wpmPooled: wpmChars / 5 / (wpmTime_ms / 60_000),
    meanIki_ms: ikiSum / ikiN,
    medianIki_ms: quantile(ikis, 0.5),
    meanHold_ms: holdSum / holdN,
    kspc: downs.length / netTotal,
    backspaceShare: backspaces / downs.length,
    rolloverRate: rollover / rolloverPairs,
    keydowns: downs.length,
    keyups,
  };
}

export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

export function sd(xs: ArrayLike<number>): number {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

export function quantile(xs: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(xs).sort();
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function ranks(xs: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const r = new Float64Array(xs.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]!] === xs[idx[i]!]) j++;
    for (let k = i; k <= j; k++) r[idx[k]!] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

/** Within-burst inter-key intervals, pooled and per input context. */
export interface BurstIkis {
  readonly pooled: MsHistogram;
  /** Indexed by the context code of the later keydown. */
  readonly byContext: MsHistogram[];
}

export function createBurstIkis(contexts: number): BurstIkis {
  return { pooled: new MsHistogram(), byContext: Array.from({ length: contexts }, () => new MsHistogram()) };
}

/**
 * Adds the intervals between consecutive keydowns of one employee's events
 * (every key: Shift, Backspace and Enter included, as a key logger sees them)
 * that are shorter than burstGap_ms, i.e. within a burst; mouse events between
 * two keydowns do not break the pair. At most maxPerTypist intervals are
 * taken, in time order, so that fast typists, who type more keys in the same
 * time, do not outweigh slow ones (Dhakal's participants each typed the same
 * 15 sentences). Returns how many were added.
 */
export function addBurstIkis(b: EventBlock, into: BurstIkis, burstGap_ms = P_BURST_GAP_MS, maxPerTypist = Infinity): number {
  let prevT = NaN;
  let added = 0;
  for (let i = 0; i < b.length && added < maxPerTypist; i++) {
    if (b.type[i] !== EventType.keydown) continue;
    const t = b.t_ms[i]!;
    const gap = t - prevT;
    prevT = t;
    if (!(gap < burstGap_ms)) continue;
    into.pooled.add(gap);
    into.byContext[b.context[i]!]!.add(gap);
    added++;
  }
  return added;
}

/** Share of the histogram's values above x_ms. */
export function shareAbove(h: MsHistogram, x_ms: number): number {
  let n = 0;
  for (let i = Math.floor(x_ms) + 1; i < h.bins.length; i++) n += h.bins[i]!;
  return n / h.count;
}
