import { MouseButton } from '../../events/index.js';
import type { MouseTraits } from '../../population/mouse-traits.js';
import type { RandomStream } from '../../random/index.js';
import type { EpisodeWindow } from '../episode.js';
import { aimedMove } from './aimed-move.js';
import { click, doubleClick, pressAndHold, releaseDrag } from './clicks.js';
import { decisionDelay } from './decision.js';
import { createMotion, logNormal } from './motion.js';
import { DEFAULT_MOUSE_MODEL_PARAMS, type MouseModelParams } from './params.js';
import type { Pointer } from './pointer.js';
import { scrollBurst } from './scroll.js';
import { fieldTarget } from './targets.js';

const MS_PER_HOUR = 3_600_000;

/** Next arrival of a Poisson stream of the given rate (per ms) after t. */
function nextArrival(rng: RandomStream, t: number, ratePerMs: number): number {
  return ratePerMs > 0 ? t - Math.log(1 - rng.next()) / ratePerMs : Infinity;
}

/**
 * Fills [w.startMs, w.endMs) with pointing: aimed moves ending in clicks (some
 * double, some right), drags, scroll bursts and moves without a click, separated by
 * the idle time in which the employee reads (no events while idle).
 *
 * Clicks (presses), drags and scroll bursts arrive as Poisson streams whose rates
 * are the employee's per-active-hour traits scaled by 1/activeShare, so that per
 * active hour the employee reaches them. Moves without a click fill the moving
 * time up to the Balabit moving share (0.19 of active time, again ×1/activeShare):
 * candidate moves arrive as a Poisson stream and are made only while the moving
 * time so far is short of that share of the elapsed time.
 *
 * An action scheduled while the employee is still busy with the previous one
 * starts when that one ends and skips its decision delay (they already know what
 * to do next). No action starts (begins its decision delay, or its scroll) at or
 * after endMs; the one in progress runs to its end, which may be past endMs.
 * Returns t_ms of the last event (w.startMs if none).
 */
export function mouseEpisode(
  w: EpisodeWindow,
  traits: MouseTraits,
  pointer: Pointer,
  activeShare: number,
  context: number,
  params: MouseModelParams = DEFAULT_MOUSE_MODEL_PARAMS,
): number {
  if (!(activeShare > 0 && activeShare <= 1)) {
    throw new RangeError(`mouseEpisode: activeShare must be in (0, 1], got ${activeShare}`);
  }
  if (!(w.endMs > w.startMs)) return w.startMs;
  const p = params;
  const rng = w.rng;
  const m = createMotion(w.out, rng, pointer, traits.deviceRateHz, context, w.startMs, p);

  const perEpisodeMs = 1 / (MS_PER_HOUR * activeShare);
  const pressRate = traits.clicksPerActiveHour * perEpisodeMs;
  // Every press is a click action's (first) press, the second press of a double, or a drag's press.
  const clickActionsPerPress = 1 - p.doubleClickShareOfPresses - p.dragShareOfPresses;
  const clickRate = pressRate * clickActionsPerPress;
  const dragRate = pressRate * p.dragShareOfPresses;
  const scrollRate = traits.scrollBurstsPerActiveHour * perEpisodeMs;
  const pRight = p.rightClickShareOfPresses / clickActionsPerPress;
  const pDouble = p.doubleClickShareOfPresses / clickActionsPerPress;
  const movingShare = Math.min(p.movingShareOfActiveTime / activeShare, p.movingShareOfEpisodeMax);
  // Candidates come three times as often as free moves alone would fill the budget: enough to catch up.
  const candidateRate = (3 * movingShare) / p.freeMovePrior_ms;
  const dragDelayMu = Math.log(p.dragStartDelayMedian_ms);

  const start = w.startMs;
  const end = w.endMs;
  let nextClick = nextArrival(rng, start, clickRate);
  let nextDrag = nextArrival(rng, start, dragRate);
  let nextScroll = nextArrival(rng, start, scrollRate);
  let nextCandidate = nextArrival(rng, start, candidateRate);
  let free = start;
  let freeMoveMs = 0;
  let freeMoves = 0;
  let lastScrollEnd = -Infinity;

  for (;;) {
    const tNext = Math.min(nextClick, nextDrag, nextScroll, nextCandidate);
    if (tNext >= end) break;
    const idle = tNext >= free;
    const begin = idle ? tNext : free;
    if (begin >= end) break;

    if (tNext === nextScroll) {
      nextScroll = nextArrival(rng, nextScroll, scrollRate);
      // Straight after another burst, with nothing in between: read a moment first.
      const scrollAt = m.lastEvent_ms === lastScrollEnd ? Math.max(begin, lastScrollEnd + p.scrollBurstMinGap_ms) : begin;
      if (scrollAt >= end) continue;
      free = lastScrollEnd = scrollBurst(m, scrollAt, traits.touchpad, p);
      continue;
    }

    let kind: 'click' | 'drag' | 'move';
    if (tNext === nextClick) {
      kind = 'click';
      nextClick = nextArrival(rng, nextClick, clickRate);
    } else if (tNext === nextDrag) {
      kind = 'drag';
      nextDrag = nextArrival(rng, nextDrag, dragRate);
    } else {
      kind = 'move';
      nextCandidate = nextArrival(rng, nextCandidate, candidateRate);
      const expectedMove = (freeMoveMs + p.freeMovePrior_ms) / (freeMoves + 1);
      if (m.moving_ms + expectedMove / 2 > movingShare * (begin - start)) continue;
      // A move without a click is filler: it never holds up a click or drag that is due during it.
      if (Math.min(nextClick, nextDrag) < begin + 2 * expectedMove) continue;
    }

    const onset = idle ? begin + decisionDelay(m, p) : begin;
    const target = fieldTarget(m, p);
    if (kind === 'move') {
      const before = m.moving_ms;
      free = aimedMove(m, traits, target, onset, 1, p);
      freeMoveMs += m.moving_ms - before;
      freeMoves++;
    } else if (kind === 'click') {
      const pressAt = aimedMove(m, traits, target, onset, 1, p);
      const u = rng.next();
      free =
        u < pRight
          ? click(m, pressAt, MouseButton.right, p)
          : u < pRight + pDouble
            ? doubleClick(m, pressAt, p)
            : click(m, pressAt, MouseButton.left, p);
    } else {
      const pressAt = aimedMove(m, traits, target, onset, 1, p);
      pressAndHold(m, pressAt);
      const dropTarget = fieldTarget(m, p);
      const moveFrom = pressAt + logNormal(m, dragDelayMu, p.dragStartDelayLogSigma);
      const releaseAt = aimedMove(m, traits, dropTarget, moveFrom, p.dragMovementTimeFactor, p);
      releaseDrag(m, releaseAt);
      free = releaseAt;
    }
  }
  return m.lastEvent_ms;
}
