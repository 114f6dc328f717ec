import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeScenarioReport } from '../../src/report/index.js';
import { runScenario } from '../../src/run/index.js';
import { resolveScenario } from '../../src/scenario/index.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../helpers/chromium.js';

warnIfNoChromium('report.html browser test');

describe.skipIf(!haveChromium)('report.html in a real browser', () => {
  it('loads offline without console errors and shows its charts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-browser-'));
    const scenario = resolveScenario({
      name: 'browser',
      seed: 'browser',
      fleet: { employees: 4 },
      simulation: { days: 1, startDate: '2026-03-03' },
      transport: 'null',
      thresholds: ['ledger.lost == 0'],
    });
    await writeScenarioReport(dir, await runScenario(scenario, { reportDir: dir, workers: 0 }));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      // Any request beyond the file itself would mean an external asset: the page must work offline.
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(join(dir, 'report.html')).href);
      expect(problems).toEqual([]);
      expect(requests).toHaveLength(1);
      expect(await page.title()).toBe('fleetsim: browser');
      const charts = page.locator('svg.chart');
      expect(await charts.count()).toBeGreaterThanOrEqual(5);
      // Every chart draws something: a line with points or bars with height.
      for (let i = 0; i < (await charts.count()); i++) {
        const marks = await charts.nth(i).locator('polyline[points], rect[height]').count();
        expect(marks).toBeGreaterThan(0);
      }
      const box = await charts.first().boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(await page.getByText('pass', { exact: true }).count()).toBe(1);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
