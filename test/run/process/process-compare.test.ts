import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetsimAsync, scenario } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetsim-proc-ab-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A foreign agent: reads the tap and POSTs every 64 records; `spinMs` of busy CPU per read is the candidate's extra work. */
const agent = (spinMs: number) =>
  [
    "const net = require('net'), http = require('http');",
    'let buf = Buffer.alloc(0);',
    `const spin = () => { const end = Date.now() + ${spinMs}; while (Date.now() < end); };`,
    'const post = (b) => { const r = http.request(process.argv[2], { method: "POST" }); r.on("error", () => 0); r.end(b); };',
    'net.connect(process.argv[1]).on("data", (d) => { spin(); buf = Buffer.concat([buf, d]); if (buf.length >= 16 + 64 * 32) { post(buf); buf = Buffer.alloc(0); } });',
    'process.on("SIGTERM", () => { if (buf.length) post(buf); setTimeout(() => process.exit(0), 200); });',
  ].join(' ');

describe('fleetsim compare --scenario with two process agent commands', () => {
  it('runs baseline and candidate commands over the same laptops and input, and finds the one that works more per event worse on CPU', async () => {
    const command = (spinMs: number) => JSON.stringify(['node', '-e', agent(spinMs), '{tapSocket}', '{uploadUrl}']);
    const file = scenario(
      dir,
      'agent: { kind: process, input: tap }\ningest: { kind: blackhole, status: 202 }',
      `compare:\n  replicas: 1\n  baseline:\n    agent: { command: ${command(0)} }\n  candidate:\n    agent: { command: ${command(20)} }\n`,
    );
    const r = await fleetsimAsync(['compare', '--scenario', file, '--out', join(dir, 'cmp'), '--json'], { timeoutMs: 170_000 });
    expect(r.stderr).not.toMatch(/Error/);
    const rows = JSON.parse(r.stdout).rows as { figure: string; statistic: string | null; verdict: string; paired: boolean }[];
    const cpu = rows.find((x) => x.figure === 'battery.cpu_s_per_hour' && x.statistic === 'mean');
    expect(cpu, r.stdout.slice(0, 2000)).toBeDefined();
    // The same laptops (seed and fleet) ran under each command: paired per laptop.
    expect(cpu!.paired).toBe(true);
    expect(cpu!.verdict).toBe('worse');
  }, 180_000);
});
