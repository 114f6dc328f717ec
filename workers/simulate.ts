// Piscina entry point: one shard of laptops through the real agent per task. Logic lives in src/run.
import { runShard, type RunShardResult, type RunShardTask } from '../src/run/shard.js';

export default function simulate(task: RunShardTask): Promise<RunShardResult> {
  return runShard(task);
}
