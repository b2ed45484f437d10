/**
 * When a slowly changing part of the state is due again. A media server has cheap state that
 * changes every second (sessions) and state that is dearer and changes a few times a day
 * (library totals, recently added, version); fetching the latter on every poll would multiply
 * the requests for nothing. A part is due after its period, at once after `force()`, and stays
 * due until a fetch succeeds, so a failed poll does not skip it.
 */
export class Cadence {
  readonly #periodMs: () => number;
  #last = Number.NEGATIVE_INFINITY;
  #forced = true;
  /** Bumped by every force(), so a fetch that began before a push does not clear it. */
  #generation = 0;

  constructor(periodSeconds: () => number) {
    this.#periodMs = () => periodSeconds() * 1000;
  }

  due(now = Date.now()): boolean {
    // 10 % slack: polls land on the scheduler's jittered interval, not exactly on the period.
    return this.#forced || now - this.#last >= this.#periodMs() * 0.9;
  }

  /** A ticket for a fetch that starts now; pass it to done() when the fetch succeeded. */
  begin(): number {
    return this.#generation;
  }

  /** The fetch that got `ticket` succeeded; a force() since then keeps the part due. */
  done(ticket: number, now = Date.now()): void {
    this.#last = now;
    if (ticket === this.#generation) this.#forced = false;
  }

  force(): void {
    this.#forced = true;
    this.#generation++;
  }

  /** Forced and not yet fetched. */
  get forced(): boolean {
    return this.#forced;
  }
}
