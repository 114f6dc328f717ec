/**
 * The typing model's event stream: the EpisodeWindow contract, determinism,
 * chords, burst composition with the day's default parameters, what each role
 * types, and the planted secrets (canaries).
 */
import { describe, expect, it } from 'vitest';
import {
  createTextSource,
  createTypist,
  DEFAULT_TYPING_MODEL_PARAMS,
  ROLE_TYPING_CONTEXT_WEIGHTS,
  typeEpisode,
  type TextSource,
  type Typist,
} from '../../src/behaviour/typing/index.js';
import { keyChar } from '../../src/behaviour/typing/text/chunk.js';
import { luhnValid, ssnValid } from '../../src/behaviour/typing/text/secrets.js';
import {
  collectingWriter,
  EventFlag,
  EventType,
  INPUT_CONTEXT_NAMES,
  InputContext,
  isSensitiveContext,
  KEY,
  KEY_NAMES,
  type EventBlock,
} from '../../src/events/index.js';
import { ROLE_NAMES, type RoleName } from '../../src/population/roles.js';
import { drawTypingTraits } from '../../src/population/typing-traits.js';
import { createStream, type RandomStream } from '../../src/random/index.js';
import { mean, P_BURST_GAP_MS, quantile } from './typing-stats.js';

const SEED = 'typing-events';

function typist(i: number): Typist {
  return createTypist(drawTypingTraits(createStream(SEED, 'traits', i)));
}

interface Day {
  readonly events: EventBlock;
  readonly text: TextSource;
  /** [startMs, endMs, returned] per episode. */
  readonly windows: Array<readonly [number, number, number]>;
}

/**
 * A day-like sequence of typing episodes with idle gaps between them (as the
 * day composer calls the model), all written to one writer.
 */
function typeDay(i: number, role: RoleName, episodes: number, ordinarySecretRate = 0.01): Day {
  const { writer, collect } = collectingWriter();
  const rng = createStream(SEED, 'typing', role, i);
  const shape = createStream(SEED, 'windows', role, i);
  const text = createTextSource(role, createStream(SEED, 'text', role, i), { ordinarySecretRate });
  const t = typist(i);
  const windows: Array<readonly [number, number, number]> = [];
  let start = 0;
  for (let e = 0; e < episodes; e++) {
    const end = start + 5_000 + 90_000 * shape.next();
    const returned = typeEpisode({ out: writer, rng, startMs: start, endMs: end }, t, text);
    windows.push([start, end, returned]);
    start = Math.max(end, returned) + 400 + 20_000 * shape.next();
  }
  return { events: collect(), text, windows };
}

/** Key code of the keydown before event i (-1 if none). */
function keydownBefore(b: EventBlock, i: number): number {
  for (let j = i - 1; j >= 0; j--) if (b.type[j] === EventType.keydown) return b.key[j]!;
  return -1;
}

function keydownIndices(b: EventBlock): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) if (b.type[i] === EventType.keydown) out.push(i);
  return out;
}

describe('the EpisodeWindow contract', () => {
  const days = [0, 1, 2, 3].map((i) => typeDay(i, ROLE_NAMES[i % ROLE_NAMES.length]!, 40));

  it('writes events in non-decreasing t_ms order, only key events', () => {
    for (const { events: b } of days) {
      expect(b.length).toBeGreaterThan(1_000);
      for (let i = 1; i < b.length; i++) expect(b.t_ms[i]! >= b.t_ms[i - 1]!).toBe(true);
      for (let i = 0; i < b.length; i++) expect(b.type[i] === EventType.keydown || b.type[i] === EventType.keyup).toBe(true);
    }
  });

  it('balances every keydown with a keyup of the same key, within each episode, never two downs of one key at once', () => {
    for (const { events: b, windows } of days) {
      let w = 0;
      const down = new Int8Array(KEY_NAMES.length);
      for (let i = 0; i < b.length; i++) {
        while (b.t_ms[i]! > windows[w]![2]) {
          expect(down.every((d) => d === 0)).toBe(true); // nothing held across an episode end
          w++;
        }
        const k = b.key[i]!;
        if (b.type[i] === EventType.keydown) {
          expect(down[k]).toBe(0);
          down[k] = 1;
        } else {
          expect(down[k]).toBe(1);
          down[k] = 0;
        }
      }
      expect(down.every((d) => d === 0)).toBe(true);
    }
  });

  it('starts no key at or after endMs, returns the time of the last event written, overruns only by the action in progress', () => {
    let overruns = 0;
    for (const { events: b, windows } of days) {
      let i = 0;
      for (const [start, end, returned] of windows) {
        let last = start;
        const lateDowns: number[] = [];
        for (; i < b.length && b.t_ms[i]! <= returned; i++) {
          expect(b.t_ms[i]!).toBeGreaterThanOrEqual(start);
          if (b.type[i] === EventType.keydown && b.t_ms[i]! >= end) lateDowns.push(i);
          last = b.t_ms[i]!;
        }
        expect(returned).toBe(last);
        // Keydowns at/after endMs only finish an action begun before it: the key of a Shift chord whose Shift went
        // down in time, or an error made in time (≤ 3 more keys, + Shift, then the Backspace run, which ends it).
        if (lateDowns.length > 0) {
          overruns++;
          const lastDown = lateDowns[lateDowns.length - 1]!;
          const chordKey = lateDowns.length === 1 && keydownBefore(b, lastDown) === KEY.shift;
          if (!chordKey) {
            expect(b.key[lastDown]).toBe(KEY.backspace);
            expect(b.flags[lastDown]! & EventFlag.correction).toBe(EventFlag.correction);
            expect(lateDowns.length).toBeLessThanOrEqual(12);
          }
        }
        expect(returned - end).toBeLessThan(10_000);
      }
    }
    expect(overruns).toBeLessThan(days.length * 40 * 0.2);
  });

  it('writes nothing and returns startMs for an empty window', () => {
    const { writer, collect } = collectingWriter();
    const text = createTextSource('engineer', createStream(SEED, 'empty'));
    expect(typeEpisode({ out: writer, rng: createStream(SEED, 'e'), startMs: 500, endMs: 500 }, typist(0), text)).toBe(500);
    expect(collect().length).toBe(0);
  });
});

describe('determinism', () => {
  it('gives identical events for the same seeds and different events for another typing stream', () => {
    const a = typeDay(7, 'support', 10).events;
    const b = typeDay(7, 'support', 10).events;
    expect(b.length).toBe(a.length);
    for (const col of ['t_ms', 'type', 'key', 'context', 'flags'] as const) expect(Array.from(b[col])).toEqual(Array.from(a[col]));
    const c = typeDay(8, 'support', 10).events;
    expect(Array.from(c.t_ms.subarray(0, 50))).not.toEqual(Array.from(a.t_ms.subarray(0, 50)));
  });
});

describe('keys and chords', () => {
  const { events: b } = typeDay(11, 'manager', 60);

  it('wraps every shifted character in Shift: down before the key, up after its keydown; Shift holds ≈ LogNormal(ln 248 ms, 0.55)', () => {
    const shiftHolds: number[] = [];
    let shiftDownAt = -1;
    let shiftedKeys = 0;
    for (let i = 0; i < b.length; i++) {
      if (b.key[i] === KEY.shift) {
        if (b.type[i] === EventType.keydown) shiftDownAt = b.t_ms[i]!;
        else {
          shiftHolds.push(b.t_ms[i]! - shiftDownAt);
          shiftDownAt = -1;
        }
      } else if (b.type[i] === EventType.keydown && shiftDownAt >= 0) {
        shiftedKeys++;
        expect(b.t_ms[i]!).toBeGreaterThan(shiftDownAt);
      }
    }
    expect(shiftedKeys).toBeGreaterThanOrEqual(shiftHolds.length);
    // BEHAVIOUR.md "key hold": Shift wraps the chord, hold median 248 ms; wrapping the key lengthens short draws.
    const median = quantile(shiftHolds, 0.5);
    expect(median).toBeGreaterThanOrEqual(230);
    expect(median).toBeLessThanOrEqual(330);
  });

  it('flags typos and the Backspaces that correct them', () => {
    const downs = keydownIndices(b);
    const typos = downs.filter((i) => (b.flags[i]! & EventFlag.typo) !== 0).length;
    const backspaces = downs.filter((i) => b.key[i] === KEY.backspace);
    expect(typos).toBeGreaterThan(0);
    expect(backspaces.length).toBeGreaterThan(0);
    expect(backspaces.every((i) => (b.flags[i]! & EventFlag.correction) !== 0)).toBe(true);
    // Each correction run follows a typo: runs ≤ typos (some typos are left in).
    let runs = 0;
    for (let k = 0; k < downs.length; k++)
      if (b.key[downs[k]!] === KEY.backspace && (k === 0 || b.key[downs[k - 1]!] !== KEY.backspace)) runs++;
    expect(runs).toBeLessThanOrEqual(typos);
    // BEHAVIOUR.md: run length 1 + min(Geometric(0.54), 3) keys, mean ≈ 1.77.
    expect(backspaces.length / runs).toBeGreaterThan(1.5);
    expect(backspaces.length / runs).toBeLessThan(2.0);
  });
});

describe('bursts and pauses with the default (composition) parameters', () => {
  it('P-bursts (split at pauses ≥ 2 s) have a median length near 30 keys (assumption) and no pause inside an episode exceeds 60 s', () => {
    const lengths: number[] = [];
    const pauses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const { events: b, windows } = typeDay(100 + i, 'legal', 20);
      const downs = keydownIndices(b);
      let w = 0;
      let run = 1;
      for (let k = 1; k < downs.length; k++) {
        const t = b.t_ms[downs[k]!]!;
        const gap = t - b.t_ms[downs[k - 1]!]!;
        let sameEpisode = true;
        while (t > windows[w]![2]) {
          w++;
          sameEpisode = false;
        }
        if (!sameEpisode || gap >= P_BURST_GAP_MS) {
          lengths.push(run);
          run = 1;
          if (sameEpisode) pauses.push(gap);
        } else run++;
      }
    }
    const medianLength = quantile(lengths, 0.5);
    expect(medianLength).toBeGreaterThanOrEqual(18);
    expect(medianLength).toBeLessThanOrEqual(45);
    expect(Math.max(...pauses)).toBeLessThanOrEqual(DEFAULT_TYPING_MODEL_PARAMS.interBurstPauseMax_ms + 1e-6);
    // Inter-burst pause LogNormal(ln 3.5 s, 0.9) truncated at 2 s, ×2–3 at sentence ends: median ≈ 5–9 s.
    const medianPause = quantile(pauses, 0.5);
    expect(medianPause).toBeGreaterThanOrEqual(4_000);
    expect(medianPause).toBeLessThanOrEqual(10_000);
  });
});

/** Share of keydowns per context. */
function contextShares(b: EventBlock): Map<string, number> {
  const counts = new Map<string, number>();
  const downs = keydownIndices(b);
  for (const i of downs) {
    const name = INPUT_CONTEXT_NAMES[b.context[i]!]!;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [k, v] of counts) counts.set(k, v / downs.length);
  return counts;
}

describe('what each role types (ROLE_TYPING_CONTEXT_WEIGHTS: shares of typed characters, assumption)', () => {
  it('engineers type mostly code; finance and HR fill forms; managers and sales write e-mail; nobody types in "none"', () => {
    const share = (role: RoleName, ctx: string): number => contextShares(typeDay(1, role, 80).events).get(ctx) ?? 0;
    const engineer = contextShares(typeDay(1, 'engineer', 80).events);
    const top = [...engineer].sort((x, y) => y[1] - x[1])[0]!;
    expect(top[0]).toBe('code');
    expect(top[1]).toBeGreaterThan(0.4);
    expect(share('finance', 'form')).toBeGreaterThan(0.25);
    expect(share('hr', 'form')).toBeGreaterThan(0.2);
    expect(share('manager', 'email')).toBeGreaterThan(0.35);
    expect(share('sales', 'email')).toBeGreaterThan(0.35);
    expect(share('support', 'chat')).toBeGreaterThan(0.35);
    expect(share('legal', 'code')).toBe(0);
    for (const role of ROLE_NAMES) expect(contextShares(typeDay(2, role, 10).events).has('none')).toBe(false);
  });

  it('every role has a positive weight for each sensitive context', () => {
    for (const role of ROLE_NAMES) {
      const w = ROLE_TYPING_CONTEXT_WEIGHTS[role];
      expect(w.password).toBeGreaterThan(0);
      expect(w.payment).toBeGreaterThan(0);
      expect(w.national_id).toBeGreaterThan(0);
      expect(w.private_window).toBeGreaterThan(0);
    }
  });
});

/**
 * The strings the canary-flagged keystrokes leave, one per uninterrupted run
 * (Backspace within a run deletes, Shift held → shifted character).
 */
function canaryRuns(b: EventBlock): Array<{ text: string; context: number }> {
  const runs: Array<{ text: string; context: number }> = [];
  let current: string[] | null = null;
  let context = 0;
  let shiftDown = false;
  for (let i = 0; i < b.length; i++) {
    const code = b.key[i]!;
    if (code === KEY.shift) {
      shiftDown = b.type[i] === EventType.keydown;
      continue;
    }
    if (b.type[i] !== EventType.keydown) continue;
    if ((b.flags[i]! & EventFlag.canary) === 0) {
      if (current !== null) runs.push({ text: current.join(''), context });
      current = null;
      continue;
    }
    if (current === null) {
      current = [];
      context = b.context[i]!;
    }
    if (code === KEY.backspace) current.pop();
    else current.push(keyChar(code, shiftDown));
  }
  if (current !== null) runs.push({ text: current.join(''), context });
  return runs;
}

describe('canaries: planted synthetic secrets', () => {
  // A high ordinary-context rate so that secrets typed outside sensitive fields are plentiful.
  const days = ROLE_NAMES.flatMap((role, r) => [0, 1].map((i) => typeDay(200 + 10 * r + i, role, 60, 0.2)));

  it('flags every keystroke of every planted secret: the canary-flagged keys spell exactly the recorded secrets, in order', () => {
    let total = 0;
    for (const { events, text } of days) {
      const runs = canaryRuns(events);
      const planted = text.canaries;
      expect(text.canariesPlanted).toBe(planted.length);
      // The last secret may be cut by the end of the last episode; secrets of the chunk in progress may not be reached
      // yet (a payment form plants three).
      expect(planted.length - runs.length).toBeGreaterThanOrEqual(0);
      expect(planted.length - runs.length).toBeLessThanOrEqual(3);
      for (let k = 0; k < runs.length - 1; k++) expect(runs[k]!.text).toBe(planted[k]);
      if (runs.length > 0) expect(planted[runs.length - 1]!.startsWith(runs[runs.length - 1]!.text)).toBe(true);
      total += runs.length;
    }
    expect(total).toBeGreaterThan(200);
  });

  it('types secrets in ordinary contexts too (chat, e-mail, documents, forms): the content filter has work', () => {
    const ordinary = days.flatMap((d) => canaryRuns(d.events)).filter((r) => !isSensitiveContext(r.context));
    expect(ordinary.length).toBeGreaterThan(10);
    expect(new Set(ordinary.map((r) => r.context)).size).toBeGreaterThanOrEqual(3);
  });

  it('at the default rate, types secrets mostly in sensitive contexts (≥ 80 %), a few in ordinary ones', () => {
    const runs = ROLE_NAMES.flatMap((role, r) => [0, 1, 2].map((i) => typeDay(300 + 10 * r + i, role, 80))).flatMap((d) =>
      canaryRuns(d.events),
    );
    const ordinary = runs.filter((r) => !isSensitiveContext(r.context)).length;
    expect(runs.length).toBeGreaterThan(100);
    expect(ordinary).toBeGreaterThan(0);
    expect(ordinary / runs.length).toBeLessThanOrEqual(0.2);
  });

  it('plants realistic secrets: Luhn-valid card numbers, SSNs in issued ranges, passwords ≥ 10 characters with a digit', () => {
    const secrets = days.flatMap((d) => d.text.canaries);
    const cards = secrets.filter((s) => /^[\d ]{15,19}$/.test(s));
    const ssns = secrets.filter((s) => /^\d{3}-\d{2}-\d{4}$|^\d{9}$/.test(s));
    const passwordsOrEmails = secrets.filter((s) => /[a-zA-Z]/.test(s));
    expect(cards.length).toBeGreaterThan(5);
    expect(ssns.length).toBeGreaterThan(5);
    for (const c of cards) expect(luhnValid(c)).toBe(true);
    for (const s of ssns) expect(ssnValid(s)).toBe(true);
    for (const p of passwordsOrEmails) {
      expect(p.length).toBeGreaterThanOrEqual(10);
      expect(/\d/.test(p)).toBe(true);
    }
  });

  it('flags every key typed into a password or national-id field as canary, except the Enter/Tab that leaves it', () => {
    let checked = 0;
    for (const { events: b } of days) {
      for (const i of keydownIndices(b)) {
        const ctx = b.context[i]!;
        if (ctx !== InputContext.password && ctx !== InputContext.national_id) continue;
        const k = b.key[i]!;
        if (k === KEY.enter || k === KEY.tab) continue;
        expect(b.flags[i]! & EventFlag.canary).toBe(EventFlag.canary);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});

describe('text sources', () => {
  it('draw from their own stream: the same seed gives the same text whatever the typing stream does', () => {
    const chunks = (rng: RandomStream): string[] => {
      const t = createTextSource('analyst', rng);
      return Array.from({ length: 30 }, () => t.nextChunk().toString());
    };
    expect(chunks(createStream(SEED, 'same'))).toEqual(chunks(createStream(SEED, 'same')));
    expect(mean(chunks(createStream(SEED, 'same')).map((c) => c.length))).toBeGreaterThan(20);
  });

  it('reject context weights that are negative or all zero', () => {
    expect(() => createTextSource('hr', createStream(SEED, 'w'), { contextWeights: { chat: -1 }, ordinarySecretRate: 0 })).toThrow(
      RangeError,
    );
    expect(() => createTextSource('hr', createStream(SEED, 'w'), { contextWeights: {}, ordinarySecretRate: 0 })).toThrow(RangeError);
  });
});
