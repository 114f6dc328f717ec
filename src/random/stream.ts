import seedrandom from 'seedrandom';

/**
 * A seeded source of uniform numbers in [0, 1).
 *
 * Every random draw in fleetsim comes from a stream derived from
 * (scenario seed, employee id, purpose), so a shard of the fleet computed on
 * any worker gives the same numbers as the whole fleet computed on one.
 */
export interface RandomStream {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  /** The derivation path, for error messages and debugging. */
  readonly key: string;
}

/** Unit separator: cannot appear in ordinary seeds or purposes, so paths never collide. */
const SEPARATOR = '\u001f';

export type StreamPathPart = string | number;

/** The stream for one purpose of one seed (alea: fast, 2^116 period, seeded by a string hash). */
export function createStream(seed: StreamPathPart, ...path: readonly StreamPathPart[]): RandomStream {
  const key = [String(seed), ...path.map(String)].join(SEPARATOR);
  const prng = seedrandom.alea(key);
  return { next: prng, key };
}

/** A child stream whose draws are independent of the parent's and of its siblings'. */
export function deriveStream(parent: RandomStream, ...path: readonly StreamPathPart[]): RandomStream {
  const key = [parent.key, ...path.map(String)].join(SEPARATOR);
  return { next: seedrandom.alea(key), key };
}

/** A 32-bit unsigned seed derived from a stream path, for libraries that take a number (faker). */
export function seedInt(seed: StreamPathPart, ...path: readonly StreamPathPart[]): number {
  const s = createStream(seed, ...path, 'int-seed');
  return Math.floor(s.next() * 0x1_0000_0000) >>> 0;
}
