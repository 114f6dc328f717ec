import { describe, expect, it } from 'vitest';
import { ADVERSARIAL_CLASSES, runAdversarialSuite } from '../../src/verify/adversarial.js';

describe('hostile requests against a live ingest service', () => {
  it('answers every class with the expected refusal and a JSON code, never crashes, stays healthy and bounded (20 cases a class)', async () => {
    const r = await runAdversarialSuite({ cases: 20 * ADVERSARIAL_CLASSES.length, seed: 'adversarial-test' });
    expect(r.surprises).toEqual([]);
    expect(r.crashes).toBe(0);
    expect(r.stillHealthy).toBe(true);
    for (const c of ADVERSARIAL_CLASSES) expect(r.byClass[c].asExpected).toBe(r.byClass[c].tried);
    // Two 1 GiB bombs a class, 20 times: memory growth stays far below one bomb.
    expect(r.rssGrowthMiB).toBeLessThan(256);
  }, 120_000);
});
