import { EventColumns } from '../events/index.js';

/**
 * The batch being built. It grows as needed: a simulated fleet runs many
 * agents, so each starts small.
 */
export class BatchBuffer extends EventColumns {
  constructor(initialCapacity = 256) {
    super(initialCapacity);
  }

  protected full(): void {
    this.grow();
  }

  clear(): void {
    this.length = 0;
  }
}
