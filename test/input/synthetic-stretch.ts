/**
 * A seeded stretch of real synthetic input for input-path tests: typing and
 * pointing episodes from the behaviour models (a wheel mouse at 125 Hz, so
 * keys, clicks, moves and wheel notches in several contexts), with idle gaps
 * longer than maxGapMs shortened so the stretch replays in a few seconds.
 */
import { createPointer, mouseEpisode } from '../../src/behaviour/mouse/index.js';
import { createTextSource, createTypist, typeEpisode } from '../../src/behaviour/typing/index.js';
import { collectingWriter, EventType, InputContext, type EventBlock } from '../../src/events/index.js';
import { drawMouseTraits, type MouseTraits } from '../../src/population/mouse-traits.js';
import { drawTypingTraits } from '../../src/population/typing-traits.js';
import { createStream } from '../../src/random/index.js';

export interface Stretch {
  readonly events: EventBlock;
  readonly screenW: number;
  readonly screenH: number;
}

function wheelMouse(seed: string): MouseTraits {
  for (let i = 0; i < 200; i++) {
    const t = drawMouseTraits(createStream(seed, 'mouse-traits', i));
    // a heavy scroller and clicker, so a short stretch holds wheel notches and clicks
    if (!t.touchpad && t.deviceRateHz === 125) return { ...t, scrollBurstsPerActiveHour: 1200, clicksPerActiveHour: 3000 };
  }
  throw new Error('no 125 Hz wheel mouse in 200 draws');
}

/** Episodes until the stretch holds at least minEvents with every event type and two contexts (bounded: 40 episodes). */
export function syntheticStretch(seed: string, minEvents: number, maxGapMs = 30): Stretch {
  const { writer, collect } = collectingWriter();
  const pointer = createPointer(createStream(seed, 'pointer'));
  const mouse = wheelMouse(seed);
  const typist = createTypist(drawTypingTraits(createStream(seed, 'typing-traits')));
  const text = createTextSource('engineer', createStream(seed, 'text'));
  const typingRng = createStream(seed, 'typing');
  const mouseRng = createStream(seed, 'mouse');
  let t = 0;
  let events: EventBlock | null = null;
  for (let episode = 0; episode < 40; episode++) {
    const end = t + (episode % 2 === 0 ? 1_500 : 2_000);
    const last =
      episode % 2 === 0
        ? typeEpisode({ out: writer, rng: typingRng, startMs: t, endMs: end }, typist, text)
        : mouseEpisode(
            { out: writer, rng: mouseRng, startMs: t, endMs: end },
            mouse,
            pointer,
            1,
            episode % 4 === 1 ? InputContext.form : InputContext.chat,
          );
    t = Math.max(end, last) + 1_000;
    const block = collect(); // everything written so far
    const seen = new Set<number>();
    const contexts = new Set<number>();
    for (let i = 0; i < block.length; i++) {
      seen.add(block.type[i]!);
      contexts.add(block.context[i]!);
    }
    if (block.length >= minEvents && seen.size === 6 && contexts.size >= 2) {
      events = block;
      break;
    }
  }
  if (!events) throw new Error(`seed ${seed}: no stretch with ${minEvents} events of every type in 40 episodes`);
  // Shorten idle gaps: the replay is real time.
  const shifted = new Float64Array(events.length);
  let acc = 0;
  for (let i = 0; i < events.length; i++) {
    const gap = i === 0 ? 0 : events.t_ms[i]! - events.t_ms[i - 1]!;
    acc += gap > maxGapMs ? maxGapMs : gap;
    shifted[i] = acc;
  }
  return { events: { ...events, t_ms: shifted }, screenW: pointer.screenW, screenH: pointer.screenH };
}

/** Events per type name, for messages. */
export function typeCounts(b: EventBlock): Record<string, number> {
  const names = ['keydown', 'keyup', 'mousemove', 'mousedown', 'mouseup', 'wheel'];
  const out: Record<string, number> = {};
  for (let i = 0; i < b.length; i++) out[names[b.type[i]!]!] = (out[names[b.type[i]!]!] ?? 0) + 1;
  return out;
}

export { EventType };
