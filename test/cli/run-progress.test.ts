import { describe, expect, it } from 'vitest';
import { interruptedRunState, runPosition } from '../../src/cli/progress.js';
import type { FleetRunProgress } from '../../src/run/index.js';

const at = (laptopsDone: number, laptopsTotal = 10): FleetRunProgress => ({ laptopsDone, laptopsTotal, events: 0 });
const step = (index: number) => ({
  index,
  count: 3,
  name: ['gz-1', 'br-5', 'zstd-3'][index]!,
  completed: ['gz-1', 'br-5'].slice(0, index),
});

describe('one progress display over a run', () => {
  it('without configurations: the laptops of the run, no prefix', () => {
    expect(runPosition(at(4), null)).toEqual({ done: 4, total: 10, prefix: '' });
  });

  it('over configurations: counts every configuration’s laptops and names the one under way', () => {
    expect(runPosition(at(0), step(0))).toEqual({ done: 0, total: 30, prefix: 'config 1/3 gz-1' });
    expect(runPosition(at(10), step(0))).toEqual({ done: 10, total: 30, prefix: 'config 1/3 gz-1' });
    // The second configuration starts where the first ended: the bar never goes back.
    expect(runPosition(at(0), step(1))).toEqual({ done: 10, total: 30, prefix: 'config 2/3 br-5' });
    expect(runPosition(at(7), step(2))).toEqual({ done: 27, total: 30, prefix: 'config 3/3 zstd-3' });
  });

  it('a paced configuration counts by the clock, within its own share of the bar', () => {
    const paced: FleetRunProgress = {
      ...at(0),
      paced: { virtualMs: 1_500, fromUtcMs: 1_000, untilUtcMs: 2_000, uploads: 3 },
    };
    expect(runPosition(paced, step(1))).toMatchObject({ done: 15, total: 30 });
  });
});

describe('interrupted.json of a run', () => {
  const standing = (
    laptops: number,
    last: FleetRunProgress | null,
    st: ReturnType<typeof step> | null,
    shard: { index: number; count: number } | null = null,
  ) => interruptedRunState({ scenario: 'q', laptops, shard, last, step: st, completed: st?.completed ?? [] });

  it('without configurations: the laptops done, as before', () => {
    expect(standing(200, at(12, 200), null)).toEqual({ scenario: 'q', laptops: 200, laptops_done: 12 });
  });

  it('over configurations: the run’s totals, the ones completed and the one cut short, with its laptops done', () => {
    expect(standing(10, at(7), step(2))).toEqual({
      scenario: 'q',
      laptops: 30,
      laptops_done: 27,
      configurations: {
        count: 3,
        laptops_each: 10,
        completed: ['gz-1', 'br-5'],
        cut_short: { name: 'zstd-3', laptops: 10, laptops_done: 7 },
      },
    });
  });

  it('before any progress of a configuration: it is cut short with none done', () => {
    expect(standing(10, null, step(1))).toMatchObject({
      laptops_done: 10,
      configurations: { completed: ['gz-1'], cut_short: { name: 'br-5', laptops_done: 0 } },
    });
  });

  it('once the last configuration is complete: none is cut short', () => {
    const last = { ...step(2), completed: ['gz-1', 'br-5', 'zstd-3'] };
    expect(interruptedRunState({ scenario: 'q', laptops: 10, shard: null, last: at(10), step: last, completed: last.completed })).toEqual({
      scenario: 'q',
      laptops: 30,
      laptops_done: 30,
      configurations: { count: 3, laptops_each: 10, completed: ['gz-1', 'br-5', 'zstd-3'] },
    });
  });
});
