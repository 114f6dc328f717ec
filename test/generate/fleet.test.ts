import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../src/generate/index.js';

const base = { employees: 12, days: 2, seed: 'det', startDate: '2026-03-05' } as const;

describe('fleet generation', () => {
  it('gives identical employees and events for 1 worker and for 4 workers (and in-thread)', async () => {
    const one = await generateFleet({ ...base, workers: 1 });
    const four = await generateFleet({ ...base, workers: 4, shardSize: 1 });
    const inline = await generateFleet({ ...base, workers: 0, shardSize: 5 });
    expect(four.employees).toEqual(one.employees);
    expect(inline.employees).toEqual(one.employees);
    expect(four.events).toBe(one.events);
    expect(one.events).toBeGreaterThan(0);
  });

  it('writes a trace whose rows match the summaries and are time-ordered per employee, byte-identical across worker counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-trace-'));
    const a = await generateFleet({ ...base, employees: 3, days: 1, workers: 1, tracePath: join(dir, 'a.csv') });
    await generateFleet({ ...base, employees: 3, days: 1, workers: 3, shardSize: 1, tracePath: join(dir, 'b.csv') });
    const textA = readFileSync(join(dir, 'a.csv'), 'utf8');
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe(textA);
    const rows = parse(textA, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['employee_id', 't_ms', 'type', 'key', 'x', 'y', 'button', 'context']);
    expect(rows.length).toBe(a.events);
    const allowed = new Set(['keydown', 'keyup', 'mousemove', 'mousedown', 'mouseup', 'wheel']);
    const lastT = new Map<string, number>();
    for (const r of rows) {
      expect(allowed.has(r.type!)).toBe(true);
      const t = Number(r.t_ms);
      expect(t).toBeGreaterThanOrEqual(lastT.get(r.employee_id!) ?? 0);
      lastT.set(r.employee_id!, t);
    }
    for (const e of a.employees) {
      const mine = rows.filter((r) => r.employee_id === e.employee_id);
      expect(mine.filter((r) => r.type === 'keydown').length).toBe(e.keystrokes);
      expect(mine.filter((r) => r.type === 'mousedown').length).toBe(e.clicks);
      expect(mine.filter((r) => r.type === 'mousemove').length).toBe(e.mouse_moves);
    }
  });
});
