// Piscina entry point: one shard of laptops through the real agent per task, in virtual time or paced. Logic lives in src/run.
import { runPacedShard, type PacedShardTask } from '../src/run/realtime/paced-shard.js';
import { runShard, type RunShardResult, type RunShardTask } from '../src/run/shard.js';

export default function simulate(task: RunShardTask | PacedShardTask): Promise<RunShardResult> {
  return 'pacing' in task ? runPacedShard(task) : runShard(task);
}
