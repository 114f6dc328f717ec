/**
 * The default agent's bytes against the practical floor, as bench:agent measures
 * them: everything it puts on the radio for a day (bodies and request headers)
 * over brotli-11 of its whole day's columnar stream in one piece. The goal is at
 * most 1.3x; this runs the benchmark's first 8 employee-days (same seed) so a
 * default that drifts fails here, not only in a benchmark nobody reran.
 *
 * The guard sits at 1.31, not at the 1.3 goal: the decided default (brotli-5 over
 * 15-minute batches) measures 1.302 here, and the settings that pass 1.3 trade
 * freshness (30-minute batches: 1.265) or CPU (brotli-10: about 20x) for it.
 * That choice is the steering's; until it is made, any drift upward fails.
 */
import { constants, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG } from '../../src/agent/config.js';
import type { Transport, UploadOutcome, UploadRequest } from '../../src/agent/transport.js';
import { DEFAULT_BEHAVIOUR_PARAMS, type DayEnvironment } from '../../src/behaviour/index.js';
import { createCalendar } from '../../src/time/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../../src/population/index.js';
import { DEFAULT_POLICY_RULES, isExempt } from '../../src/policy/index.js';
import { runLaptopDay } from '../../src/run/laptop-day.js';
import { codecFromContentEncoding, decompress } from '../../src/wire/index.js';

/** Accepts every upload; keeps the decompressed bodies for the floor. */
class RecordingTransport implements Transport {
  readonly encoded: Uint8Array[] = [];
  async send(req: UploadRequest): Promise<UploadOutcome> {
    this.encoded.push(decompress(codecFromContentEncoding(req.headers['content-encoding']), req.body, { maxOutputBytes: 64 << 20 }));
    let headerBytes = 0;
    for (const [k, v] of Object.entries(req.headers)) headerBytes += k.length + v.length + 4;
    // Request line and Host/Content-Length, as bench:agent counts them.
    return { kind: 'response', status: 200, requestBytes: req.body.byteLength + headerBytes + 80 };
  }
}

const SEED = 'bench-agent';
const DAYS = 8;
const GUARD_RATIO = 1.31;

describe('default agent bytes against the brotli-11 whole-day floor', () => {
  it(`stay under ${GUARD_RATIO}x over ${DAYS} simulated employee-days`, async () => {
    const P = DEFAULT_POPULATION_PARAMS;
    const env: DayEnvironment = {
      seed: SEED,
      calendar: createCalendar(
        '2026-03-03',
        P.offices.map((o) => o.timezone),
      ),
      behaviour: DEFAULT_BEHAVIOUR_PARAMS,
      pauseTraits: P.pause,
      rules: DEFAULT_POLICY_RULES,
    };
    let radioBytes = 0;
    let floorBytes = 0;
    let days = 0;
    for (let i = 0; days < DAYS; i++) {
      const employee = createEmployee(SEED, i, P);
      if (isExempt(employee.exemptionRequested, employee.exemptionDraw, DEFAULT_POLICY_RULES)) continue;
      const transport = new RecordingTransport();
      const r = await runLaptopDay({ employee, day: 0, env, agentConfig: DEFAULT_AGENT_CONFIG, transport });
      expect(r.agent.ledger.lost).toBe(0);
      const whole = Buffer.concat(transport.encoded);
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
    // Measured 1.302 with the default 15-minute batches, 1.265 with 30-minute ones.
    expect(ratio).toBeLessThan(GUARD_RATIO);
  });
});
