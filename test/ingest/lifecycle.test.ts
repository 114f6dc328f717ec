/**
 * The service's lifecycle as a library: what start() and stop() accept, and what they leave behind.
 */
import { describe, expect, it } from 'vitest';
import { startServer } from './helpers.js';

describe('stopping the ingest service', () => {
  it('refuses a drain timeout setTimeout would read as 1 ms (NaN, negative, past 2^31 - 1), and still stops when told right', async () => {
    const srv = await startServer();
    try {
      for (const drainTimeoutMs of [Number.NaN, -5, 2 ** 31, Number.POSITIVE_INFINITY]) {
        await expect(srv.server.stop({ drainTimeoutMs })).rejects.toThrow(/drainTimeoutMs must be a number of ms from 0 to 2147483647/);
      }
      // Refused before anything closed: the service still answers.
      expect(srv.server.address().port).toBeGreaterThan(0);
    } finally {
      await srv.stop();
    }
  });
});
