import { describe, expect, it } from 'vitest';
import { drainDurationHint, undrainedNote } from '../../src/load/results.js';

// The --duration an outage-recovery run that ended with batches still spooled suggests (the run: drain-unfinished.test.ts).
describe('the --duration that would let the spools drain', () => {
  it('estimates the --duration from the last laptop due to retry, and from the pace of the drain so far', () => {
    // Recovery at 2 s; the last uploader retries 20 s after it: about 22 s, shown with a margin and rounded up.
    expect(drainDurationHint({ recoveryAtMs: 2000, lastFirstRetryMs: 20_000, sinceRecoveryMs: 2000, backlog: 100, left: 90 })).toBe(30);
    // Half drained in 60 s after the recovery, every uploader already retrying: the whole backlog takes 120 s, 150 s with the margin.
    expect(drainDurationHint({ recoveryAtMs: 10_000, lastFirstRetryMs: 0, sinceRecoveryMs: 60_000, backlog: 100, left: 50 })).toBe(160);
    // Nothing drained and no retry due later: no pace to go by.
    expect(drainDurationHint({ recoveryAtMs: 10_000, lastFirstRetryMs: 0, sinceRecoveryMs: 5000, backlog: 100, left: 100 })).toBeNull();
  });
});

describe('the note of a run that ended before the spools drained', () => {
  const note = (suggestedS: number) =>
    undrainedNote(
      { durationMs: 6000, graceMs: 1000 } as unknown as Parameters<typeof undrainedNote>[0],
      { wallMs: 7000, drain: { lastFirstRetryMs: suggestedS * 1000 } } as unknown as Parameters<typeof undrainedNote>[1],
      { recovery_at_s: 2, left: 13, backlog_batches: 14, suggested_duration_s: suggestedS } as unknown as Parameters<
        typeof undrainedNote
      >[2],
    );

  it('suggests a --duration a run may take, and says what to change when a full drain cannot fit in one', () => {
    expect(note(300)).toMatch(/rerun with --duration 300s or more$/);
    // 9.6 hours of backoff: no --duration up to the 6-hour limit drains it.
    expect(note(34_620)).toMatch(/about 34620 s, more than a run may last \(--duration at most 6 h\): shorten the outage \(--outage\)/);
    expect(note(34_620)).not.toMatch(/rerun with --duration/);
  });
});
