/**
 * Which upstream resources a poll should fetch. Each resource has its own period (cheap,
 * fast-changing things every poll; library totals, disk space and updates rarely), can be
 * invalidated (a webhook said the library changed) and is due again when its last fetch
 * started before the latest invalidation. A sequence number, not the clock, orders fetches and
 * invalidations, so an invalidation arriving while a fetch is in flight is never lost.
 */
export class Cadence<K extends string> {
  readonly #periods: Readonly<Record<K, number>>;
  readonly #fetchedAt = new Map<K, number>();
  readonly #fetchedSeq = new Map<K, number>();
  readonly #invalidSeq = new Map<K, number>();
  #seq = 0;
  readonly #now: () => number;

  /** `periods` in milliseconds (0 = every poll). */
  constructor(periods: Readonly<Record<K, number>>, now: () => number = () => Date.now()) {
    this.#periods = periods;
    this.#now = now;
  }

  due(key: K): boolean {
    const at = this.#fetchedAt.get(key);
    if (at === undefined) return true;
    if ((this.#invalidSeq.get(key) ?? -1) > (this.#fetchedSeq.get(key) ?? -1)) return true;
    return this.#now() - at >= this.#periods[key];
  }

  /** Call before fetching; pass the token to `done` when the fetch succeeded. */
  begin(_key: K): number {
    return ++this.#seq;
  }

  done(key: K, token: number): void {
    this.#fetchedAt.set(key, this.#now());
    this.#fetchedSeq.set(key, Math.max(token, this.#fetchedSeq.get(key) ?? 0));
  }

  /** A failed optional fetch: try again after `ms` instead of the full period. */
  retryIn(key: K, token: number, ms: number): void {
    this.done(key, token);
    this.#fetchedAt.set(key, this.#now() - Math.max(0, this.#periods[key] - ms));
  }

  invalidate(keys: Iterable<K>): void {
    const seq = ++this.#seq;
    for (const k of keys) this.#invalidSeq.set(k, seq);
  }

  /** Keys invalidated after their last fetch started. */
  stale(keys: Iterable<K>): K[] {
    return [...keys].filter((k) => (this.#invalidSeq.get(k) ?? -1) > (this.#fetchedSeq.get(k) ?? -1));
  }
}
