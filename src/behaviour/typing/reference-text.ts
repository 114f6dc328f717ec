import { KEY } from '../../events/index.js';
import { createStream } from '../../random/index.js';
import { BIGRAM_CLASS, BigramClass, ERROR_ELIGIBLE, KEY_COUNT } from './key-tables.js';
import { CHAR_SHIFT } from './text/chunk.js';
import { createTextSource } from './text/text-source.js';

/**
 * Statistics of English prose as this package generates it, computed once from
 * a fixed-seed sample. The model needs them to keep its promises on average:
 * the context multipliers are renormalised so that their mean over typed prose
 * is 1 (BEHAVIOUR.md: "renormalise to keep m"), and the per-character error
 * rate is set so that Backspace makes up the typist's correction share of all
 * keystrokes, Shift presses included.
 */
export interface ReferenceTextStats {
  /** Share of typed transitions (IKIs) in each BigramClass, Shift presses included. */
  readonly bigramClassShare: Float64Array;
  /** Shift keydowns per character. */
  readonly shiftPerChar: number;
  /** Share of characters on which the model may make an error (not separators). */
  readonly errorEligibleShare: number;
}

const SAMPLE_CHARS = 60_000;

function measure(): ReferenceTextStats {
  const text = createTextSource('legal', createStream('fleetsim', 'typing', 'reference-prose'), {
    contextWeights: { text: 1 },
    ordinarySecretRate: 0,
  });
  const classCount = new Float64Array(Object.keys(BigramClass).length);
  let chars = 0;
  let shifts = 0;
  let eligible = 0;
  while (chars < SAMPLE_CHARS) {
    const chunk = text.nextChunk();
    let prev = -1;
    let shiftHeld = false;
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.code[i]!;
      const shifted = (chunk.charFlags[i]! & CHAR_SHIFT) !== 0;
      if (shifted && !shiftHeld) {
        if (prev >= 0) classCount[BIGRAM_CLASS[prev * KEY_COUNT + KEY.shift]!]! += 1;
        prev = KEY.shift;
        shifts++;
      }
      shiftHeld = shifted;
      if (prev >= 0) classCount[BIGRAM_CLASS[prev * KEY_COUNT + code]!]! += 1;
      prev = code;
      chars++;
      eligible += ERROR_ELIGIBLE[code]!;
    }
  }
  let total = 0;
  for (const c of classCount) total += c;
  return {
    bigramClassShare: classCount.map((c) => c / total),
    shiftPerChar: shifts / chars,
    errorEligibleShare: eligible / chars,
  };
}

let cached: ReferenceTextStats | undefined;

export function referenceTextStats(): ReferenceTextStats {
  cached ??= measure();
  return cached;
}
