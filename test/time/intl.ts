/**
 * What a wall clock shows, read with Intl independently of src/time: the reference the DST
 * tests compare the code under test with.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
/** What the wall clock in `timezone` shows at UTC ms `u`: the date and ms since that date's midnight. */
export function wallClock(timezone: string, u: number): { date: string; sinceMidnightMs: number } {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timezone, f);
  }
  const whole = Math.floor(u / 1000) * 1000;
  const part = (type: string) => Number(f!.formatToParts(new Date(whole)).find((p) => p.type === type)!.value);
  const date = `${part('year')}-${String(part('month')).padStart(2, '0')}-${String(part('day')).padStart(2, '0')}`;
  return { date, sinceMidnightMs: ((part('hour') * 60 + part('minute')) * 60 + part('second')) * 1000 + (u - whole) };
}
