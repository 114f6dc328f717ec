import { describe, expect, it } from 'vitest';
import { parseChildren, parseSchedstat, parseSmapsRollupPss, parseStat, parseStatus } from '../../src/observe/proc-parse.js';

// A real line from Linux 6.18 (a node process), with its comm replaced below.
const STAT_TAIL =
  'S 15359 15359 2893 0 -1 4194304 2214 0 0 0 10 3 7 2 20 0 7 0 159132 745713664 10081 18446744073709551615 11988992 39846385 140724213975312 0 0 0 0 16781312 17922 0 0 0 17 0 0 0 0 0 0 90418888 90555584 501047296 140724213983724 140724213983792 140724213983792 140724213985258 0';

describe('parseStat', () => {
  it('reads the fields after a plain comm', () => {
    const s = parseStat(`15361 (node) ${STAT_TAIL}\n`)!;
    expect(s).toEqual({
      pid: 15361,
      comm: 'node',
      state: 'S',
      ppid: 15359,
      minflt: 2214,
      cminflt: 0,
      majflt: 0,
      cmajflt: 0,
      utime_ticks: 10,
      stime_ticks: 3,
      cutime_ticks: 7,
      cstime_ticks: 2,
      num_threads: 7,
      starttime_ticks: 159132,
    });
  });

  it('finds the fields from the last parenthesis when comm holds spaces and parentheses', () => {
    const s = parseStat(`42 ((a) b)) ${STAT_TAIL}`)!;
    expect(s.comm).toBe('(a) b)');
    expect(s.pid).toBe(42);
    expect(s.ppid).toBe(15359);
    expect(s.utime_ticks).toBe(10);
    expect(s.num_threads).toBe(7);
    const t = parseStat(`43 (a) b) ${STAT_TAIL}`)!;
    expect(t.comm).toBe('a) b');
    expect(t.starttime_ticks).toBe(159132);
  });

  it('reads the page-fault counters in their order: minflt, cminflt, majflt, cmajflt', () => {
    const s = parseStat(`15361 (node) ${STAT_TAIL.replace(' 2214 0 0 0 ', ' 2214 5 3 1 ')}`)!;
    expect([s.minflt, s.cminflt, s.majflt, s.cmajflt]).toEqual([2214, 5, 3, 1]);
    expect(s.utime_ticks).toBe(10);
  });

  it('returns null for text that is not a stat line', () => {
    expect(parseStat('')).toBeNull();
    expect(parseStat('12 node S 1 2')).toBeNull();
    expect(parseStat('12 (node) S 1 2 3')).toBeNull();
    expect(parseStat(`12 (node) ${STAT_TAIL.replace(' 10 3 ', ' x 3 ')}`)).toBeNull();
  });
});

describe('parseStatus', () => {
  const status = [
    'Name:\tnode',
    'State:\tS (sleeping)',
    'VmHWM:\t   49152 kB',
    'VmRSS:\t   40000 kB',
    'Threads:\t7',
    'voluntary_ctxt_switches:\t119',
    'nonvoluntary_ctxt_switches:\t32',
    '',
  ].join('\n');
  it('reads switches, peak RSS in bytes and threads', () => {
    expect(parseStatus(status)).toEqual({
      voluntary_switches: 119,
      involuntary_switches: 32,
      vm_hwm_bytes: 49152 * 1024,
      vm_rss_bytes: 40000 * 1024,
      threads: 7,
    });
  });
  it('gives null memory for a zombie, which has no VmHWM line', () => {
    const zombie = ['Name:\tsh', 'State:\tZ (zombie)', 'Threads:\t1', 'voluntary_ctxt_switches:\t3', 'nonvoluntary_ctxt_switches:\t0'].join(
      '\n',
    );
    expect(parseStatus(zombie).vm_hwm_bytes).toBeNull();
    expect(parseStatus(zombie).voluntary_switches).toBe(3);
  });
});

describe('parseSchedstat, parseSmapsRollupPss, parseChildren', () => {
  it('reads run time in ns, and "0 0 0" (no CONFIG_SCHED_INFO) as unknown', () => {
    expect(parseSchedstat('105935603 339348043 159\n')).toEqual({ run_ns: 105935603, timeslices: 159 });
    expect(parseSchedstat('0 0 0\n')).toBeNull();
    expect(parseSchedstat('garbage')).toBeNull();
  });
  it('reads Pss from smaps_rollup, not Pss_Dirty or Pss_Anon', () => {
    const rollup = [
      '559a45fe6000-7ffe571ee000 ---p 00000000 00:00 0                          [rollup]',
      'Rss:                1740 kB',
      'Pss:                 223 kB',
      'Pss_Dirty:           112 kB',
      'Pss_Anon:            112 kB',
    ].join('\n');
    expect(parseSmapsRollupPss(rollup)).toBe(223 * 1024);
    expect(parseSmapsRollupPss('')).toBeNull();
  });
  it('reads a children list, empty included', () => {
    expect(parseChildren('14509 14510 \n')).toEqual([14509, 14510]);
    expect(parseChildren('')).toEqual([]);
  });
});
