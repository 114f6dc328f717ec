import type { MouseTraits } from '../../population/mouse-traits.js';
import { emitSubmovement, gauss, type Motion } from './motion.js';
import type { MouseModelParams } from './params.js';

/** Where a movement aims: centre and width (px) of the target. */
export interface PointTarget {
  readonly x: number;
  readonly y: number;
  readonly width: number;
}

/** Fitts' index of difficulty, Shannon form (MacKenzie 1992): log2(D/W + 1). */
export function indexOfDifficulty(distance_px: number, width_px: number): number {
  return Math.log2(distance_px / width_px + 1);
}

/** P(≥ 1 corrective submovement) for an index of difficulty (BEHAVIOUR.md "trajectory"; Meyer et al. 1988). */
export function correctionProbability(id: number, p: MouseModelParams): number {
  const raw = p.correctionBase + p.correctionSlopePerBit * (id - p.correctionIdOffset);
  return raw < p.correctionMinP ? p.correctionMinP : raw > p.correctionMaxP ? p.correctionMaxP : raw;
}

function clampTo(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}

/**
 * One aimed movement from the pointer to the target, starting to move at t0_ms,
 * written as mousemove reports. Its movement time is Fitts' law,
 * MT = (a + b·ID)·timeFactor·LogNormal(0, σ) with the employee's a and b = 1/TP,
 * and MT runs from movement onset to the moment of the press: the primary
 * submovement, any corrective submovements and a short verification dwell all fit
 * inside it, so Fitts' law holds for the events by construction.
 *
 * Returns the time MT ends (when a click would be pressed); the motion ends before it.
 */
export function aimedMove(
  m: Motion,
  traits: MouseTraits,
  target: PointTarget,
  t0_ms: number,
  timeFactor: number,
  p: MouseModelParams,
): number {
  const pointer = m.pointer;
  const rng = m.rng;
  const maxX = pointer.screenW - 1;
  const maxY = pointer.screenH - 1;
  const sx = pointer.x;
  const sy = pointer.y;
  const tdx = target.x - sx;
  const tdy = target.y - sy;
  const distance = Math.sqrt(tdx * tdx + tdy * tdy);
  const ux = distance > 0 ? tdx / distance : 1;
  const uy = distance > 0 ? tdy / distance : 0;
  const id = indexOfDifficulty(distance, target.width);
  const mt = (traits.fittsA_ms + (1000 / traits.throughputBitsPerS) * id) * timeFactor * Math.exp(p.movementTimeLogSigma * gauss(m));

  // Where the movement finally comes to rest: scatter around the target centre, SD = W / 4.133.
  const endSd = target.width * p.endpointSdPerWidth;
  const endX = clampTo(target.x + endSd * gauss(m), maxX);
  const endY = clampTo(target.y + endSd * gauss(m), maxY);

  const pCorrection = correctionProbability(id, p);
  let corrections = rng.next() < pCorrection ? (rng.next() < p.secondCorrectionFactor * pCorrection ? 2 : 1) : 0;
  const overshoot = distance > p.overshootMinDistance_px && rng.next() < p.overshootShare;
  if (overshoot && corrections === 0) corrections = 1;

  // Time budget inside MT: corrections, the gaps before them and the dwell before the press.
  const corrSpan = p.correctionMax_ms - p.correctionMin_ms;
  let corr1 = 0;
  let corr2 = 0;
  let gap1 = 0;
  let gap2 = 0;
  if (corrections >= 1) {
    corr1 = p.correctionMin_ms + corrSpan * rng.next();
    gap1 = p.interSubmovementGapMax_ms * rng.next();
  }
  if (corrections === 2) {
    corr2 = p.correctionMin_ms + corrSpan * rng.next();
    gap2 = p.interSubmovementGapMax_ms * rng.next();
  }
  const dwell = p.clickDwellMin_ms + (p.clickDwellMax_ms - p.clickDwellMin_ms) * rng.next();
  const extra = corr1 + corr2 + gap1 + gap2 + dwell;
  const squeeze = extra > (1 - p.primaryMinShareOfMt) * mt ? ((1 - p.primaryMinShareOfMt) * mt) / extra : 1;
  const primaryMs = mt - extra * squeeze;

  // Primary submovement: straight to the resting point when it needs no correction;
  // otherwise short of (or past) the target and a little off the line.
  let p1x = endX;
  let p1y = endY;
  if (corrections > 0) {
    const amplitude = overshoot
      ? distance * (1 + p.overshootMinOfDistance + (p.overshootMaxOfDistance - p.overshootMinOfDistance) * rng.next())
      : distance * (p.primaryAmplitudeMean + p.primaryAmplitudeSd * gauss(m));
    const lateral = distance * p.primaryLateralSdOfDistance * gauss(m);
    p1x = clampTo(sx + amplitude * ux - lateral * uy, maxX);
    p1y = clampTo(sy + amplitude * uy + lateral * ux, maxY);
  }
  const bendLimit = p.curvatureMaxOfDistance * distance;
  let bend = p.curvatureSdOfDistance * distance * gauss(m);
  bend = bend < -bendLimit ? -bendLimit : bend > bendLimit ? bendLimit : bend;
  const skewSpan = p.speedSkewMax - p.speedSkewMin;
  let t = emitSubmovement(m, t0_ms, primaryMs, p1x, p1y, bend, p.speedSkewMin + skewSpan * rng.next());

  if (corrections === 2) {
    // The first correction leaves a fraction of the remaining error for the second.
    const residual = p.firstCorrectionResidualMin + (p.firstCorrectionResidualMax - p.firstCorrectionResidualMin) * rng.next();
    const midX = endX + (pointer.x - endX) * residual;
    const midY = endY + (pointer.y - endY) * residual;
    t = correct(m, t + gap1 * squeeze, corr1 * squeeze, midX, midY, p);
    t = correct(m, t + gap2 * squeeze, corr2 * squeeze, endX, endY, p);
  } else if (corrections === 1) {
    t = correct(m, t + gap1 * squeeze, corr1 * squeeze, endX, endY, p);
  }
  const press = t0_ms + mt;
  return press > t ? press : t;
}

/** A corrective submovement: short, slightly curved, same bell-shaped profile. */
function correct(m: Motion, t0_ms: number, duration_ms: number, x: number, y: number, p: MouseModelParams): number {
  const dx = x - m.pointer.x;
  const dy = y - m.pointer.y;
  const bend = p.correctionCurvatureSdOfDistance * Math.sqrt(dx * dx + dy * dy) * gauss(m);
  const skew = p.speedSkewMin + (p.speedSkewMax - p.speedSkewMin) * m.rng.next();
  return emitSubmovement(m, t0_ms, duration_ms, x, y, bend, skew);
}
