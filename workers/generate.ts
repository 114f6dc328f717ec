// Piscina entry point: one shard of the fleet per task. Logic lives in src/generate.
import { generateShard, type GenerateShardResult, type GenerateShardTask } from '../src/generate/shard.js';

export default function generate(task: GenerateShardTask): GenerateShardResult {
  return generateShard(task);
}
