/**
 * npm run bench:agent [-- --json] [--employees N]
 *
 * What the capture agent costs a laptop, measured on simulated employee-days
 * (default population, one weekday each, exempt employees left out): bytes
 * uploaded per day side by side with (a) a naive agent sending one JSON object
 * per event, gzip'd, per minute and (c) brotli-11 of the agent's whole-day
 * columnar stream as a practical floor; agent CPU time per laptop-hour (CPU
 * time around agent code only, on this thread), wake-ups, and the battery
 * proxy of the energy model. Several agent configurations run on the same days,
 * and compression settings side by side on the default agent's own batches.
 */
import './lib/flag-errors.js';
import { constants, brotliCompressSync, gzipSync } from 'node:zlib';
import { DEFAULT_AGENT_CONFIG, type AgentConfig } from '../src/agent/index.js';
import { defaultDayEnvironment } from '../src/behaviour/index.js';
import { estimateEnergy } from '../src/metrics/energy.js';
import { DEFAULT_POLICY_RULES, isExempt } from '../src/policy/index.js';
import { DEFAULT_POPULATION_PARAMS, createEmployee } from '../src/population/index.js';
import { encodeNaiveJson } from '../src/wire/index.js';
import { allocateBlock, copyBlock, type EventBlock } from '../src/events/index.js';
import { runLaptopDay } from '../src/run/laptop-day.js';
import { brotliWindowBits, compress } from '../src/wire/codecs.js';
import { decodeBatch, encodeBatch } from '../src/wire/index.js';
import { intFlag, median, printTable, wantsJson } from './lib/output.js';
import { RecordingTransport } from './lib/recording-transport.js';

const SEED = 'bench-agent';
const wanted = intFlag('employees', 24);
const P = DEFAULT_POPULATION_PARAMS;
const env = defaultDayEnvironment(SEED);
const staff = [];
for (let i = 0; staff.length < wanted; i++) {
  const e = createEmployee(SEED, i, P);
  if (!isExempt(e.exemptionRequested, e.exemptionDraw, DEFAULT_POLICY_RULES)) staff.push(e);
}

/** "br-10, 300 s": how the configuration tables name a codec, level and batch age. */
const describe = (c: AgentConfig) =>
  `${c.codec}${c.compressionLevel !== undefined ? `-${c.compressionLevel}` : ''}, ${c.batchMaxAgeMs / 1000} s`;
const configs: { name: string; config: AgentConfig }[] = [
  { name: `default (${describe(DEFAULT_AGENT_CONFIG)}, path 2 px)`, config: DEFAULT_AGENT_CONFIG },
  { name: 'gzip-6, 60 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'gzip', compressionLevel: 6, batchMaxAgeMs: 60_000 } },
  { name: 'br-5, 60 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 5, batchMaxAgeMs: 60_000 } },
  { name: 'br-5, 300 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 5, batchMaxAgeMs: 300_000 } },
  { name: 'br-9, 300 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 9, batchMaxAgeMs: 300_000 } },
  { name: 'no coalescing', config: { ...DEFAULT_AGENT_CONFIG, coalesce: { mode: 'none' } } },
  // Longer batches: fewer headers and more context per body, so a cheap level comes near the floor.
  { name: 'br-5, 600 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 5, batchMaxAgeMs: 600_000 } },
  { name: 'br-5, 900 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 5, batchMaxAgeMs: 900_000 } },
  { name: 'br-5, 1200 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 5, batchMaxAgeMs: 1_200_000 } },
  { name: 'br-5, 1800 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 5, batchMaxAgeMs: 1_800_000 } },
  { name: 'br-4, 1800 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 4, batchMaxAgeMs: 1_800_000 } },
  { name: 'br-10, 1800 s', config: { ...DEFAULT_AGENT_CONFIG, codec: 'br', compressionLevel: 10, batchMaxAgeMs: 1_800_000 } },
];

/**
 * Compression settings compared on the same encoded batches (the default
 * agent's, day by day): bytes and the CPU each costs. "brotli window 22" is
 * brotli's default window with the size hint (what the agent sent before its
 * window was fitted to the batch); the others go through the agent's codec.
 */
const brotliWithWindow = (quality: number, windowBits: number) => (d: Uint8Array) =>
  brotliCompressSync(d, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: d.byteLength,
      [constants.BROTLI_PARAM_LGWIN]: windowBits,
    },
  });
/** Brotli at `quality` with the agent's fitted window and size hint, plus `params`. */
const brotliWith = (quality: number, params: Record<number, number>) => (d: Uint8Array) =>
  brotliCompressSync(d, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: d.byteLength,
      [constants.BROTLI_PARAM_LGWIN]: brotliWindowBits(d.byteLength),
      ...params,
    },
  });
const SETTINGS: { name: string; compress: (d: Uint8Array) => Uint8Array; encode?: 1 | 2 }[] = [
  // The agent's work per batch in each wire format, side by side: encode the batch's events, then brotli-5.
  { name: 'format 1: encode + br-5', compress: (d) => compress('br', d, 5), encode: 1 },
  { name: 'format 2: encode + br-5', compress: (d) => compress('br', d, 5), encode: 2 },
  { name: 'br-5, window 22', compress: brotliWithWindow(5, 22) },
  // brotli's other knobs at level 5 (on format 1 and 2 alike each within 0.1 % of the bytes of plain br-5):
  // distance codes for fixed strides, no literal context modeling, font mode (its own distance codes).
  { name: 'br-5, NPOSTFIX 1', compress: brotliWith(5, { [constants.BROTLI_PARAM_NPOSTFIX]: 1 }) },
  { name: 'br-5, literal contexts off', compress: brotliWith(5, { [constants.BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING]: 1 }) },
  { name: 'br-5, mode font', compress: brotliWith(5, { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_FONT }) },
  { name: 'br-5 (fitted window)', compress: (d) => compress('br', d, 5) },
  { name: 'br-9, window 22', compress: brotliWithWindow(9, 22) },
  { name: 'br-9 (fitted window)', compress: (d) => compress('br', d, 9) },
  { name: 'br-10, window 22', compress: brotliWithWindow(10, 22) },
  { name: 'br-10, window 16', compress: brotliWithWindow(10, 16) },
  { name: 'br-10 (fitted window)', compress: (d) => compress('br', d, 10) },
  { name: 'br-11 (fitted window)', compress: (d) => compress('br', d, 11) },
  { name: 'gzip-6', compress: (d) => compress('gzip', d, 6) },
  { name: 'gzip-9', compress: (d) => compress('gzip', d, 9) },
];
const settingBytesPerDay = SETTINGS.map(() => [] as number[]);
const settingCpuUs = SETTINGS.map(() => 0);
let settingBatches = 0;

interface Row {
  name: string;
  bytesPerDay: number[];
  bytesPerEvent: number;
  cpuPerLaptopHour: number;
  wakeupsPerActiveMinute: number;
  batteryPctPerDay: number[];
  floorPerDay: number[];
  format1FloorPerDay: number[];
  perBatchFloorPerDay: number[];
  naivePerDay: number[];
  energySplit: { cpu: number; wakeups: number; radioBytes: number; transmissions: number };
}

const NAIVE_BATCH_MS = 60_000;
const rows: Row[] = [];
for (const { name, config } of configs) {
  const row: Row = {
    name,
    bytesPerDay: [],
    bytesPerEvent: 0,
    cpuPerLaptopHour: 0,
    wakeupsPerActiveMinute: 0,
    batteryPctPerDay: [],
    floorPerDay: [],
    format1FloorPerDay: [],
    perBatchFloorPerDay: [],
    naivePerDay: [],
    energySplit: { cpu: 0, wakeups: 0, radioBytes: 0, transmissions: 0 },
  };
  let cpu = 0;
  let hours = 0;
  let wakeups = 0;
  let activeMinutes = 0;
  let bytes = 0;
  let produced = 0;
  const baselines = config === DEFAULT_AGENT_CONFIG;
  for (const employee of staff) {
    const transport = new RecordingTransport();
    const raw: EventBlock[] = [];
    const r = await runLaptopDay({
      employee,
      day: 0,
      env,
      agentConfig: config,
      transport,
      ...(baselines ? { tap: (b: EventBlock) => raw.push(copyBlock(b)) } : {}),
    });
    const radio = r.agent.costs.radioBytes;
    const energy = estimateEnergy({
      cpuSeconds: r.agentCpuSeconds,
      wakeups: r.agent.costs.wakeups,
      radioBytes: radio,
      transmissions: r.agent.costs.uploads,
    });
    row.bytesPerDay.push(radio);
    row.batteryPctPerDay.push(energy.batteryPct);
    for (const k of Object.keys(row.energySplit) as (keyof Row['energySplit'])[]) row.energySplit[k] += energy.byTerm[k];
    cpu += r.agentCpuSeconds;
    hours += r.workHours;
    wakeups += r.agent.costs.wakeups;
    activeMinutes += r.activeMinutes;
    bytes += radio;
    produced += r.produced;
    if (baselines) {
      const encoded = transport.encoded();
      const whole = Buffer.concat(encoded);
      const br11 = (d: Uint8Array) =>
        brotliCompressSync(d, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: d.byteLength } })
          .byteLength;
      row.floorPerDay.push(br11(whole));
      const decoded = encoded.map((e) => decodeBatch(e));
      row.format1FloorPerDay.push(br11(Buffer.concat(decoded.map((d) => encodeBatch(d, {}, 1)))));
      row.perBatchFloorPerDay.push(encoded.reduce((a, e) => a + br11(e), 0));
      row.naivePerDay.push(naiveBytes(raw, env.calendar.epochUtcMs, employee.id));
      // Everything but the bodies (request lines, headers, retries' extra bodies) is the same for every setting.
      const overhead = radio - transport.bodies.reduce((a, b) => a + b.body.byteLength, 0);
      settingBatches += encoded.length;
      SETTINGS.forEach((setting, i) => {
        const c0 = process.cpuUsage();
        let bodies = 0;
        if (setting.encode !== undefined)
          for (const d of decoded) bodies += setting.compress(encodeBatch(d, {}, setting.encode)).byteLength;
        else for (const e of encoded) bodies += setting.compress(e).byteLength;
        const c = process.cpuUsage(c0);
        settingCpuUs[i]! += c.user + c.system;
        settingBytesPerDay[i]!.push(bodies + overhead);
      });
    }
  }
  row.cpuPerLaptopHour = cpu / hours;
  row.wakeupsPerActiveMinute = wakeups / activeMinutes;
  row.bytesPerEvent = bytes / produced;
  rows.push(row);
}

/** A naive agent: every event as a JSON object, one gzip'd upload per minute. */
function naiveBytes(raw: readonly EventBlock[], epochMs: number, deviceId: string): number {
  let total = 0;
  let chunk: EventBlock[] = [];
  let chunkStart = -1;
  const flush = () => {
    if (chunk.length === 0) return;
    const n = chunk.reduce((a, b) => a + b.length, 0);
    const events = concat(chunk, n, epochMs);
    const json = encodeNaiveJson({
      header: {
        batchId: new Uint8Array(16),
        deviceId,
        sequence: 0,
        windowStartMs: events.t_ms[0]!,
        windowEndMs: events.t_ms[n - 1]!,
        agentVersion: 'naive',
      },
      controls: [],
      events,
    });
    total += gzipSync(json).byteLength + 200;
    chunk = [];
  };
  for (const b of raw) {
    // Split blocks on minute boundaries of the batch clock.
    let from = 0;
    for (let i = 0; i < b.length; i++) {
      if (chunkStart < 0) chunkStart = b.t_ms[i]!;
      if (b.t_ms[i]! - chunkStart >= NAIVE_BATCH_MS) {
        chunk.push(slice(b, from, i));
        flush();
        from = i;
        chunkStart = b.t_ms[i]!;
      }
    }
    chunk.push(slice(b, from, b.length));
  }
  flush();
  return total;
}

function slice(b: EventBlock, from: number, to: number): EventBlock {
  return {
    length: to - from,
    t_ms: b.t_ms.subarray(from, to),
    type: b.type.subarray(from, to),
    key: b.key.subarray(from, to),
    x: b.x.subarray(from, to),
    y: b.y.subarray(from, to),
    button: b.button.subarray(from, to),
    context: b.context.subarray(from, to),
    flags: b.flags.subarray(from, to),
  };
}

function concat(blocks: readonly EventBlock[], n: number, epochMs: number): EventBlock {
  const out = allocateBlock(n);
  let o = 0;
  for (const b of blocks) {
    for (let i = 0; i < b.length; i++) out.t_ms[o + i] = Math.round(b.t_ms[i]! + epochMs);
    out.type.set(b.type, o);
    out.key.set(b.key, o);
    out.x.set(b.x, o);
    out.y.set(b.y, o);
    out.button.set(b.button, o);
    out.context.set(b.context, o);
    out.flags.set(b.flags, o);
    o += b.length;
  }
  return out;
}

const q = (a: readonly number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.round(p * (a.length - 1)))] ?? 0;
const def = rows[0]!;
const figures = {
  employees: staff.length,
  bytes_per_laptop_day: Math.round(median(def.bytesPerDay)),
  bytes_per_laptop_day_p95: Math.round(q(def.bytesPerDay, 0.95)),
  naive_json_gzip_bytes_per_laptop_day: Math.round(median(def.naivePerDay)),
  brotli11_floor_bytes_per_laptop_day: Math.round(median(def.floorPerDay)),
  brotli11_floor_format1_bytes_per_laptop_day: Math.round(median(def.format1FloorPerDay)),
  brotli11_per_batch_floor_bytes_per_laptop_day: Math.round(median(def.perBatchFloorPerDay)),
  ratio_to_floor: Number((median(def.bytesPerDay) / median(def.floorPerDay)).toFixed(2)),
  naive_over_agent: Number((median(def.naivePerDay) / median(def.bytesPerDay)).toFixed(1)),
  bytes_per_event: Number(def.bytesPerEvent.toFixed(3)),
  cpu_seconds_per_laptop_hour: Number(def.cpuPerLaptopHour.toFixed(3)),
  cpu_pct_of_one_core: Number(((100 * def.cpuPerLaptopHour) / 3600).toFixed(4)),
  wakeups_per_active_minute: Number(def.wakeupsPerActiveMinute.toFixed(3)),
  battery_pct_per_day: Number(median(def.batteryPctPerDay).toFixed(4)),
  battery_pct_per_day_p95: Number(q(def.batteryPctPerDay, 0.95).toFixed(4)),
  compression_settings: SETTINGS.map((setting, i) => ({
    setting: setting.name,
    bytes_per_laptop_day: Math.round(median(settingBytesPerDay[i]!)),
    ratio_to_floor: Number((median(settingBytesPerDay[i]!) / median(def.floorPerDay)).toFixed(3)),
    cpu_ms_per_batch: Number((settingCpuUs[i]! / 1000 / settingBatches).toFixed(3)),
    cpu_ms_per_laptop_day: Number((settingCpuUs[i]! / 1000 / staff.length).toFixed(1)),
  })),
  configs: rows.map((r) => ({
    config: r.name,
    bytes_per_laptop_day: Math.round(median(r.bytesPerDay)),
    ratio_to_floor: Number((median(r.bytesPerDay) / median(def.floorPerDay)).toFixed(3)),
    cpu_seconds_per_laptop_hour: Number(r.cpuPerLaptopHour.toFixed(4)),
    wakeups_per_active_minute: Number(r.wakeupsPerActiveMinute.toFixed(3)),
    battery_pct_per_day: Number(median(r.batteryPctPerDay).toFixed(4)),
  })),
};

if (wantsJson()) {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
} else {
  printTable(
    `Bytes per laptop-day, median of ${staff.length} simulated employee-days (same days for every row)`,
    ['upload', 'bytes/day (p50)', 'bytes/day (p95)', 'vs agent'],
    [
      [
        'naive JSON per event + gzip, 60 s',
        median(def.naivePerDay),
        q(def.naivePerDay, 0.95),
        median(def.naivePerDay) / median(def.bytesPerDay),
      ],
      [`agent (default: ${describe(DEFAULT_AGENT_CONFIG)} batches)`, median(def.bytesPerDay), q(def.bytesPerDay, 0.95), 1],
      [
        'brotli-11, same batches (floor)',
        median(def.perBatchFloorPerDay),
        q(def.perBatchFloorPerDay, 0.95),
        median(def.perBatchFloorPerDay) / median(def.bytesPerDay),
      ],
      [
        'brotli-11, whole day in one (floor)',
        median(def.floorPerDay),
        q(def.floorPerDay, 0.95),
        median(def.floorPerDay) / median(def.bytesPerDay),
      ],
    ],
  );
  printTable(
    'Agent configurations on the same days',
    ['config', 'bytes/day p50', 'vs floor', 'CPU s/laptop-h', 'wake-ups/active min', 'battery %/day p50'],
    figures.configs.map((c) => [
      c.config,
      c.bytes_per_laptop_day,
      c.ratio_to_floor,
      c.cpu_seconds_per_laptop_hour,
      c.wakeups_per_active_minute,
      c.battery_pct_per_day,
    ]),
  );
  const defaultSetting = figures.compression_settings.find((c) => c.setting === 'br-10 (fitted window)')!;
  printTable(
    `Compression settings on the default agent's batches (${settingBatches} batches, same days; bytes include the requests' headers)`,
    ['setting', 'bytes/day p50', 'vs floor', 'CPU ms/batch', 'CPU ms/laptop-day', 'CPU vs br-10'],
    figures.compression_settings.map((c) => [
      c.setting,
      c.bytes_per_laptop_day,
      c.ratio_to_floor,
      c.cpu_ms_per_batch,
      c.cpu_ms_per_laptop_day,
      c.cpu_ms_per_laptop_day / defaultSetting.cpu_ms_per_laptop_day,
    ]),
  );
  const total = def.energySplit.cpu + def.energySplit.wakeups + def.energySplit.radioBytes + def.energySplit.transmissions;
  printTable(
    'Energy of the default agent by term (share of the total)',
    ['term', 'share'],
    Object.entries(def.energySplit).map(([k, v]) => [k, `${((100 * v) / total).toFixed(1)} %`]),
  );
}
