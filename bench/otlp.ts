/**
 * OTLP/HTTP logs encoding cost against the fleetsim wire encoding, on a corpus
 * of real agent batches (the quickstart scenario's fleet for one day): CPU µs
 * per request and bytes per request, uncompressed and gzipped. `--laptops N`
 * sizes the corpus, `--ms N` the measuring time per encoder, `--json` prints
 * one JSON object.
 */
import './lib/flag-errors.js';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from '../src/load/corpus.js';
import { loadScenarioFile } from '../src/scenario/index.js';
import { intFlag, printTable, wantsJson } from './lib/output.js';
import { measureOtlpCost } from './lib/otlp-cost.js';

const SELF = fileURLToPath(import.meta.url);

async function main(): Promise<void> {
  const json = wantsJson();
  const laptops = intFlag('laptops', 4);
  const ms = intFlag('ms', 1500);
  const scenario = loadScenarioFile(join(SELF, '../../../scenarios/quickstart.yaml'));
  if (!json) process.stderr.write(`generating a corpus: ${laptops} laptops × 1 day through the real agent…\n`);
  const corpus = await generateCorpus(scenario, laptops, 2);
  const c = measureOtlpCost(
    corpus.templates.map((t) => t.batch),
    { minMs: ms, employeeId: 'employee-0001' },
  );
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  if (json) {
    process.stdout.write(`${JSON.stringify({ corpus: corpus.source, load_average: load, ...c })}\n`);
    return;
  }
  printTable(
    `OTLP logs vs fleetsim wire encoding, ${c.requests_measured} corpus batches (p50 ${c.events_per_request_p50} events), load average ${load}`,
    ['encoder', 'CPU µs/request', 'ratio to wire', 'bytes/request p50'],
    [
      ['fleetsim wire', c.wire.cpu_us_per_request, 1, c.wire.bytes_per_request_p50],
      [
        'fleetsim wire + gzip',
        c.wire_gzip.cpu_us_per_request,
        c.wire_gzip.cpu_us_per_request / c.wire.cpu_us_per_request,
        c.wire_gzip.bytes_per_request_p50,
      ],
      ['OTLP protobuf', c.otlp_protobuf.cpu_us_per_request, c.otlp_protobuf_ratio_to_wire, c.otlp_protobuf.bytes_per_request_p50],
      [
        'OTLP protobuf + gzip',
        c.otlp_protobuf_gzip.cpu_us_per_request,
        c.otlp_protobuf_gzip.cpu_us_per_request / c.wire.cpu_us_per_request,
        c.otlp_protobuf_gzip.bytes_per_request_p50,
      ],
      ['OTLP JSON', c.otlp_json.cpu_us_per_request, c.otlp_json_ratio_to_wire, c.otlp_json.bytes_per_request_p50],
      [
        'OTLP JSON + gzip',
        c.otlp_json_gzip.cpu_us_per_request,
        c.otlp_json_gzip.cpu_us_per_request / c.wire.cpu_us_per_request,
        c.otlp_json_gzip.bytes_per_request_p50,
      ],
    ],
  );
}

await main();
