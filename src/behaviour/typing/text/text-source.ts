import type { RoleName } from '../../../population/roles.js';
import { type RandomStream } from '../../../random/index.js';
import { ChunkBuilder, type TextChunk } from './chunk.js';
import { generateChunk, meanChunkLengths } from './context-lengths.js';
import { TYPING_CONTEXT_NAMES, type TypingContextName } from './contexts.js';
import { ROLE_TYPING_CONTEXT_WEIGHTS } from './role-mix.js';

/**
 * One employee-day's stream of text to type, chunk by chunk, with the field
 * or window each chunk goes to. The typing model reads the current chunk's key
 * codes and moves `position`; it asks for the next chunk when one is done.
 */
export interface TextSource {
  /** Count of planted synthetic secrets so far. */
  readonly canariesPlanted: number;
  /** The planted secret strings themselves, in the order typed (a leak scan searches the store for them). */
  readonly canaries: readonly string[];
  /** The chunk being typed (its arrays are reused: read, don't keep). */
  readonly chunk: TextChunk;
  /** Index in `chunk` of the next character to type. */
  position: number;
  /** Makes the next chunk of the stream current (position 0) and returns it. */
  nextChunk(): TextChunk;
}

export interface TextSourceParams {
  /** Relative share of typed characters per context; undefined: the role's ROLE_TYPING_CONTEXT_WEIGHTS. */
  readonly contextWeights?: Partial<Record<TypingContextName, number>>;
  /**
   * Probability that an ordinary chunk (document, chat, e-mail, form) carries a
   * planted secret outside any sensitive field, e.g. a card number or an e-mail
   * address pasted into chat (assumption; sweep it: it is what exercises the
   * agent's content filter rather than its context filter).
   */
  readonly ordinarySecretRate: number;
}

export const DEFAULT_TEXT_SOURCE_PARAMS: TextSourceParams = {
  ordinarySecretRate: 0.01,
};

class ChunkedTextSource implements TextSource {
  position = 0;
  private readonly builder = new ChunkBuilder();
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    private readonly rng: RandomStream,
    weights: Readonly<Partial<Record<TypingContextName, number>>>,
    private readonly secretRate: number,
  ) {
    // Weights are shares of characters: a chunk of a context is drawn in proportion to weight ÷ mean chunk length.
    const lengths = meanChunkLengths();
    this.cumulative = new Float64Array(TYPING_CONTEXT_NAMES.length);
    let acc = 0;
    TYPING_CONTEXT_NAMES.forEach((name, i) => {
      const w = weights[name] ?? 0;
      if (!(w >= 0)) throw new RangeError(`typing context weight for ${name} must be ≥ 0, got ${w}`);
      acc += w / lengths[i]!;
      this.cumulative[i] = acc;
    });
    if (!(acc > 0)) throw new RangeError('typing context weights must have a positive total');
    this.total = acc;
  }

  get chunk(): TextChunk {
    return this.builder;
  }

  get canaries(): readonly string[] {
    return this.builder.canaries;
  }

  get canariesPlanted(): number {
    return this.builder.canaries.length;
  }

  nextChunk(): TextChunk {
    const b = this.builder;
    const rng = this.rng;
    const u = rng.next() * this.total;
    let i = 0;
    while (i < this.cumulative.length - 1 && u >= this.cumulative[i]!) i++;
    generateChunk(TYPING_CONTEXT_NAMES[i]!, b, rng, this.secretRate);
    this.position = 0;
    return b;
  }
}

/** The text an employee with this role types over a day, drawn from `rng` (its own stream: text never perturbs timing). */
export function createTextSource(role: RoleName, rng: RandomStream, params: TextSourceParams = DEFAULT_TEXT_SOURCE_PARAMS): TextSource {
  const weights = params.contextWeights ?? ROLE_TYPING_CONTEXT_WEIGHTS[role];
  return new ChunkedTextSource(rng, weights, params.ordinarySecretRate);
}
