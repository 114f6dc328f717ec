import { generateMersenne53Randomizer } from '@faker-js/faker';
import { faker } from '@faker-js/faker/locale/en';
import { describe, expect, it } from 'vitest';
import { Mersenne53Randomizer, drawName } from '../../src/population/identity.js';
import { seedInt } from '../../src/random/index.js';

describe('the randomizer of employee names', () => {
  it('draws the numbers of faker’s default randomizer, across several state refills', () => {
    const seeds: (number | number[])[] = [
      0,
      1,
      5489,
      42,
      0x7fffffff,
      0x80000000,
      0xffffffff,
      2 ** 53 - 1,
      -1,
      1.5,
      [],
      [1],
      [0x123, 0x234, 0x345, 0x456],
    ];
    for (let i = 0; i < 50; i++) seeds.push(seedInt('randomizer', i));
    for (const seed of seeds) {
      const ours = new Mersenne53Randomizer();
      const theirs = generateMersenne53Randomizer();
      ours.seed(seed);
      theirs.seed(seed);
      // 1,000 doubles use 2,000 words: three refills of the 624-word state.
      const a = Array.from({ length: 1000 }, () => ours.next());
      const b = Array.from({ length: 1000 }, () => theirs.next());
      expect(a, `seed ${JSON.stringify(seed)}`).toEqual(b);
    }
  });

  it('restarts from the seed when seeded again mid-stream', () => {
    const r = new Mersenne53Randomizer();
    r.seed(7);
    const first = [r.next(), r.next()];
    for (let i = 0; i < 700; i++) r.next();
    r.seed(7);
    expect([r.next(), r.next()]).toEqual(first);
  });

  it('gives each employee the name the shared faker instance gave when seeded the same way (5,000 seeds)', () => {
    for (let i = 0; i < 5000; i++) {
      const seed = seedInt('names', i);
      // The reference: what createEmployee did before it had its own instance.
      faker.seed(seed);
      const first = faker.person.firstName();
      const last = faker.person.lastName();
      expect(drawName(seed)).toEqual({ first, last });
    }
  });
});
