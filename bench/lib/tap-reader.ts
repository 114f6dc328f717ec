/**
 * A bare tap reader: connects, decodes, counts, nothing else. Its CPU per
 * event is what delivery alone costs a Node process (the floor under
 * `fleetsim agent`). With INTERVAL_MS > 0 it reads in batches (read-pacing.ts).
 * Usage: node tap-reader.js SOCKET [INTERVAL_MS]
 */
import { TapSource } from '../../src/input/tap/index.js';

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: tap-reader SOCKET\n');
  process.exit(2);
}
let events = 0;
const source = new TapSource(
  path,
  {
    onEnd: () => {
      process.stdout.write(`${JSON.stringify({ events, deliveries: source.deliveries })}\n`);
      void source.close();
    },
    onError: (e) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 3;
    },
  },
  { readIntervalMs: Number(process.argv[3] ?? 0) },
);
await source.start((b) => (events += b.length));
