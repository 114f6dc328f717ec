/**
 * Every constant of the mouse model, with its source. "BEHAVIOUR.md <row>" names
 * the row of /work/shared/BEHAVIOUR.md the value comes from; "assumption" marks
 * values with no verified published source (expose them in scenarios, sweep them).
 * Per-employee quantities (throughput, intercept, device rate, clicks and scroll
 * bursts per active hour) are traits, drawn in src/population/mouse-traits.ts.
 */
export interface MouseModelParams {
  // ── Movement time (BEHAVIOUR.md "mouse movement time (Fitts)") ──────────────
  /** Per-movement multiplicative noise on MT = a + b·ID: LogNormal(0, sigma). */
  readonly movementTimeLogSigma: number;
  /**
   * Field mode: pre-movement decision delay LogNormal(ln median, sigma) (assumption). BEHAVIOUR.md
   * suggests ln 350 ms, matching Balabit's medians 0.7 / 1.2 / 1.9 s as a sum of medians; the median
   * of the sum is higher (+7 / +7 / +5 % measured), so the median is calibrated to 300 ms
   * (measured +0 / +3 / +2 %, test/behaviour/mouse-field.test.ts). Sigma 0.8 as suggested.
   */
  readonly decisionDelayMedian_ms: number;
  readonly decisionDelayLogSigma: number;
  /** Cap on one decision delay (assumption: longer waits are reading, not deciding). */
  readonly decisionDelayMax_ms: number;
  /** Dragging is slower than pointing: MacKenzie, Sellen & Buxton 1991 slopes 249 vs 223 ms/bit. */
  readonly dragMovementTimeFactor: number;

  // ── Trajectory (BEHAVIOUR.md "trajectory") ──────────────────────────────────
  /** Perpendicular offset of the path's midpoint ~ N(0, sd·D), bounded ±max·D. */
  readonly curvatureSdOfDistance: number;
  readonly curvatureMaxOfDistance: number;
  /**
   * Speed-profile asymmetry c ~ U(min, max): v(τ) ∝ τ²(1−τ)²(1 + c(1 − 2τ)); c = 0 is the
   * symmetric minimum-jerk profile (Flash & Hogan 1985), c = 1 puts peak speed at 40 % of
   * the movement. Aimed movements peak a little before the middle (longer deceleration
   * phase; MacKenzie et al. 1987, Plamondon 1995): assumption for the range.
   */
  readonly speedSkewMin: number;
  readonly speedSkewMax: number;
  /** Primary submovement amplitude D·N(mean, sd) when a correction follows (undershoot). */
  readonly primaryAmplitudeMean: number;
  readonly primaryAmplitudeSd: number;
  /** Lateral (directional) error of a primary that is corrected: N(0, sd·D) (assumption). */
  readonly primaryLateralSdOfDistance: number;
  /** Endpoint scatter SD = W / 4.133 (effective width We = 4.133·SD; ISO 9241-9, S&M 2004). */
  readonly endpointSdPerWidth: number;
  /** P(≥ 1 corrective submovement) = clip(base + slope·(ID − idOffset), min, max) (Meyer et al. 1988). */
  readonly correctionBase: number;
  readonly correctionSlopePerBit: number;
  readonly correctionIdOffset: number;
  readonly correctionMinP: number;
  readonly correctionMaxP: number;
  /** P(second correction | first) = this factor × P(≥ 1). */
  readonly secondCorrectionFactor: number;
  /** Duration of a corrective submovement ~ U(min, max). */
  readonly correctionMin_ms: number;
  readonly correctionMax_ms: number;
  /** Curvature of a corrective submovement, N(0, sd·its distance) (assumption). */
  readonly correctionCurvatureSdOfDistance: number;
  /** A corrective submovement leaves this share of the remaining error when a second one follows (assumption). */
  readonly firstCorrectionResidualMin: number;
  readonly firstCorrectionResidualMax: number;
  /** Pause between submovements ~ U(0, max) (assumption). */
  readonly interSubmovementGapMax_ms: number;
  /** Verification dwell between the end of motion and the press ~ U(min, max), inside MT (assumption). */
  readonly clickDwellMin_ms: number;
  readonly clickDwellMax_ms: number;
  /** The primary keeps at least this share of MT when corrections and dwell are squeezed (assumption). */
  readonly primaryMinShareOfMt: number;
  /** Overshoot-and-return on this share of moves longer than overshootMinDistance_px (assumption). */
  readonly overshootShare: number;
  readonly overshootMinDistance_px: number;
  /** Overshoot amplitude D·(1 + U(min, max)) (assumption). */
  readonly overshootMinOfDistance: number;
  readonly overshootMaxOfDistance: number;

  // ── Reports (BEHAVIOUR.md "mouse-move event rate") ──────────────────────────
  /** Report-time jitter ±min(jitterMax_ms, jitterMaxOfPeriod·period): 8 ms ± 0.5 ms at 125 Hz. */
  readonly reportJitterMax_ms: number;
  readonly reportJitterMaxOfPeriod: number;

  // ── Clicks (BEHAVIOUR.md "clicks/hour") ─────────────────────────────────────
  /** Button hold LogNormal(ln 105 ms, 0.35) (KLM B = 100 ms), clipped [min, max] (clip: assumption). */
  readonly clickHoldMedian_ms: number;
  readonly clickHoldLogSigma: number;
  readonly clickHoldMin_ms: number;
  readonly clickHoldMax_ms: number;
  /** Share of presses that are the second of a double click. */
  readonly doubleClickShareOfPresses: number;
  /** Double-click press-to-press interval LogNormal(ln 200 ms, 0.3), kept < 500 ms (the OS double-click time). */
  readonly doubleClickIntervalMedian_ms: number;
  readonly doubleClickIntervalLogSigma: number;
  readonly doubleClickIntervalMax_ms: number;
  /** Gap kept between the first release and the second press of a double click (assumption). */
  readonly doubleClickMinReleaseGap_ms: number;
  /** Share of presses on the right button (~2–5 %, assumption). */
  readonly rightClickShareOfPresses: number;
  /** Share of presses that start a drag (assumption; Balabit has few drag-and-drop actions). */
  readonly dragShareOfPresses: number;
  /** Hold after pressing before a drag starts moving, LogNormal(ln median, sigma) (assumption). */
  readonly dragStartDelayMedian_ms: number;
  readonly dragStartDelayLogSigma: number;

  // ── Scrolling (BEHAVIOUR.md "scrolls/hour") ─────────────────────────────────
  /** Notches per burst LogNormal(ln 4, 1.2) (p90 ≈ 19), at least 1, at most notchesMax (cap: assumption). */
  readonly scrollNotchesMedian: number;
  readonly scrollNotchesLogSigma: number;
  readonly scrollNotchesMax: number;
  /** Inter-notch interval LogNormal(ln 40 ms, 0.8) (Balabit, measured). */
  readonly interNotchMedian_ms: number;
  readonly interNotchLogSigma: number;
  /**
   * Two bursts with nothing between them are at least this far apart (assumption): otherwise an
   * analyst segmenting the events would read them as one burst and count fewer than the traits ask.
   */
  readonly scrollBurstMinGap_ms: number;
  /** Share of bursts that scroll down (reading goes down; assumption). Positive delta = down, as DOM deltaY. */
  readonly scrollDownShare: number;
  /** Touchpad: content pixels per notch-equivalent (assumption; 3 lines ≈ 50 px). */
  readonly touchpadPxPerNotch: number;
  /** Touchpad two-finger swipe duration LogNormal(ln median, sigma) (assumption). */
  readonly touchpadSwipeMedian_ms: number;
  readonly touchpadSwipeLogSigma: number;
  /** Touchpad inertial scrolling: exponential velocity decay time constant (assumption). */
  readonly touchpadMomentumTau_ms: number;
  /** Inertial scrolling stops below this speed (px/ms) (assumption). */
  readonly touchpadMomentumStopPxPerMs: number;

  // ── Episodes (BEHAVIOUR.md "mouse-move event rate": Balabit moving share) ──
  /** Share of ACTIVE time the pointer is moving (Balabit, measured: 0.19). */
  readonly movingShareOfActiveTime: number;
  /**
   * How moving time is counted, as anyone would from the events: the sum of the gaps
   * between consecutive mousemove events that are at most this long (a definition).
   */
  readonly movingGapMax_ms: number;
  /** Inside one episode the pointer moves at most this share of the time, whatever activeShare asks (assumption). */
  readonly movingShareOfEpisodeMax: number;
  /** Prior mean moving time of a move without click, before the episode has measured its own (ms). */
  readonly freeMovePrior_ms: number;

  // ── Field targets (BEHAVIOUR.md "mouse movement time": W ≈ 30 px; "many short, some across") ──
  /** Target distance LogNormal(ln median px, sigma), at least distanceMin_px (assumption shaped on Balabit). */
  readonly targetDistanceMedian_px: number;
  readonly targetDistanceLogSigma: number;
  readonly targetDistanceMin_px: number;
  /** Target width LogNormal(ln median px, sigma) clipped [min, max] (≈ 16–60 px; assumption). */
  readonly targetWidthMedian_px: number;
  readonly targetWidthLogSigma: number;
  readonly targetWidthMin_px: number;
  readonly targetWidthMax_px: number;
}

export const DEFAULT_MOUSE_MODEL_PARAMS: MouseModelParams = {
  movementTimeLogSigma: 0.2,
  decisionDelayMedian_ms: 300,
  decisionDelayLogSigma: 0.8,
  decisionDelayMax_ms: 5_000,
  dragMovementTimeFactor: 249 / 223,

  curvatureSdOfDistance: 0.08,
  curvatureMaxOfDistance: 0.2,
  speedSkewMin: 0.2,
  speedSkewMax: 1.0,
  primaryAmplitudeMean: 0.95,
  primaryAmplitudeSd: 0.04,
  primaryLateralSdOfDistance: 0.025,
  endpointSdPerWidth: 1 / 4.133,
  correctionBase: 0.2,
  correctionSlopePerBit: 0.12,
  correctionIdOffset: 2,
  correctionMinP: 0.1,
  correctionMaxP: 0.85,
  secondCorrectionFactor: 0.5,
  correctionMin_ms: 120,
  correctionMax_ms: 250,
  correctionCurvatureSdOfDistance: 0.1,
  firstCorrectionResidualMin: 0.15,
  firstCorrectionResidualMax: 0.35,
  interSubmovementGapMax_ms: 40,
  clickDwellMin_ms: 20,
  clickDwellMax_ms: 80,
  primaryMinShareOfMt: 0.55,
  overshootShare: 0.15,
  overshootMinDistance_px: 300,
  overshootMinOfDistance: 0.03,
  overshootMaxOfDistance: 0.1,

  reportJitterMax_ms: 0.5,
  reportJitterMaxOfPeriod: 0.25,

  clickHoldMedian_ms: 105,
  clickHoldLogSigma: 0.35,
  clickHoldMin_ms: 30,
  clickHoldMax_ms: 600,
  doubleClickShareOfPresses: 0.15,
  doubleClickIntervalMedian_ms: 200,
  doubleClickIntervalLogSigma: 0.3,
  doubleClickIntervalMax_ms: 499,
  doubleClickMinReleaseGap_ms: 30,
  rightClickShareOfPresses: 0.03,
  dragShareOfPresses: 0.04,
  dragStartDelayMedian_ms: 120,
  dragStartDelayLogSigma: 0.4,

  scrollNotchesMedian: 4,
  scrollNotchesLogSigma: 1.2,
  scrollNotchesMax: 150,
  interNotchMedian_ms: 40,
  interNotchLogSigma: 0.8,
  scrollBurstMinGap_ms: 1_000,
  scrollDownShare: 0.7,
  touchpadPxPerNotch: 50,
  touchpadSwipeMedian_ms: 180,
  touchpadSwipeLogSigma: 0.35,
  touchpadMomentumTau_ms: 325,
  touchpadMomentumStopPxPerMs: 0.05,

  movingShareOfActiveTime: 0.19,
  movingGapMax_ms: 50,
  movingShareOfEpisodeMax: 0.75,
  freeMovePrior_ms: 600,

  targetDistanceMedian_px: 160,
  targetDistanceLogSigma: 1.0,
  targetDistanceMin_px: 3,
  targetWidthMedian_px: 30,
  targetWidthLogSigma: 0.35,
  targetWidthMin_px: 16,
  targetWidthMax_px: 60,
};
