import { EventFlag, KEY } from '../../events/index.js';
import { clamp, geometric, lognormal, standardNormal, type RandomStream } from '../../random/index.js';
import type { EpisodeWindow } from '../episode.js';
import { KeyEmitter } from './key-emitter.js';
import { ERROR_ELIGIBLE, isWordBreakKey, KEY_COUNT, NEIGHBOUR_START, NEIGHBOURS } from './key-tables.js';
import { CHAR_CANARY, CHAR_SENTENCE_END, CHAR_SHIFT } from './text/chunk.js';
import type { TextSource } from './text/text-source.js';
import type { Typist } from './typist.js';

/**
 * Types the text source's characters as bursts separated by pauses, with
 * errors and Backspace corrections, from window start until the next keydown
 * would fall at or after window end. Returns the t_ms of the last event
 * written (w.startMs if none): the keyups of the last keys, and the Backspace
 * run of an error already made, may run past endMs.
 */
export function typeEpisode(w: EpisodeWindow, typist: Typist, text: TextSource): number {
  return TYPER.run(w, typist, text);
}

/** overrideIki_ms when the next interval is drawn from the model (real overrides are ≥ 0). */
const NO_OVERRIDE = -1;

/**
 * The per-key loop, as one reusable object so its state lives in fields
 * rather than closures or per-key objects. Workers are single-threaded and an
 * episode never calls another, so one instance per module is enough.
 */
class EpisodeTyper {
  private readonly emitter = new KeyEmitter();
  private rng!: RandomStream;
  private typist!: Typist;
  private endMs = 0;
  /** Time of the last keydown written. */
  private t_ms = 0;
  /** Key code of the last keydown (-1 at the start of a burst: its first key has no IKI). */
  private prev = -1;
  /** Per-burst speed factor. */
  private speed = 1;
  /** Keystrokes in the current burst. */
  private typed = 0;
  /** When ≥ 0, the interval before the next keydown (set by the correction sequence). */
  private overrideIki_ms = NO_OVERRIDE;
  /** Chunk position at which no error is drawn (the character just mistyped and now retyped). */
  private noErrorAt = -1;
  private code: Int16Array = new Int16Array(0);
  private charFlags: Uint8Array = new Uint8Array(0);
  private length = 0;

  run(w: EpisodeWindow, typist: Typist, text: TextSource): number {
    if (!(w.endMs > w.startMs)) return w.startMs;
    const em = this.emitter;
    const p = typist.params;
    const rng = w.rng;
    this.rng = rng;
    this.typist = typist;
    this.endMs = w.endMs;
    em.reset(w.out, w.startMs);
    let burstStart_ms = w.startMs;

    for (;;) {
      if (text.position >= text.chunk.length) text.nextChunk();
      const chunk = text.chunk;
      this.code = chunk.code;
      this.charFlags = chunk.charFlags;
      this.length = chunk.length;
      em.setContext(chunk.context);
      const target = clamp(Math.round(lognormal(rng, Math.log(p.burstLengthMedian_keys), p.burstLengthLogSigma)), 1, p.burstLengthMax_keys);
      this.speed = lognormal(rng, 0, p.burstSpeedLogSigma);
      this.t_ms = burstStart_ms;
      this.prev = -1;
      this.typed = 0;
      this.overrideIki_ms = NO_OVERRIDE;
      this.noErrorAt = -1;

      let stopped = false;
      let sentenceEnd = false;
      for (;;) {
        if (!this.typeNext(text)) {
          stopped = true;
          break;
        }
        if (text.position >= this.length) {
          sentenceEnd = true;
          break;
        }
        const last = text.position - 1;
        if (last < 0) continue;
        const lastFlags = this.charFlags[last]!;
        if ((lastFlags & CHAR_SENTENCE_END) !== 0 && (this.typed >= target || rng.next() < p.sentenceEndBreakProbability)) {
          sentenceEnd = true;
          break;
        }
        if (this.typed >= target && (isWordBreakKey(this.code[last]!) || this.typed >= p.burstLengthMax_keys)) break;
      }

      const lastKeydown_ms = this.t_ms;
      em.flushAll();
      if (stopped) break;
      burstStart_ms = lastKeydown_ms + this.interBurstPause_ms(sentenceEnd);
      if (burstStart_ms >= w.endMs) break;
    }
    return em.written > 0 ? em.lastT_ms : w.startMs;
  }

  /** Inter-burst pause: LogNormal(ln 3.5 s, 0.9) truncated to ≥ 2 s, ×U(2, 3) at sentence ends, capped. */
  private interBurstPause_ms(sentenceEnd: boolean): number {
    const p = this.typist.params;
    const mu = Math.log(p.interBurstPauseMedian_ms);
    let pause: number;
    do pause = lognormal(this.rng, mu, p.interBurstPauseLogSigma);
    while (pause < p.interBurstPauseMin_ms);
    if (sentenceEnd) {
      pause *= p.sentenceEndPauseFactorMin + (p.sentenceEndPauseFactorMax - p.sentenceEndPauseFactorMin) * this.rng.next();
    }
    return Math.min(pause, p.interBurstPauseMax_ms);
  }

  /** Types the character at the text position (or an error episode starting there); false if it would start at/after endMs. */
  private typeNext(text: TextSource): boolean {
    const i = text.position;
    const code = this.code[i]!;
    const tp = this.typist;
    if (ERROR_ELIGIBLE[code] === 1 && i !== this.noErrorAt) {
      const u = this.rng.next();
      if (u < tp.correctedErrorPerChar + tp.uncorrectedErrorPerChar) return this.errorEpisode(text, u < tp.correctedErrorPerChar);
    }
    const cf = this.charFlags[i]!;
    if (!this.strike(code, (cf & CHAR_SHIFT) !== 0, cf & CHAR_CANARY, true)) return false;
    text.position = i + 1;
    return true;
  }

  /**
   * An error at position i: substitution (a neighbouring key), omission (the
   * next character typed early) or insertion (an extra key). Corrected: the
   * typist goes on for 0–3 keys, pauses, backspaces over all of it and
   * retypes from i. Uncorrected: the error stays in the text. Secrets are
   * always corrected (a form rejects a wrong card number or password).
   */
  private errorEpisode(text: TextSource, correctedDraw: boolean): boolean {
    const p = this.typist.params;
    const rng = this.rng;
    const i = text.position;
    const code = this.code[i]!;
    const cf = this.charFlags[i]!;
    const canary = cf & CHAR_CANARY;
    const corrected = correctedDraw || canary !== 0;

    // One uniform picks the kind: [0, omissionFrom) substitution, [omissionFrom, insertionFrom) omission, rest insertion.
    let kind = rng.next() * (p.substitutionWeight + p.omissionWeight + p.insertionWeight);
    const omissionFrom = p.substitutionWeight;
    const insertionFrom = p.substitutionWeight + p.omissionWeight;
    const canOmit = i + 1 < this.length && this.sameRun(i + 1, canary);
    if (kind >= omissionFrom && kind < insertionFrom && !canOmit) kind = 0;

    let typoCode: number;
    let typoShift: boolean;
    let contStart: number;
    if (kind < omissionFrom) {
      typoCode = this.neighbour(code);
      typoShift = (cf & CHAR_SHIFT) !== 0;
      contStart = i + 1;
    } else if (kind < insertionFrom) {
      typoCode = this.code[i + 1]!;
      typoShift = (this.charFlags[i + 1]! & CHAR_SHIFT) !== 0;
      contStart = i + 2;
    } else {
      typoCode = rng.next() < p.insertionRepeatShare ? code : this.neighbour(code);
      typoShift = (cf & CHAR_SHIFT) !== 0;
      contStart = i;
    }

    if (!corrected) {
      if (kind >= omissionFrom && kind < insertionFrom) {
        text.position = i + 1; // the character is simply left out
        return true;
      }
      if (!this.strike(typoCode, typoShift, EventFlag.typo, true)) return false;
      if (kind < omissionFrom) text.position = i + 1;
      else this.noErrorAt = i; // insertion: the intended character follows
      return true;
    }

    // Detection after 0–3 more keys of the intended text (never past a field end or out of a secret).
    let delay = Math.min(geometric(rng, p.detectionDelayGeometricP), p.detectionDelayMax_keys);
    let available = 0;
    while (available < delay && contStart + available < this.length && this.sameRun(contStart + available, canary)) available++;
    delay = available;

    if (!this.strike(typoCode, typoShift, canary | EventFlag.typo, true)) return false;
    for (let k = 0; k < delay; k++) {
      const j = contStart + k;
      const f = this.charFlags[j]!;
      this.strike(this.code[j]!, (f & CHAR_SHIFT) !== 0, f & CHAR_CANARY, false);
    }
    this.overrideIki_ms = lognormal(rng, Math.log(p.pauseBeforeBackspaceMedian_ms), p.pauseBeforeBackspaceLogSigma);
    for (let k = 0; k <= delay; k++) this.strike(KEY.backspace, false, canary | EventFlag.correction, false);
    this.overrideIki_ms = lognormal(rng, Math.log(p.keyAfterCorrectionMedian_ms), p.keyAfterCorrectionLogSigma);
    text.position = i;
    this.noErrorAt = i;
    return true;
  }

  /** True if character j may be part of an error run started on a character with this canary bit. */
  private sameRun(j: number, canary: number): boolean {
    const k = this.code[j]!;
    return (this.charFlags[j]! & CHAR_CANARY) === canary && k !== KEY.enter && k !== KEY.tab;
  }

  private neighbour(code: number): number {
    const start = NEIGHBOUR_START[code]!;
    const n = NEIGHBOUR_START[code + 1]! - start;
    return n > 0 ? NEIGHBOURS[start + Math.floor(this.rng.next() * n)]! : code;
  }

  /**
   * Presses one character's key, wrapped in Shift when needed (Shift goes down
   * first and is still down when the key goes down; consecutive shifted
   * characters keep it held; an unshifted key releases it first). With checkEnd, returns false without writing anything if the first
   * keydown would fall at or after the window end.
   */
  private strike(code: number, shifted: boolean, flags: number, checkEnd: boolean): boolean {
    const em = this.emitter;
    const p = this.typist.params;
    const shiftIdx = em.pendingIndex(KEY.shift);
    if (shifted && shiftIdx < 0) {
      const tShift = this.t_ms + this.nextIki_ms(KEY.shift);
      if (checkEnd && tShift >= this.endMs) return false;
      const shiftHold = clamp(lognormal(this.rng, Math.log(p.modifierHoldMedian_ms), p.modifierHoldLogSigma), p.holdMin_ms, p.holdMax_ms);
      em.keydown(KEY.shift, tShift, shiftHold, flags);
      this.t_ms = tShift;
      this.prev = KEY.shift;
      this.typed++;
      checkEnd = false;
    }
    const tDown = this.t_ms + this.nextIki_ms(code);
    if (checkEnd && tDown >= this.endMs) return false;
    if (!shifted && shiftIdx >= 0) em.releaseBefore(shiftIdx, tDown);
    const same = em.pendingIndex(code);
    if (same >= 0) em.releaseBefore(same, tDown);
    const hold = this.hold_ms(code);
    if (shifted) {
      // Shift keeps its own hold draw unless that would release it before the key goes down.
      // Done before the keydown, which writes every keyup due by tDown.
      em.extendRelease(em.pendingIndex(KEY.shift), tDown + this.rng.next() * p.modifierReleaseAfterKeyMax_ms);
    }
    em.keydown(code, tDown, hold, flags);
    this.t_ms = tDown;
    this.prev = code;
    this.typed++;
    return true;
  }

  /** The interval before the next keydown: the two-component mixture × burst speed × bigram context. */
  private nextIki_ms(code: number): number {
    if (this.overrideIki_ms !== NO_OVERRIDE) {
      const t = this.overrideIki_ms;
      this.overrideIki_ms = NO_OVERRIDE;
      return t;
    }
    if (this.prev < 0) return 0;
    const tp = this.typist;
    const p = tp.params;
    const rng = this.rng;
    let iki: number;
    if (rng.next() < tp.fluentShare) {
      iki = tp.fluentMu_ms + tp.fluentSigma_ms * standardNormal(rng) - tp.fluentTau_ms * Math.log(1 - rng.next());
    } else {
      iki = Math.exp(tp.hesitationLogMu + p.hesitationLogSigma * standardNormal(rng));
    }
    iki *= this.speed * tp.ikiMultiplier[this.prev * KEY_COUNT + code]!;
    return iki < p.ikiMin_ms ? p.ikiMin_ms : iki > p.ikiMax_ms ? p.ikiMax_ms : iki;
  }

  private hold_ms(code: number): number {
    const tp = this.typist;
    const mu = code === KEY.backspace ? tp.backspaceHoldLogMu : tp.holdLogMu;
    const h = Math.exp(mu + tp.holdLogSigma * standardNormal(this.rng));
    const p = tp.params;
    return h < p.holdMin_ms ? p.holdMin_ms : h > p.holdMax_ms ? p.holdMax_ms : h;
  }
}

const TYPER = new EpisodeTyper();
