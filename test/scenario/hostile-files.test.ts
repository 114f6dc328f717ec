import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, loadScenarioFile, parseScenario } from '../../src/scenario/index.js';

function issueOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => i.message).join('; ');
    throw e;
  }
  throw new Error('no error');
}

describe('hostile scenario files', () => {
  it('refuses a FIFO at once instead of waiting for a writer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetsim-fifo-'));
    try {
      const fifo = join(dir, 'scenario.yaml');
      execFileSync('mkfifo', [fifo]);
      const t = performance.now();
      expect(issueOf(() => loadScenarioFile(fifo))).toMatch(/not a regular file/);
      expect(performance.now() - t).toBeLessThan(2000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses /dev/zero instead of reading it until memory runs out', () => {
    expect(issueOf(() => loadScenarioFile('/dev/zero'))).toMatch(/not a regular file/);
  });

  it('refuses deep bracket nesting with its line, in milliseconds', () => {
    const t = performance.now();
    const msg = issueOf(() => parseScenario(`name: deep\nfleet: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`));
    expect(msg).toMatch(/nest deeper than 64 levels/);
    expect(performance.now() - t).toBeLessThan(1000);
    // Brackets inside quoted text after a plain apostrophe are not nesting: whatever else it says, not that.
    const quoted = (() => {
      try {
        parseScenario(`name: Bob's run\ndescription: "${'['.repeat(100)}"\n`);
        return '';
      } catch (e) {
        return e instanceof ScenarioError ? e.issues.map((i) => i.message).join('; ') : String(e);
      }
    })();
    expect(quoted).not.toMatch(/nest deeper/);
  });
});

describe('unknown keys', () => {
  it('are reported in time linear in their number (20,000 unknown keys in well under a few seconds)', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  unknownKey${i}: 1`).join('\n');
    const t = performance.now();
    const msg = issueOf(() => parseScenario(`name: many\nfleet:\n${keys}\n`));
    expect(msg).toMatch(/unknown field "unknownKey0"/);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('still refuses a repeated key with its line', () => {
    expect(issueOf(() => parseScenario('name: x\nfleet:\n  employees: 3\n  employees: 4\n'))).toMatch(/Map keys must be unique/);
  });
});
