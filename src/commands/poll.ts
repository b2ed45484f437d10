import { setTimeout as delay } from 'node:timers/promises';
import { UpstreamError } from '../errors.js';

/**
 * Calls `check` until it returns a value (not undefined), waiting `firstMs` after the first try
 * and doubling up to `everyMs`. Stops with the signal (a cancelled job) and after `deadlineMs`.
 * For jobs that follow an upstream's own progress (a library scan, a task).
 */
export async function pollUntil<T>(service: string, what: string, signal: AbortSignal, check: () => Promise<T | undefined>, options: { firstMs?: number; everyMs?: number; deadlineMs?: number } = {}): Promise<T> {
  const deadline = AbortSignal.timeout(options.deadlineMs ?? 2 * 60 * 60_000);
  const both = AbortSignal.any([signal, deadline]);
  let wait = options.firstMs ?? 250;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    try {
      await delay(wait, undefined, { signal: both });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      throw new UpstreamError(service, `${what} did not finish before the deadline`, { code: 'TIMEOUT', cause: err });
    }
    wait = Math.min(options.everyMs ?? 2000, wait * 2);
  }
}
