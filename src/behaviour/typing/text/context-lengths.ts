import { createStream } from '../../../random/index.js';
import { ChunkBuilder } from './chunk.js';
import {
  chatChunk,
  codeChunk,
  emailChunk,
  formChunk,
  nationalIdChunk,
  passwordChunk,
  paymentChunk,
  privateWindowChunk,
  textChunk,
  TYPING_CONTEXT_NAMES,
  type TypingContextName,
} from './contexts.js';

/** Appends one chunk of the named context (the secret rate applies to ordinary contexts only). */
export function generateChunk(name: TypingContextName, b: ChunkBuilder, rng: Parameters<typeof textChunk>[1], secretRate: number): void {
  switch (name) {
    case 'text':
      return textChunk(b, rng, secretRate);
    case 'chat':
      return chatChunk(b, rng, secretRate);
    case 'code':
      return codeChunk(b, rng);
    case 'form':
      return formChunk(b, rng, secretRate);
    case 'email':
      return emailChunk(b, rng, secretRate);
    case 'password':
      return passwordChunk(b, rng);
    case 'payment':
      return paymentChunk(b, rng);
    case 'national_id':
      return nationalIdChunk(b, rng);
    case 'private_window':
      return privateWindowChunk(b, rng);
  }
}

const SAMPLE_CHUNKS = 400;

let cached: Float64Array | undefined;

/**
 * Mean characters per chunk for each context (TYPING_CONTEXT_NAMES order),
 * from a fixed-seed sample computed once: turns role weights, which are
 * shares of typed characters, into chunk probabilities.
 */
export function meanChunkLengths(): Float64Array {
  if (cached !== undefined) return cached;
  const b = new ChunkBuilder();
  const rng = createStream('fleetsim', 'typing', 'chunk-lengths');
  cached = Float64Array.from(TYPING_CONTEXT_NAMES, (name) => {
    let chars = 0;
    for (let i = 0; i < SAMPLE_CHUNKS; i++) {
      generateChunk(name, b, rng, 0);
      chars += b.length;
    }
    return chars / SAMPLE_CHUNKS;
  });
  return cached;
}
