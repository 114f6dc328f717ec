/**
 * The typing model: who types (Typist), what they type and where (TextSource),
 * and how it comes out as key events (typeEpisode). Constants and their
 * sources are in params.ts; the published statistics it reproduces are checked
 * in test/behaviour/typing.test.ts.
 */
export { DEFAULT_TYPING_MODEL_PARAMS, transcriptionTypingParams, type TypingModelParams } from './params.js';
export { createTypist, type Typist } from './typist.js';
export { typeEpisode } from './episode.js';
export { createTextSource, DEFAULT_TEXT_SOURCE_PARAMS, type TextSource, type TextSourceParams } from './text/text-source.js';
export type { TextChunk } from './text/chunk.js';
export { TYPING_CONTEXT_NAMES, type TypingContextName } from './text/contexts.js';
export { ROLE_TYPING_CONTEXT_WEIGHTS, type TypingContextWeights } from './text/role-mix.js';
