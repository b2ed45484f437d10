/** How many announced ids are remembered before the oldest are folded into the baseline. */
const MAX_REMEMBERED = 500;

/**
 * Decides which requests are new: request ids only grow, so everything at or below the highest id
 * seen at start is backlog, and every id above it is announced once, whether a webhook or a poll
 * saw it first. Nothing is persisted: after a restart the backlog is simply the new baseline.
 */
export class NewRequestTracker {
  #baseline: number | null = null;
  readonly #announced = new Set<number>();

  get ready(): boolean {
    return this.#baseline !== null;
  }

  get baseline(): number | null {
    return this.#baseline;
  }

  /** The highest request id that existed at start (0 when there were none). */
  setBaseline(highestId: number): void {
    if (this.#baseline === null) this.#baseline = highestId;
  }

  /** True exactly once for each request id newer than the baseline. */
  claim(id: number): boolean {
    if (this.#baseline === null || id <= this.#baseline || this.#announced.has(id)) return false;
    this.#announced.add(id);
    if (this.#announced.size > MAX_REMEMBERED) {
      // Forget the oldest ids by raising the baseline above them: they can never be new again.
      const sorted = [...this.#announced].sort((a, b) => a - b);
      for (const old of sorted.slice(0, sorted.length - MAX_REMEMBERED)) {
        this.#announced.delete(old);
        this.#baseline = Math.max(this.#baseline, old);
      }
    }
    return true;
  }
}
