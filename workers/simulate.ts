// Piscina entry point: one shard of laptops through the real agent per task, in virtual time or paced. Logic lives in src/run.
import { runPacedShard, type PacedShardTask } from '../src/run/realtime/paced-shard.js';
import { runShard, type RunShardResult, type RunShardTask } from '../src/run/shard.js';
import { throwAcrossThreads } from '../src/pool/index.js';

export default function simulate(task: RunShardTask | PacedShardTask): Promise<RunShardResult> {
  // A user's broken adapter must reach the CLI as their error (exit 2), not as a failed worker.
  return ('pacing' in task ? runPacedShard(task) : runShard(task)).catch(throwAcrossThreads);
}
