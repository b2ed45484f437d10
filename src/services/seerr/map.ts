import type { MediaKind } from './api.js';
import type { MediaRequest, RequestCount } from './schemas.js';
import type { MediaTitle } from './titles.js';

/** `<base>/<instance>/requests`: flat counts from GET /request/count. */
export interface RequestCountsState {
  total: number;
  movie: number;
  tv: number;
  pending: number;
  approved: number;
  declined: number;
  processing: number;
  available: number;
  /** Seerr 3.x only: absent (not null) when the app does not count it. */
  completed?: number;
}

/** `<base>/<instance>/requests`: flat counts from GET /request/count. */
export function requestCountsState(c: RequestCount): RequestCountsState {
  const out: RequestCountsState = {
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

/** `<base>/<instance>/issues`: GET /issue/count as it answers. */
export interface IssuesState {
  total: number;
  open: number;
  closed: number;
  video: number;
  audio: number;
  subtitles: number;
  others: number;
}

/** `<base>/<instance>/server`: version and update flag from GET /status. */
export interface ServerState {
  version: string;
  update_available: boolean;
  commits_behind: number;
  restart_required: boolean;
}

/** `<base>/<instance>/request_event` (not retained): the HA event entity reads `event_type`. */
export type RequestEventPayload = { event_type: 'new_request' } & NewRequestData;

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

/** `<base>/<instance>/pending`. */
export interface PendingState {
  count: number;
  /** HA attributes: an object (HA refuses a list), `total` beside the bounded list. */
  list: { total: number; requests: PendingItem[] };
}

/** `<base>/<instance>/pending`: the count, and the newest `list_limit` requests as HA attributes. */
export function pendingState(total: number, items: PendingItem[], listLimit: number): PendingState {
  return { count: total, list: { total, requests: items.slice(0, listLimit) } };
}

/**
 * What the new_request event carries, on `<base>/bridge/event` and on the HA event entity. A
 * `type` (not an interface): emitEvent takes it as a `Record<string, unknown>`.
 */
export type NewRequestData = {
  request_id: number;
  title: string;
  year: number | null;
  media_type: PendingItem['type'];
  tmdb_id: number | null;
  requested_by: string;
  requested_at: string | null;
  is4k: boolean;
  /** What saw it first: a poll of the pending list or the app's webhook. */
  source: 'poll' | 'webhook';
};

/** What the new_request event carries, on `<base>/bridge/event` and on the HA event entity. */
export function newRequestData(item: PendingItem, source: 'poll' | 'webhook'): NewRequestData {
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
