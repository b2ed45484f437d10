import { UpstreamError } from '../../errors.js';
import type { MediaKind } from './api.js';

export interface MediaTitle {
  title: string;
  year: number | null;
}

type Fetch = (kind: MediaKind, tmdbId: number, signal: AbortSignal) => Promise<{ title: string; date: string | null }>;

/** Errors that say the upstream as a whole is unusable: the poll must fail, not one title. */
const FATAL = new Set(['AUTH', 'UNREACHABLE', 'TIMEOUT']);
/** A title that could not be read (TMDB hiccup, deleted id) is retried at most this often. */
const RETRY_MS = 60 * 60_000;
/** Titles never change; this only bounds memory for an instance that runs for years. */
const MAX_TITLES = 5000;

/**
 * Request lists carry only a TMDB id; the title needs `/movie/{id}` or `/tv/{id}`. Titles are
 * kept for the life of the process, so each one costs one request once.
 */
export class TitleCache {
  readonly #fetch: Fetch;
  readonly #now: () => number;
  readonly #titles = new Map<string, MediaTitle>();
  readonly #failedAt = new Map<string, number>();

  constructor(fetch: Fetch, now: () => number = Date.now) {
    this.#fetch = fetch;
    this.#now = now;
  }

  get size(): number {
    return this.#titles.size;
  }

  peek(kind: MediaKind, tmdbId: number): MediaTitle | undefined {
    return this.#titles.get(`${kind}:${tmdbId}`);
  }

  /** The title, or null when it cannot be read now (never throws for one bad title). */
  async get(kind: MediaKind, tmdbId: number, signal: AbortSignal): Promise<MediaTitle | null> {
    const key = `${kind}:${tmdbId}`;
    const known = this.#titles.get(key);
    if (known) return known;
    const failed = this.#failedAt.get(key);
    if (failed !== undefined && this.#now() - failed < RETRY_MS) return null;
    try {
      const { title, date } = await this.#fetch(kind, tmdbId, signal);
      const year = date && /^\d{4}/.test(date) ? Number(date.slice(0, 4)) : null;
      const value = { title, year };
      if (this.#titles.size >= MAX_TITLES) this.#titles.delete(this.#titles.keys().next().value!);
      this.#titles.set(key, value);
      this.#failedAt.delete(key);
      return value;
    } catch (err) {
      if (signal.aborted || !(err instanceof UpstreamError) || FATAL.has(err.code)) throw err;
      this.#failedAt.set(key, this.#now());
      return null;
    }
  }
}
