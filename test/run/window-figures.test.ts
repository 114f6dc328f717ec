import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJson, writeScenarioReport } from '../../src/report/run-report.js';
import { formatRun } from '../../src/report/text.js';
import { runScenario, type ScenarioRunResult } from '../../src/run/index.js';
import { parseScenario } from '../../src/scenario/index.js';
import { scenarioProblems } from '../scenario/problems.js';

const root = mkdtempSync(join(tmpdir(), 'fleetsim-window-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A 20-minute window at 1,200x real time: one second of wall clock, while both employees are at work.
const WINDOWED = `name: windowed
seed: windowed
fleet: { employees: 2 }
simulation: { days: 1, startDate: "2026-03-03", speed: 1200, window: { day: 1, at: "17:00", durationMinutes: 20 } }
transport: "null"
thresholds:
  - ledger.lost == 0
`;

describe('a paced run over a window shorter than a day', () => {
  let r: ScenarioRunResult;
  let files: string[];
  beforeAll(async () => {
    r = await runScenario(parseScenario(WINDOWED, 'windowed.yaml'), { reportDir: join(root, 'w'), workers: 0 });
    files = (await writeScenarioReport(r.reportDir, r)).files;
  }, 30_000);

  it('labels its per-day figures by the window it simulated, in the text, report.html, summary.json and --json', () => {
    expect(r.figures.period).toEqual({ label: '20 min window', window_minutes: 20 });
    const text = formatRun(r, files);
    expect(text).toContain('  bandwidth   MB per laptop per 20 min window p50 ');
    expect(text).toContain('  battery     % per 20 min window p50 ');
    expect(text).not.toMatch(/laptop-day|% per day/);
    const html = readFileSync(join(r.reportDir, 'report.html'), 'utf8');
    expect(html).toContain('MB per laptop per 20 min window');
    expect(html).toContain('% of battery per 20 min window');
    expect(html).not.toMatch(/laptop-day|battery per day/);
    const summary = JSON.parse(readFileSync(join(r.reportDir, 'summary.json'), 'utf8'));
    expect(summary.period).toEqual({ label: '20 min window', window_minutes: 20 });
    expect(runJson(r.reportDir, r).period).toEqual({ label: '20 min window', window_minutes: 20 });
  });

  it('says laptop-windows, not employee-days, for what it simulated, and charts events over the window', () => {
    const text = formatRun(r, files);
    // One window per laptop, whatever days it touches: 2 laptops over the run's wall minutes.
    expect(r.figures.simulation.employee_days_per_min).toBe(Math.round(2 / (r.fleet.wallMs / 60_000)));
    expect(text.split('\n')[0]).toMatch(/ \(\d[\d,]* laptop-windows\/min\)$/);
    expect(text).not.toContain('employee-days');
    const html = readFileSync(join(r.reportDir, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Events over the 20 min window</h2>');
    expect(html).not.toContain('Events over the day');
  });

  it('counts only the work hours inside the window, so CPU per hour is per the hours it was measured over', () => {
    expect(r.fleet.laptops.map((l) => l.work_hours)).toEqual([20 / 60, 20 / 60]);
    expect(r.figures.battery.cpu_s_per_hour.max).toBeCloseTo(Math.max(...r.fleet.laptops.map((l) => l.agent_cpu_seconds)) * 3, 2);
  });

  it('a run of whole days keeps "per day"', async () => {
    const whole = await runScenario(parseScenario(WINDOWED.replace(/speed: 1200, window: \{[^}]*\} /, 'speed: max '), 'whole.yaml'), {
      reportDir: join(root, 'whole'),
      workers: 0,
    });
    expect(whole.figures.period).toEqual({ label: 'day', window_minutes: null });
    const text = formatRun(whole, (await writeScenarioReport(whole.reportDir, whole)).files);
    expect(text).toContain('  bandwidth   MB per laptop-day p50 ');
    expect(text).toContain('  battery     % per day p50 ');
    expect(text.split('\n')[0]).toMatch(/ \(\d[\d,]* employee-days\/min\)$/);
    expect(readFileSync(join(whole.reportDir, 'report.html'), 'utf8')).toMatch(
      /<h2>Events (over the day|by day and hour \(\d+ days\))<\/h2>/,
    );
  });

  it('a window of the whole last day (day 1 from 00:00 UTC, 1,440 min) fits and keeps "per day"', async () => {
    const day = await runScenario(
      parseScenario(
        WINDOWED.replace(
          'speed: 1200, window: { day: 1, at: "17:00", durationMinutes: 20 }',
          'speed: 200000, window: { day: 1, at: "00:00", durationMinutes: 1440 }',
        ),
        'day.yaml',
      ),
      { reportDir: join(root, 'day'), workers: 0 },
    );
    expect(day.figures.paced).toMatchObject({ from_utc: '2026-03-03T00:00:00.000Z', until_utc: '2026-03-04T00:00:00.000Z' });
    expect(day.figures.period).toEqual({ label: 'day', window_minutes: null });
  });
});

describe("a window run's pauses", () => {
  // Everyone pauses about 20 times a day, so the day holds pauses before, inside and after a 20-minute window.
  const PAUSERS = `name: pausers
seed: pausers
fleet: { employees: 4, exemptionRequestShare: 0, pause: { neverPauseShare: 0, occasionalShare: 0, frequentGammaShape: 20, frequentGammaScale: 1 } }
simulation: { days: 1, startDate: "2026-03-03", speed: 1200, window: { day: 1, at: "15:00", durationMinutes: 20 } }
transport: "null"
`;

  it('counts only the pauses, and the paused minutes, inside the window (laptops.csv pauses, paused_minutes)', async () => {
    const run = (text: string, dir: string) => runScenario(parseScenario(text, 'pausers.yaml'), { reportDir: join(root, dir), workers: 0 });
    const window = await run(PAUSERS, 'pausers-window');
    const day = await run(PAUSERS.replace(/speed: 1200, window: \{[^}]*\} /, 'speed: max '), 'pausers-day');
    const wholeDay = new Map(day.fleet.laptops.map((l) => [l.employee_id, l]));
    expect(day.fleet.laptops.reduce((a, l) => a + l.pauses, 0)).toBeGreaterThan(40);
    for (const l of window.fleet.laptops) {
      expect(l.paused_minutes).toBeLessThanOrEqual(20);
      // A pause inside the window takes a minute at least (shortPauseMinMinutes 1); one cut by its start or end may take less.
      expect(l.pauses).toBeLessThanOrEqual(Math.ceil(l.paused_minutes) + 2);
      expect(l.pauses).toBeLessThan(wholeDay.get(l.employee_id)!.pauses);
      if (l.dropped_paused > 0) expect(l.paused_minutes).toBeGreaterThan(0);
    }
    // The window does hold pauses: the fix must not count none.
    expect(window.fleet.laptops.some((l) => l.pauses > 0 && l.paused_minutes > 0)).toBe(true);
  }, 60_000);
});

describe('per-day thresholds on a window shorter than a day', () => {
  const windowed = (threshold: string, window = '{ day: 1, at: "14:00", durationMinutes: 20 }') =>
    `name: x\nsimulation:\n  speed: 60\n  window: ${window}\nthresholds:\n  - ${threshold}\n`;

  it('are refused up front with file:line, why, and what to write instead', () => {
    for (const t of ['battery.pct_per_day.p95 < 2', 'bandwidth.mb_per_laptop_day.p95 < 1', 'battery.wh_per_day.max < 1']) {
      const problems = scenarioProblems(windowed(t));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        new RegExp(
          `^x\\.yaml:6:\\d+ thresholds\\[0\\]: names ${t.split(' ')[0]!.replace(/\./g, '\\.')}, a figure per day this run cannot give: simulation\\.window covers 20 min of each day, and the run reports its figures per 20 min window, not per day`,
        ),
      );
      expect(problems[0]).toMatch(/bandwidth\.kb_per_active_hour|battery\.wakeups_per_min/);
    }
  });

  it('are accepted over a window of a day or more, and figures per hour or minute over any window', () => {
    expect(() =>
      parseScenario(windowed('battery.pct_per_day.p95 < 2', '{ day: 1, at: "00:00", durationMinutes: 1440 }'), 'x.yaml'),
    ).not.toThrow();
    expect(() => parseScenario(windowed('bandwidth.kb_per_active_hour.p95 < 100'), 'x.yaml')).not.toThrow();
    expect(() => parseScenario(windowed('battery.wakeups_per_min.p95 < 100'), 'x.yaml')).not.toThrow();
  });
});
