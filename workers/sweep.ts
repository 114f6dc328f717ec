// Piscina entry point: one replica's slice of employees, counted for every cell of a sweep. Logic lives in src/sweep.
import { runFastTask, type FastTask, type FastTaskResult } from '../src/sweep/fast.js';

export default function sweep(task: FastTask): FastTaskResult {
  return runFastTask(task);
}
