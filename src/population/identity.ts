// The English-only entry: the package's main entry loads every locale (~17 MB of heap and ~0.4 s of start-up in each process and worker).
import { faker } from '@faker-js/faker/locale/en';
import type { Faker, Randomizer } from '@faker-js/faker';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * MT19937 giving 53-bit doubles: the numbers of faker's default randomizer (generateMersenne53Randomizer,
 * Matsumoto & Nishimura 1998, genrand_res53), with the state in a typed array. faker keeps its state in a
 * 624-element Array, rebuilt and twisted whole on every seed (about 20 µs a seed); this one refills words as
 * they are used, and employees are built at one seed each. test/population/identity.test.ts checks it against
 * faker's own.
 */
export class Mersenne53Randomizer implements Randomizer {
  private readonly mt = new Uint32Array(N);
  /** The next word to temper. Words before it have been refilled in this round of the state, the others not yet. */
  private index = N;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  readonly seed = (seed: number | readonly number[]): void => {
    if (typeof seed === 'number') this.initGenrand(seed);
    else this.initByArray(seed);
    this.index = N;
  };

  /** A property, not a method: faker's distributors call it detached (`({ next }) => next()`). */
  readonly next = (): number => {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  };

  private nextU32(): number {
    if (this.index >= N) this.index = 0;
    let y = this.refill(this.index++);
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private initGenrand(seed: number): void {
    const mt = this.mt;
    mt[0] = seed;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]!;
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1664525)) + key[j]! + j;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]!;
      mt[i] = (mt[i]! ^ Math.imul(prev ^ (prev >>> 30), 1566083941)) - i;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /**
   * Refills word i of the state and returns it. The twist refills the words in order, each from itself, the
   * next word and the word 397 on (refilled already when the index wraps): doing it one word at a time, when
   * the word is needed, gives the same words. An employee's name takes about 8 of the 624.
   */
  private refill(i: number): number {
    const mt = this.mt;
    const y = (mt[i]! & UPPER_MASK) | (mt[i + 1 === N ? 0 : i + 1]! & LOWER_MASK);
    const word = mt[i + M < N ? i + M : i + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    mt[i] = word;
    return word;
  }
}

/**
 * The generator of names: faker's English definitions on a Mersenne53Randomizer. Its own instance, so that
 * seeding it never touches the shared `faker` other modules read word lists from. The class is taken from
 * that instance because the package exports it only from its main entry (every locale).
 */
const FakerClass = faker.constructor as typeof Faker;
const identityFaker: Faker = new FakerClass({ locale: faker.definitions, randomizer: new Mersenne53Randomizer() });

/** First and last name drawn at `seed`: what the shared `faker` gives after `faker.seed(seed)`. */
export function drawName(seed: number): { readonly first: string; readonly last: string } {
  identityFaker.seed(seed);
  const first = identityFaker.person.firstName();
  const last = identityFaker.person.lastName();
  return { first, last };
}
