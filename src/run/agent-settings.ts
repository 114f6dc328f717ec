/**
 * The agent settings a run measured, named in every report: figures of an
 * agent mean little without the codec, level and batching that produced them.
 */
import type { AgentConfig } from '../agent/index.js';
import type { AgentUnderTest } from '../scenario/index.js';
import { CODEC_LEVELS } from '../wire/index.js';

export interface AgentSettings {
  /** 'reference' (the capture agent inside the simulator), 'reference (process)' (fleetsim agent), or a process agent's program (whose settings are its own: the rest describes the scenario's agent section). */
  readonly agent: string;
  readonly version: string;
  readonly codec: string;
  /** The level in effect (the codec's default when the scenario leaves it out); null for identity. */
  readonly compression_level: number | null;
  readonly batch_max_age_s: number;
  readonly batch_max_events: number;
  /** 'none', 'rate <Hz>' or 'path <px>'. */
  readonly coalesce: string;
  readonly movement_gap_ms: number;
  readonly retry_base_s: number;
  readonly retry_max_s: number;
  readonly spool_max_mb: number;
}

export function agentSettings(a: AgentConfig, under: AgentUnderTest = { kind: 'reference' }): AgentSettings {
  const c = a.coalesce;
  return {
    agent: under.kind === 'process' ? (under.command ? (under.command[0] ?? '') : 'reference (process)') : 'reference',
    version: a.agentVersion,
    codec: a.codec,
    compression_level: a.codec === 'identity' ? null : (a.compressionLevel ?? CODEC_LEVELS[a.codec].default),
    batch_max_age_s: a.batchMaxAgeMs / 1000,
    batch_max_events: a.batchMaxEvents,
    coalesce: c.mode === 'none' ? 'none' : c.mode === 'rate' ? `rate ${c.maxRateHz} Hz` : `path ${c.maxErrorPx} px`,
    movement_gap_ms: a.movementGapMs,
    retry_base_s: a.upload.retryBaseMs / 1000,
    retry_max_s: a.upload.retryMaxMs / 1000,
    spool_max_mb: a.upload.spoolMaxBytes / 1e6,
  };
}

/** One line: "br level 11, batches of up to 15 min or 50,000 events, path coalescing at 4 px, retries 2–300 s". */
export function describeAgentSettings(s: AgentSettings): string {
  const age = s.batch_max_age_s >= 60 ? `${+(s.batch_max_age_s / 60).toFixed(2)} min` : `${s.batch_max_age_s} s`;
  const coalesce =
    s.coalesce === 'none' ? 'no coalescing' : `${s.coalesce.split(' ')[0]} coalescing at ${s.coalesce.split(' ').slice(1).join(' ')}`;
  return `${s.agent === 'reference' ? '' : `${s.agent}: `}${s.codec}${s.compression_level === null ? '' : ` level ${s.compression_level}`}, batches of up to ${age} or ${s.batch_max_events.toLocaleString('en-US')} events, ${coalesce}, retries ${s.retry_base_s}–${s.retry_max_s} s`;
}
