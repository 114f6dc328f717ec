/**
 * How a format-2 batch names the key of a KEYUP (schema/batch.proto, key_up):
 * by its place among the keys still held, not by its code. A key is almost
 * always released a few events after it was pressed, while at most a few
 * others are down, so the place is 0–2 where the code is any of ~100. On the
 * behaviour model's days (bench:agent's) it cut the default agent's brotli-5
 * bodies by about 4 %, on top of the unsigned time steps of format 2.
 *
 * Encoder and decoder keep the same list with the same rules, so the list is
 * never sent: KEYDOWN appends its key unless it is held already (auto-repeat
 * presses a held key again), dropping the oldest when MAX_HELD_KEYS are held;
 * a KEYUP of a held key is its index (0 = held longest) and removes it; a
 * KEYUP of any other key (pressed before the batch began, or dropped from a
 * full list) is `held + 1 + key`, and changes nothing. Every batch starts with
 * an empty list.
 */

/**
 * Keys tracked at once: more than any hand holds down (USB boot keyboards
 * report 6), and few enough that a hostile batch of keydowns cannot make the
 * decoder search a long list per event.
 */
export const MAX_HELD_KEYS = 16;

export class HeldKeys {
  private readonly keys = new Int32Array(MAX_HELD_KEYS);
  private count = 0;

  /** Empties the list: a batch starts with none held. */
  reset(): void {
    this.count = 0;
  }

  press(key: number): void {
    const keys = this.keys;
    for (let i = 0; i < this.count; i++) if (keys[i] === key) return;
    if (this.count === MAX_HELD_KEYS) this.removeAt(0);
    keys[this.count++] = key;
  }

  /** The key_up value that releases `key` (key >= -1): its index if held (then no longer), else count + 1 + key. */
  releaseCode(key: number): number {
    const keys = this.keys;
    for (let i = 0; i < this.count; i++) {
      if (keys[i] === key) {
        this.removeAt(i);
        return i;
      }
    }
    return this.count + 1 + key;
  }

  /** The key a key_up value (>= 0) releases: the inverse of releaseCode. Beyond the held keys it may be any number; the caller checks its range. */
  releasedKey(code: number): number {
    if (code < this.count) {
      const key = this.keys[code] as number;
      this.removeAt(code);
      return key;
    }
    return code - this.count - 1;
  }

  private removeAt(i: number): void {
    // A loop, not copyWithin: the list is a few keys long, and the builtin's call costs more than the moves.
    const keys = this.keys;
    const last = --this.count;
    for (let j = i; j < last; j++) keys[j] = keys[j + 1] as number;
  }
}
