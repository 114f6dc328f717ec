import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSweepReport } from '../../src/report/sweep-report.js';
import { loadScenarioFile } from '../../src/scenario/index.js';
import { runSweep, type SweepResult } from '../../src/sweep/index.js';
import { haveChromium, launchChromium, warnIfNoChromium } from '../helpers/chromium.js';
import { fixtureSweep } from '../sweep/fixture.js';

warnIfNoChromium('sweep report.html browser test');

/**
 * The page's globals that the page.evaluate callbacks below use: they run in Chromium, not in Node. Declared for this
 * module alone because the DOM lib cannot be: a `/// <reference lib="dom" />` applies to every file tsc checks along with
 * this one, and the DOM's globals clash with Node's (performance.eventLoopUtilization, fetch's body types); a separate
 * tsc program for this file would re-check most of src.
 */
interface PageElement {
  readonly parentElement: PageElement | null;
  closest(selector: string): PageElement | null;
  getBoundingClientRect(): { readonly width: number };
}
declare const document: {
  readonly documentElement: { readonly scrollWidth: number };
  querySelectorAll(selector: string): Iterable<PageElement>;
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Opens a sweep's report.html; collects console errors, page errors, dialogs and every request. */
async function open(browser: Browser, r: SweepResult, width = 1000): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'fleetsim-sweep-browser-'));
  dirs.push(dir);
  await writeSweepReport(r, dir, { csv: true, html: true });
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (q) => requests.push(q.url()));
  await page.goto(pathToFileURL(join(dir, 'report.html')).href);
  return { page, problems, requests };
}

/** "−10.02 ± 0.31" → −10.02 */
const lead = (s: string) => Number(s.replace('\u2212', '-').split('±')[0]!.trim());

async function diffOf(page: Page, group: string): Promise<{ a: number; b: number; diff: string }> {
  const cells = page.locator(`#cell-diff tr[data-group="${group}"] td`);
  return {
    a: Number(await cells.nth(1).textContent()),
    b: Number(await cells.nth(2).textContent()),
    diff: (await cells.nth(3).textContent())!,
  };
}

describe.skipIf(!haveChromium)('sweep report.html in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  // Known effects (test/sweep/fixture.ts): the 15-minute cap costs Engineering 10 points and Sales 2; 50 % approval costs everyone 2.
  it('compares any two cells by group, offline, with the difference and its interval', async () => {
    const { page, problems, requests } = await open(browser, fixtureSweep());
    expect(problems).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(await page.locator('h2').first().textContent()).toBe('What each rule costs, and who loses');
    // Preset: the highest-yield cell (#2: cap 60, 25 %) against the lowest (#1: cap 15, 50 %).
    expect(await page.locator('#cell-a').inputValue()).toBe('2');
    expect(await page.locator('#cell-b').inputValue()).toBe('1');
    expect(lead((await diffOf(page, 'department:Engineering')).diff)).toBeCloseTo(-12, 0);
    expect(lead((await diffOf(page, 'department:Sales')).diff)).toBeCloseTo(-4, 0);
    // The reader picks two other cells: the pause cap alone.
    await page.selectOption('#cell-a', '2');
    await page.selectOption('#cell-b', '0');
    const eng = await diffOf(page, 'department:Engineering');
    expect(eng.a).toBeCloseTo(95, 0);
    expect(eng.b).toBeCloseTo(85, 0);
    expect(Math.abs(lead(eng.diff) + 10)).toBeLessThan(0.5);
    expect(eng.diff).toMatch(/^\u2212\d+\.\d\d ± \d+\.\d\d$/);
    expect(Math.abs(lead((await diffOf(page, 'department:Sales')).diff) + 2)).toBeLessThan(0.5);
    expect(Math.abs(lead((await diffOf(page, 'role:Developer')).diff) + 10)).toBeLessThan(0.5);
    expect(await page.locator('#cell-diff p').first().textContent()).toContain('B: #0 · Pause cap 15 min · Exemption approval rate 25 %');
    // Swapped: the gain is green, with the opposite sign.
    await page.selectOption('#cell-a', '0');
    await page.selectOption('#cell-b', '2');
    expect(Math.abs(lead((await diffOf(page, 'department:Engineering')).diff) - 10)).toBeLessThan(0.5);
    expect(await page.locator('#cell-diff tr[data-group="department:Engineering"] .bar.pos').count()).toBe(1);
    expect(problems).toEqual([]);
  }, 60_000);

  it('keeps a four-rule sweep within the page width, every chart drawn', async () => {
    const s = loadScenarioFile('scenarios/policy-comparison.yaml');
    const r = await runSweep(s, { mode: 'fast', workers: 0, employees: 12, days: 1, replicas: 2 });
    const { page, problems } = await open(browser, r, 1000);
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1000);
    // Every table is either inside a scroll container or narrower than the text column.
    const overflowing = await page.evaluate(
      () =>
        [...document.querySelectorAll('table')].filter(
          (t) => !t.closest('.scroll') && t.getBoundingClientRect().width > (t.parentElement?.getBoundingClientRect().width ?? 0) + 1,
        ).length,
    );
    expect(overflowing).toBe(0);
    expect(await page.locator('.rule').count()).toBe(4);
    expect(await page.locator('#cell-a option').count()).toBe(24);
    expect(await page.locator('#cell-diff tr[data-group]').count()).toBeGreaterThan(10);
    for (const svg of await page.locator('svg.chart').all())
      expect(await svg.locator('polyline[points], rect[height]').count()).toBeGreaterThan(0);
  }, 60_000);

  it('runs no injected markup: names, labels and groups come out as text', async () => {
    const MARK = `</script><script>alert("x")</script><img src=x onerror='alert(1)'>`;
    const { page, problems } = await open(
      browser,
      fixtureSweep({ name: MARK, capLabels: [`${MARK}15`, '60'], departments: [MARK, 'Sales'] }),
    );
    expect(problems).toEqual([]);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('#cell-diff tr[data-group] td:first-child', { hasText: 'alert("x")' }).first().textContent()).toBe(MARK);
    expect(await page.title()).toBe(`fleetsim sweep ${MARK}`);
  }, 60_000);
});
