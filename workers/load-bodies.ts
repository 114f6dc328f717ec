// Piscina entry point: one chunk of load-run request bodies, re-headed and compressed at the agent's level. Logic lives in src/load.
import { prepareBodyChunk, type BodyChunkResult, type BodyChunkTask } from '../src/load/bodies.js';

export default function loadBodies(task: BodyChunkTask): BodyChunkResult {
  return prepareBodyChunk(task);
}
