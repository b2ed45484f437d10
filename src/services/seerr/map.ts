import type { MediaKind } from './api.js';
import type { MediaRequest, RequestCount } from './schemas.js';
import type { MediaTitle } from './titles.js';

/** `<base>/<instance>/requests`: flat counts from GET /request/count. */
export function requestCountsState(c: RequestCount): Record<string, number> {
  const out: Record<string, number> = {
    total: c.total,
    movie: c.movie,
    tv: c.tv,
    pending: c.pending,
    approved: c.approved,
    declined: c.declined,
    processing: c.processing,
    available: c.available,
  };
  if (c.completed !== undefined) out.completed = c.completed;
  return out;
}

/** movie or tv, from the request's `type` or its media's `mediaType`; null when neither says. */
export function mediaKind(r: Pick<MediaRequest, 'type' | 'media'>): MediaKind | null {
  const t = r.type ?? r.media?.mediaType;
  return t === 'movie' || t === 'tv' ? t : null;
}

/** Who asked, as the app shows it: displayName, else the local or media-server user name. Never the e-mail. */
export function requesterName(user: MediaRequest['requestedBy']): string {
  if (!user) return 'unknown';
  return user.displayName || user.username || user.plexUsername || user.jellyfinUsername || `user ${user.id}`;
}

/** One pending request as published (HA attributes, Node-RED, the new_request event). */
export interface PendingItem {
  id: number;
  title: string;
  year: number | null;
  type: MediaKind | 'unknown';
  tmdb_id: number | null;
  requested_by: string;
  /** ISO timestamp from the request's createdAt, null when absent. */
  requested_at: string | null;
  is4k: boolean;
}

export function pendingItem(r: MediaRequest, title: MediaTitle | null): PendingItem {
  const tmdbId = r.media?.tmdbId ?? null;
  return {
    id: r.id,
    title: title?.title ?? (tmdbId !== null ? `TMDB ${tmdbId}` : `request ${r.id}`),
    year: title?.year ?? null,
    type: mediaKind(r) ?? 'unknown',
    tmdb_id: tmdbId,
    requested_by: requesterName(r.requestedBy),
    requested_at: r.createdAt ?? null,
    is4k: r.is4k ?? false,
  };
}

/** `<base>/<instance>/pending`: the count, and the newest `list_limit` requests as HA attributes. */
export function pendingState(total: number, items: PendingItem[], listLimit: number): Record<string, unknown> {
  return { count: total, list: { total, requests: items.slice(0, listLimit) } };
}

/** What the new_request event carries, on `<base>/bridge/event` and on the HA event entity. */
export function newRequestData(item: PendingItem, source: 'poll' | 'webhook'): Record<string, unknown> {
  return {
    request_id: item.id,
    title: item.title,
    year: item.year,
    media_type: item.type,
    tmdb_id: item.tmdb_id,
    requested_by: item.requested_by,
    requested_at: item.requested_at,
    is4k: item.is4k,
    source,
  };
}
