/**
 * The whole distribution of inter-key intervals, not only per-typist means:
 * pooled quantiles of within-burst IKIs against the pooled distribution
 * measured on public keystroke data (BEHAVIOUR.md, "inter-key interval
 * (within burst)": p25/p50/p75/p95 = 120/169/262/699 ms, 2.0 % over 1 s, from
 * the Dhakal et al. CHI 2018 data set, 136 M keystrokes of 168,000 typists).
 *
 * The 5th percentile is not published. The mixture BEHAVIOUR.md gives, which
 * reproduces the measured p25–p95 within 2 %, puts it at 75 ms (simulated:
 * 3,000 typists × 600 IKIs, WPM LogNormal(3.871, 0.378), m = 10,900 / WPM);
 * it is held to a wider tolerance than the measured quantiles.
 *
 * Three populations, each measured from generated key events only:
 * - the Dhakal protocol (copying sentences, equal keys per typist, IKIs ≤ 5 s);
 * - office typing as the day composer calls the model (composition bursts,
 *   IKIs < 2 s), one population per input context, equal keys per typist, so
 *   that a context's figures do not depend on which typists happened to use it;
 * - whole generated employee-days from the real generator (every IKI of every
 *   employee, so fast typists weigh more, as in a captured trace).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BEHAVIOUR_PARAMS, simulateEmployeeDay, type DayEnvironment } from '../../src/behaviour/index.js';
import {
  createTextSource,
  createTypist,
  DEFAULT_TYPING_MODEL_PARAMS,
  transcriptionTypingParams,
  typeEpisode,
  type TypingContextName,
} from '../../src/behaviour/typing/index.js';
import { collectingWriter, INPUT_CONTEXT_NAMES, InputContext } from '../../src/events/index.js';
import { DEFAULT_POLICY_RULES } from '../../src/policy/index.js';
import { createEmployee, DEFAULT_POPULATION_PARAMS } from '../../src/population/index.js';
import { drawTypingTraits } from '../../src/population/typing-traits.js';
import { createStream } from '../../src/random/index.js';
import { createCalendar } from '../../src/time/index.js';
import { addBurstIkis, createBurstIkis, SENTENCE_GAP_MS, shareAbove, type BurstIkis, type MsHistogram } from './typing-stats.js';

const SEED = 'typing-iki-quantiles';
const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;
/** BEHAVIOUR.md: measured pooled p25/p50/p75/p95; p5 from the published mixture (see the header). */
const PUBLISHED_MS = { 0.05: 75, 0.25: 120, 0.5: 169, 0.75: 262, 0.95: 699 } as const;
const PUBLISHED_SHARE_OVER_1S = 0.02;
const CONTEXT_COUNT = INPUT_CONTEXT_NAMES.length;
const ORDINARY_CONTEXTS: readonly TypingContextName[] = ['text', 'chat', 'code', 'form', 'email'];

function quantiles(h: MsHistogram): string {
  return QUANTILES.map((q) => h.quantile(q).toFixed(0)).join('/');
}

function expectNear(actual: number, expected: number, tolerance: number, what: string): void {
  expect(Math.abs(actual / expected - 1), `${what}: ${actual.toFixed(1)} ms vs ${expected} ms ± ${100 * tolerance} %`).toBeLessThanOrEqual(
    tolerance,
  );
}

/** Dhakal protocol: each typist copies ≈ 700 keystrokes of prose sentence by sentence (sentences ≥ 5 s apart). */
function transcription(typists: number): BurstIkis {
  const params = transcriptionTypingParams();
  const out = createBurstIkis(CONTEXT_COUNT);
  for (let i = 0; i < typists; i++) {
    const traits = drawTypingTraits(createStream(SEED, 'transcription-traits', i));
    const { writer, collect } = collectingWriter();
    const text = createTextSource('legal', createStream(SEED, 'transcription-text', i), {
      contextWeights: { text: 1 },
      ordinarySecretRate: 0,
    });
    const endMs = 700 * (10_500 / traits.wpm) + (700 / 80) * 21_000;
    typeEpisode({ out: writer, rng: createStream(SEED, 'transcription-typing', i), startMs: 0, endMs }, createTypist(traits, params), text);
    addBurstIkis(collect(), out, SENTENCE_GAP_MS);
  }
  return out;
}

/** Day-default composition (bursts of ≈ 30 keys, pauses ≥ 2 s), everything typed into one context, ≤ 300 IKIs per typist. */
function composition(context: TypingContextName, typists: number): BurstIkis {
  const out = createBurstIkis(CONTEXT_COUNT);
  for (let i = 0; i < typists; i++) {
    const traits = drawTypingTraits(createStream(SEED, 'composition-traits', i));
    const { writer, collect } = collectingWriter();
    const text = createTextSource('analyst', createStream(SEED, 'composition-text', context, i), {
      contextWeights: { [context]: 1 },
      ordinarySecretRate: 0,
    });
    const endMs = 400 * (10_500 / traits.wpm) + (400 / 30) * 6_000;
    typeEpisode(
      { out: writer, rng: createStream(SEED, 'composition-typing', context, i), startMs: 0, endMs },
      createTypist(traits, DEFAULT_TYPING_MODEL_PARAMS),
      text,
    );
    addBurstIkis(collect(), out, undefined, 300);
  }
  return out;
}

/** Whole employee-days from the real generator's day composer, every within-burst IKI of every employee. */
function generatedDays(seed: string, employees: number): BurstIkis {
  const population = DEFAULT_POPULATION_PARAMS;
  const env: DayEnvironment = {
    seed,
    calendar: createCalendar(
      '2026-03-02',
      population.offices.map((o) => o.timezone),
    ),
    behaviour: DEFAULT_BEHAVIOUR_PARAMS,
    pauseTraits: population.pause,
    rules: DEFAULT_POLICY_RULES,
  };
  const out = createBurstIkis(CONTEXT_COUNT);
  for (let i = 0; i < employees; i++) {
    const { writer, collect } = collectingWriter();
    simulateEmployeeDay(createEmployee(seed, i, population), 0, env, writer);
    addBurstIkis(collect(), out);
  }
  return out;
}

let dhakal: BurstIkis;
const byContext = new Map<TypingContextName, BurstIkis>();
let days: BurstIkis;
let issueTrace: BurstIkis;

beforeAll(() => {
  dhakal = transcription(500);
  for (const c of ORDINARY_CONTEXTS) byContext.set(c, composition(c, 200));
  days = generatedDays(SEED, 40);
  // The trace of the report that started this file: `fleetsim generate -n 8 --days 1 --seed 4242`.
  issueTrace = generatedDays('4242', 8);
  const lines = [
    `within-burst IKI p5/p25/p50/p75/p95 (ms), published ${QUANTILES.map((q) => PUBLISHED_MS[q]).join('/')}, > 1 s ${100 * PUBLISHED_SHARE_OVER_1S} %`,
    `Dhakal protocol, 500 typists: ${quantiles(dhakal.pooled)}, > 1 s ${(100 * shareAbove(dhakal.pooled, 1_000)).toFixed(2)} %`,
    ...ORDINARY_CONTEXTS.map((c) => `composition, ${c}: ${quantiles(byContext.get(c)!.pooled)}`),
    `generated days, 40 employees: ${quantiles(days.pooled)} (${days.pooled.count} IKIs)`,
    `seed 4242, 8 employees: ${quantiles(issueTrace.pooled)}; ${ORDINARY_CONTEXTS.map((c) => `${c} ${quantiles(issueTrace.byContext[InputContext[c]]!)}`).join('; ')}`,
  ];
  console.log(lines.join('\n'));
});

describe('pooled within-burst IKIs, Dhakal protocol (BEHAVIOUR.md: measured on the Dhakal et al. 2018 data)', () => {
  it('p25/p50/p75/p95 within 10 % of the measured 120/169/262/699 ms', () => {
    for (const q of [0.25, 0.5, 0.75, 0.95] as const) expectNear(dhakal.pooled.quantile(q), PUBLISHED_MS[q], 0.1, `p${100 * q}`);
  });

  it('the fast tail: p5 within 15 % of 75 ms (the published mixture; not measured)', () => {
    expectNear(dhakal.pooled.quantile(0.05), PUBLISHED_MS[0.05], 0.15, 'p5');
  });

  it('share of IKIs over 1 s within 0.6 points of the measured 2.0 %', () => {
    expect(Math.abs(shareAbove(dhakal.pooled, 1_000) - PUBLISHED_SHARE_OVER_1S)).toBeLessThanOrEqual(0.006);
  });
});

describe('within-burst IKIs per input context, office composition (same published anchors, wider p5/p95 tolerances)', () => {
  // Composition bursts end at a word break after ≈ 30 keys and pauses ≥ 2 s are not IKIs: the slow word-initial
  // interval after each burst break and the hesitations over 2 s drop out; the p95 tolerance allows for that.
  it.each(ORDINARY_CONTEXTS)('%s: p5 within 15 % of 75 ms, p25/p50/p75 within 10 % and p95 within 15 % of the measured', (c) => {
    const h = byContext.get(c)!.pooled;
    expect(h.count).toBeGreaterThan(30_000);
    expectNear(h.quantile(0.05), PUBLISHED_MS[0.05], 0.15, `${c} p5`);
    for (const q of [0.25, 0.5, 0.75] as const) expectNear(h.quantile(q), PUBLISHED_MS[q], 0.1, `${c} p${100 * q}`);
    expectNear(h.quantile(0.95), PUBLISHED_MS[0.95], 0.15, `${c} p95`);
  });
});

describe('within-burst IKIs of whole generated days (the real generator, 40 employee-days)', () => {
  // Every IKI of every employee: fast typists type more keys in the same time and weigh more than in Dhakal's
  // equal-text protocol, and the 40 employees' speeds are a sample, so the band is wider still.
  it('p5 ≥ 55 ms, p25 within 20 % of 120 ms, p50 within 20 % of 169 ms', () => {
    expect(days.pooled.quantile(0.05)).toBeGreaterThanOrEqual(55);
    expectNear(days.pooled.quantile(0.25), PUBLISHED_MS[0.25], 0.2, 'p25');
    expectNear(days.pooled.quantile(0.5), PUBLISHED_MS[0.5], 0.2, 'p50');
  });
});
