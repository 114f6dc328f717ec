import { type RandomStream, lognormal } from '../../random/index.js';
import type { PointTarget } from './aimed-move.js';
import { logNormal, type Motion } from './motion.js';
import type { MouseModelParams } from './params.js';
import type { Pointer } from './pointer.js';

/** Directions tried before the distance is shortened (a target must lie on the screen). */
const DIRECTION_TRIES = 6;

/**
 * A target for everyday pointing: distance LogNormal(ln 160 px, 1.0) (many short
 * moves, p90 ≈ 580 px, some across the screen), width LogNormal(ln 30 px, 0.35)
 * clipped to 16–60 px (buttons, icons, links, list rows), in a random direction,
 * wholly on the screen. When no direction fits, the distance is halved and tried
 * again (a long move from near an edge goes the other way or is shorter).
 */
export function chooseFieldTarget(rng: RandomStream, pointer: Pointer, p: MouseModelParams): PointTarget {
  const width = lognormal(rng, Math.log(p.targetWidthMedian_px), p.targetWidthLogSigma);
  const distance = lognormal(rng, Math.log(p.targetDistanceMedian_px), p.targetDistanceLogSigma);
  return placeTarget(rng, pointer, width, distance, p);
}

/** chooseFieldTarget drawing its normals from the call's paired sampler (inside the model). */
export function fieldTarget(m: Motion, p: MouseModelParams): PointTarget {
  const width = logNormal(m, Math.log(p.targetWidthMedian_px), p.targetWidthLogSigma);
  const distance = logNormal(m, Math.log(p.targetDistanceMedian_px), p.targetDistanceLogSigma);
  return placeTarget(m.rng, m.pointer, width, distance, p);
}

function placeTarget(rng: RandomStream, pointer: Pointer, rawWidth: number, rawDistance: number, p: MouseModelParams): PointTarget {
  const width = rawWidth < p.targetWidthMin_px ? p.targetWidthMin_px : rawWidth > p.targetWidthMax_px ? p.targetWidthMax_px : rawWidth;
  let distance = rawDistance < p.targetDistanceMin_px ? p.targetDistanceMin_px : rawDistance;
  const half = width / 2;
  const maxX = pointer.screenW - 1 - half;
  const maxY = pointer.screenH - 1 - half;
  for (;;) {
    for (let i = 0; i < DIRECTION_TRIES; i++) {
      const angle = 2 * Math.PI * rng.next();
      const x = pointer.x + distance * Math.cos(angle);
      const y = pointer.y + distance * Math.sin(angle);
      if (x >= half && x <= maxX && y >= half && y <= maxY) return { x, y, width };
    }
    distance *= 0.5;
    if (distance < p.targetDistanceMin_px) {
      // The pointer sits where nothing nearby fits (a corner on a tiny screen): aim for the centre.
      return { x: pointer.screenW / 2, y: pointer.screenH / 2, width };
    }
  }
}
