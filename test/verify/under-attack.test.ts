import { describe, expect, it } from 'vitest';
import { ATTACK_CLASSES, runUnderAttackSuite } from '../../src/verify/under-attack.js';

describe('honest laptops under attack (npm run verify)', () => {
  it('keeps >= 99 % of honest uploads 2xx through every attack class, each answered as it must be', async () => {
    const r = await runUnderAttackSuite({ seed: 'test', msPerClass: 800 });
    expect(r.rows.map((x) => x.attack)).toEqual([...ATTACK_CLASSES]);
    for (const row of r.rows) {
      expect(row.cases, row.attack).toBeGreaterThan(0);
      expect(row.honestSent, row.attack).toBeGreaterThan(0);
      expect({ attack: row.attack, share: row.honestOk / row.honestSent }).toEqual({ attack: row.attack, share: 1 });
    }
    expect(r.honestSuccessRate).toBeGreaterThanOrEqual(0.99);
    for (const row of r.rows) expect(row.asExpected, row.attack).toBe(row.cases);
  }, 60_000);
});
