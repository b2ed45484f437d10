/**
 * Turns monotonically increasing counters (bytes read, bytes received) into per-second rates.
 * The first sample of a key only sets its baseline; a counter that went backwards (wrap, driver
 * reload, device re-plugged) resets the baseline instead of producing a negative rate.
 */
export class RateTracker {
  #last = new Map<string, { at: number; values: number[] }>();

  /** Rates per second for each counter of `key`, or null on its first (or reset) sample. */
  update(key: string, values: number[], atMs: number): number[] | null {
    const prev = this.#last.get(key);
    this.#last.set(key, { at: atMs, values });
    if (!prev || prev.values.length !== values.length) return null;
    const seconds = (atMs - prev.at) / 1000;
    if (seconds <= 0) return null;
    const rates: number[] = [];
    for (let i = 0; i < values.length; i++) {
      const delta = values[i]! - prev.values[i]!;
      if (delta < 0) return null;
      rates.push(delta / seconds);
    }
    return rates;
  }

  /** Forget keys that no longer exist, so a device that comes back starts from a fresh baseline. */
  retain(keys: Iterable<string>): void {
    const keep = new Set(keys);
    for (const k of this.#last.keys()) if (!keep.has(k)) this.#last.delete(k);
  }
}
