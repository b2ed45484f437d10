/**
 * Runs `fn` once for a burst of pushes, at most once per `delayMs`. A push after a quiet period
 * runs at once (leading edge: the change is on MQTT within milliseconds, not after the window);
 * pushes that arrive while it runs, or within `delayMs` of the last run, join one trailing run.
 * A scan that adds fifty episodes sends fifty "item added" webhooks; this makes them one or two
 * refreshes.
 */
export class PushCoalescer {
  readonly #fn: () => Promise<void>;
  readonly #delayMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #stopped = false;
  #waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  #lastFire = -Infinity;

  constructor(fn: () => Promise<void>, delayMs: number) {
    this.#fn = fn;
    this.#delayMs = delayMs;
  }

  /** Resolves when a run that started after this push has finished. */
  trigger(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.#arm();
    });
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  #arm(): void {
    if (this.#timer || this.#running || this.#stopped) return;
    const wait = Math.max(0, this.#lastFire + this.#delayMs - Date.now());
    this.#timer = setTimeout(() => void this.#fire(), wait);
  }

  async #fire(): Promise<void> {
    this.#timer = null;
    this.#lastFire = Date.now();
    const waiters = this.#waiters.splice(0);
    this.#running = true;
    try {
      await this.#fn();
      for (const w of waiters) w.resolve();
    } catch (err) {
      for (const w of waiters) w.reject(err);
    } finally {
      this.#running = false;
      if (this.#waiters.length) this.#arm();
    }
  }
}
