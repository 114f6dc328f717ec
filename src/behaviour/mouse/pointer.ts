import { type RandomStream, weightedIndex } from '../../random/index.js';

/**
 * Where the pointer is, on which screen. x and y are integer screen pixels
 * (logical pixels, as capture hooks report them); the mouse model moves them.
 */
export interface Pointer {
  x: number;
  y: number;
  readonly screenW: number;
  readonly screenH: number;
}

interface ScreenSize {
  readonly w: number;
  readonly h: number;
  readonly weight: number;
}

/**
 * Share of employees working on an external monitor rather than the laptop panel
 * (assumption: hybrid offices with docks; sweep it).
 */
const EXTERNAL_SCREEN_SHARE = 0.4;

/**
 * Logical resolutions, shaped on public desktop-resolution statistics (StatCounter
 * 2023–24: 1920×1080 most common, then 1366×768, 1536×864 = 1920×1080 at 125 %,
 * 1440×900, 1280×800; 2560×1440 and ultrawide 3440×1440 among monitors).
 * The weights are an assumption.
 */
const LAPTOP_SCREENS: readonly ScreenSize[] = [
  { w: 1920, h: 1080, weight: 0.3 },
  { w: 1536, h: 864, weight: 0.25 },
  { w: 1366, h: 768, weight: 0.15 },
  { w: 1440, h: 900, weight: 0.15 },
  { w: 1280, h: 800, weight: 0.15 },
];
const EXTERNAL_SCREENS: readonly ScreenSize[] = [
  { w: 1920, h: 1080, weight: 0.55 },
  { w: 2560, h: 1440, weight: 0.35 },
  { w: 3440, h: 1440, weight: 0.1 },
];
const LAPTOP_WEIGHTS = LAPTOP_SCREENS.map((s) => s.weight);
const EXTERNAL_WEIGHTS = EXTERNAL_SCREENS.map((s) => s.weight);

/** Start position: uniform over the central part of the screen (assumption: the pointer was left near the content). */
const START_MARGIN_SHARE = 0.1;

/** A pointer on a laptop or external screen, starting somewhere near the middle. */
export function createPointer(rng: RandomStream): Pointer {
  const external = rng.next() < EXTERNAL_SCREEN_SHARE;
  const screen = external
    ? (EXTERNAL_SCREENS[weightedIndex(rng, EXTERNAL_WEIGHTS)] as ScreenSize)
    : (LAPTOP_SCREENS[weightedIndex(rng, LAPTOP_WEIGHTS)] as ScreenSize);
  const mx = screen.w * START_MARGIN_SHARE;
  const my = screen.h * START_MARGIN_SHARE;
  return {
    x: Math.floor(mx + rng.next() * (screen.w - 2 * mx)),
    y: Math.floor(my + rng.next() * (screen.h - 2 * my)),
    screenW: screen.w,
    screenH: screen.h,
  };
}
