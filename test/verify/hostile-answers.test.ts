import { describe, expect, it } from 'vitest';
import { HOSTILE_ANSWER_CLASSES, runHostileAnswers } from '../../src/verify/hostile-answers.js';

describe('hostile answers to the agent uploader and enrollment', () => {
  it('ends every exchange within twice the timeout, never counts one as accepted, and names the target in enrollment errors', async () => {
    const r = await runHostileAnswers({ cases: 90, seed: 'hostile-answers-test', timeoutMs: 500 });
    expect(r.surprises).toEqual([]);
    // Every class meets both clients (the uploader skips only garbage-200, whose body it never reads).
    expect(new Set(r.rows.map((x) => x.answer))).toEqual(new Set(HOSTILE_ANSWER_CLASSES));
    expect(r.rows.filter((x) => x.client === 'enrollment')).toHaveLength(HOSTILE_ANSWER_CLASSES.length);
    for (const row of r.rows) {
      expect(row.tried).toBeGreaterThan(0);
      expect(row.asExpected, `${row.client} / ${row.answer}`).toBe(row.tried);
    }
    // A target offering a GiB gets no further than socket buffers and the 64 KiB answer bound.
    expect(r.maxBytesServedPerExchange).toBeLessThan(64 << 20);
  }, 60_000);
});
