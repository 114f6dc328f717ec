/**
 * The default agent's bytes against the practical floor, as bench:agent measures
 * them: everything it puts on the radio for a day (bodies, request line and
 * headers, signature included, counted as HttpTransport sends them) over
 * brotli-11 of its whole day's columnar stream in one piece. The goal is at most
 * 1.3x; this runs the benchmark's first 8 employee-days (same seed) so a default
 * that drifts fails here, not only in a benchmark nobody reran.
 *
 * The guard is 1.28, under the goal: the decided default (brotli-5 over
 * 15-minute batches, wire format 2) measures 1.250 here (bench:agent's 24 days:
 * median 1.248), its ~184 header bytes per upload included. Wire format 1
 * measured 1.298 here (1.309 over 24 days): zigzag time steps and key codes
 * repeated at every keyup cost brotli-5 far more than brotli-11. The floor is
 * taken over the format the agent sends, so a format change moves it too (format
 * 2's floor is 5 % below format 1's).
 */
import { constants, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/config.js';
import { defaultDayEnvironment } from '../../src/behaviour/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES, isExempt } from '../../src/policy/index.js';
import { runLaptopDay } from '../../src/run/laptop-day.js';
import { RecordingTransport } from '../../bench/lib/recording-transport.js';

const SEED = 'bench-agent';
const DAYS = 8;
const GUARD_RATIO = 1.28;

describe('default agent bytes against the brotli-11 whole-day floor', () => {
  it(`stay under ${GUARD_RATIO}x (the goal: 1.3x) over ${DAYS} simulated employee-days`, async () => {
    const P = DEFAULT_POPULATION_PARAMS;
    const env = defaultDayEnvironment(SEED);
    let radioBytes = 0;
    let floorBytes = 0;
    let days = 0;
    for (let i = 0; days < DAYS; i++) {
      const employee = createEmployee(SEED, i, P);
      if (isExempt(employee.exemptionRequested, employee.exemptionDraw, DEFAULT_POLICY_RULES)) continue;
      const transport = new RecordingTransport();
      const r = await runLaptopDay({ employee, day: 0, env, agentConfig: DEFAULT_AGENT_CONFIG, transport });
      expect(r.agent.ledger.lost).toBe(0);
      const whole = Buffer.concat(transport.encoded());
      expect(whole.byteLength).toBeGreaterThan(10_000);
      radioBytes += r.agent.costs.radioBytes;
      floorBytes += brotliCompressSync(whole, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: whole.byteLength },
      }).byteLength;
      days++;
    }
    const ratio = radioBytes / floorBytes;
    console.log(
      `default agent (${DEFAULT_AGENT_CONFIG.codec}-${DEFAULT_AGENT_CONFIG.compressionLevel}, ${DEFAULT_AGENT_CONFIG.batchMaxAgeMs / 1000} s): ${radioBytes} bytes over ${days} days, floor ${floorBytes}: ${ratio.toFixed(3)}x`,
    );
    // Measured 1.250 with the default 15-minute batches in wire format 2 (format 1: 1.298).
    expect(ratio).toBeLessThan(GUARD_RATIO);
  });
});
