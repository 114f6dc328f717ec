import type { PauseDay } from '../../behaviour/index.js';

const MINUTE_MS = 60_000;

/**
 * The part of a day's pauses inside [fromMs, untilMs) (virtual ms, as the
 * pause windows are): a paced run over a window simulates that stretch only,
 * so laptops.csv's pauses and paused_minutes count the pauses it held, cut at
 * its ends, not the day's. What the day asked for (requests, refusals, wanted
 * minutes, exemption asks) stays the day's: those were decided when it was
 * planned, and the agent was told of every pause either way.
 */
export function pausesWithin(day: PauseDay, fromMs: number, untilMs: number): PauseDay {
  if (fromMs === -Infinity && untilMs === Infinity) return day;
  const windows = day.windows.flatMap((w) => {
    const startMs = Math.max(w.startMs, fromMs);
    const endMs = Math.min(w.endMs, untilMs);
    return endMs > startMs ? [{ ...w, startMs, endMs }] : [];
  });
  let grantedMs = 0;
  for (const w of windows) grantedMs += w.endMs - w.startMs;
  return { ...day, windows, grantedMinutes: grantedMs / MINUTE_MS };
}
