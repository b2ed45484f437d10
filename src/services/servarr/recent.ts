import { isoTime } from './format.js';

/** What "recently added" counts: the predecessor showed the additions of the last 7 days. */
export const RECENT_DAYS = 7;
const DAY_MS = 86_400_000;

export interface RecentItem {
  title?: string | null;
  year?: number | null;
  added?: string | null;
}

/** `<base>/<instance>/recent`, the same shape as Jellyfin's and Plex's. */
export interface RecentState {
  /** Added in the last RECENT_DAYS days. */
  count: number;
  /** The newest addition, whenever it was. */
  latest: string | null;
  latest_added: string | null;
  list: { total: number; items: { title: string | null; year?: number; added: string }[] };
}

/**
 * Recent additions from the library list the bridge reads anyway (GET /api/v3/series or /movie,
 * each record's `added`): no extra upstream call. The list holds the newest `limit` additions,
 * whenever they were (as Plex's and Jellyfin's), `count` those of the last RECENT_DAYS days.
 */
export function recentState(records: readonly RecentItem[], limit: number, now = Date.now()): RecentState {
  const dated = records
    .map((r) => ({ title: r.title ?? null, year: r.year ?? null, added: isoTime(r.added) }))
    .filter((r): r is { title: string | null; year: number | null; added: string } => r.added !== null && r.added.slice(0, 4) > '0001')
    .sort((a, b) => b.added.localeCompare(a.added));
  const since = new Date(now - RECENT_DAYS * DAY_MS).toISOString();
  const items = dated.slice(0, limit).map((r) => ({ title: r.title, ...(r.year ? { year: r.year } : {}), added: r.added }));
  return {
    count: dated.filter((r) => r.added >= since).length,
    latest: dated[0]?.title ?? null,
    latest_added: dated[0]?.added ?? null,
    list: { total: items.length, items },
  };
}
