import { PushCoalescer } from '../push.js';
import { THROTTLED } from './live-map.js';
import type { Resource } from './webhook.js';

/** Live messages within this window share one targeted refresh. */
export const LIVE_COALESCE_MS = 1000;
/**
 * The most often a throttled resource (THROTTLED: the series/movie list, wanted counts, calendar,
 * disk) is re-read because of live messages. Five minutes keeps a busy evening of imports within
 * the request budget (half of Home Assistant's integration); the queue itself is never behind.
 */
export const LIVE_MIN_GAP_MS = 300_000;
/**
 * The queue is re-read on live messages at most this often: a change after a quiet spell is read
 * at once, a stream of progress messages from many downloads costs one read per gap.
 */
export const LIVE_QUEUE_GAP_MS = 2_000;

/**
 * Turns a stream of live messages into targeted refreshes: resources pile up in one set and a
 * PushCoalescer runs one refresh per burst; the dearer resources (library list, counts) are
 * read at most once per LIVE_MIN_GAP_MS, the first at once and the rest of a burst once more
 * at the end of the gap (leading and trailing edge), so a sweep of thousands of `series`
 * updates costs a read every half minute, not one per message.
 */
export class LiveRefresher {
  readonly #run: (resources: Resource[]) => Promise<void>;
  readonly #minGapMs: number;
  readonly #queueGapMs: number;
  readonly #pending = new Set<Resource>();
  readonly #lastRun = new Map<Resource, number>();
  readonly #deferred = new Map<Resource, NodeJS.Timeout>();
  readonly #coalescer: PushCoalescer;
  #stopped = false;

  constructor(run: (resources: Resource[]) => Promise<void>, options: { coalesceMs?: number; minGapMs?: number; queueGapMs?: number } = {}) {
    this.#run = run;
    this.#minGapMs = options.minGapMs ?? LIVE_MIN_GAP_MS;
    this.#queueGapMs = options.queueGapMs ?? LIVE_QUEUE_GAP_MS;
    this.#coalescer = new PushCoalescer(() => this.#fire(), options.coalesceMs ?? LIVE_COALESCE_MS);
  }

  push(resources: readonly Resource[]): void {
    if (this.#stopped) return;
    for (const r of resources) {
      const gap = this.#gap(r);
      const wait = gap ? (this.#lastRun.get(r) ?? -Infinity) + gap - Date.now() : 0;
      if (wait <= 0) this.#add(r);
      else if (!this.#deferred.has(r)) {
        this.#deferred.set(r, setTimeout(() => {
          this.#deferred.delete(r);
          this.#add(r);
        }, wait));
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#deferred.values()) clearTimeout(t);
    this.#deferred.clear();
    this.#pending.clear();
    this.#coalescer.stop();
  }

  #gap(r: Resource): number {
    return THROTTLED.has(r) ? this.#minGapMs : r === 'queue' ? this.#queueGapMs : 0;
  }

  #add(r: Resource): void {
    if (this.#stopped) return;
    this.#pending.add(r);
    // The refresh reports its own failures (availability, last error); nothing to do with them here.
    this.#coalescer.trigger().catch(() => undefined);
  }

  async #fire(): Promise<void> {
    const resources = [...this.#pending];
    this.#pending.clear();
    if (!resources.length) return;
    const now = Date.now();
    for (const r of resources) if (this.#gap(r)) this.#lastRun.set(r, now);
    await this.#run(resources);
  }
}
