import type { Item, ItemCounts, Session, SystemInfo, Task } from './schemas.js';

/**
 * Pure mappings from Jellyfin answers to the state objects media2mqtt publishes: flat numeric
 * fields for Grafana, plus one bounded `list` object per topic for Home Assistant attributes.
 */

/** Play methods as media2mqtt names them for every media server. */
export type PlayMethod = 'direct_play' | 'direct_stream' | 'transcode';

/** Key of the "Scan Media Library" task (Jellyfin's RefreshMediaLibraryTask). */
export const LIBRARY_SCAN_TASK_KEY = 'RefreshLibrary';

/** HA states are at most 255 characters; titles are cut well before. */
const MAX_TITLE = 200;

function cut(s: string): string {
  return s.length > MAX_TITLE ? `${s.slice(0, MAX_TITLE - 1)}…` : s;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "Severance – S02E03 – Who Is Alive?", "Daft Punk – Random Access Memories", "Dune: Part Two (2024)". */
export function itemTitle(i: Item): string {
  const name = i.Name ?? 'Unknown';
  if (i.Type === 'Episode' && i.SeriesName) {
    const se = i.ParentIndexNumber != null && i.IndexNumber != null ? ` – S${pad(i.ParentIndexNumber)}E${pad(i.IndexNumber)}` : '';
    return cut(`${i.SeriesName}${se} – ${name}`);
  }
  if ((i.Type === 'MusicAlbum' || i.Type === 'Audio') && i.AlbumArtist) return cut(`${i.AlbumArtist} – ${name}`);
  if (i.Type === 'Movie' && i.ProductionYear) return cut(`${name} (${i.ProductionYear})`);
  return cut(name);
}

/** BaseItemKind → the lower-case kind media2mqtt publishes. */
export function itemKind(type: string | undefined): string {
  switch (type) {
    case 'Movie':
      return 'movie';
    case 'Episode':
      return 'episode';
    case 'Series':
      return 'series';
    case 'MusicAlbum':
      return 'album';
    case 'Audio':
      return 'song';
    case 'Book':
    case 'AudioBook':
      return 'book';
    case 'MusicVideo':
      return 'music_video';
    default:
      return (type ?? 'unknown').toLowerCase();
  }
}

/** A date-time from Jellyfin as an ISO string with a time zone, or null when it is not a date. */
export function isoDate(s: string | null | undefined): string | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** `<base>/<instance>/server`. */
export interface JellyfinServerState {
  name: string | null;
  version: string | null;
  pending_restart: boolean;
  shutting_down: boolean;
}

/** `<base>/<instance>/library`: item counts (GET /Items/Counts). */
export interface JellyfinLibraryState {
  movies: number;
  series: number;
  episodes: number;
  artists: number;
  albums: number;
  songs: number;
  books: number;
  music_videos: number;
  box_sets: number;
}

/** One recently added item. */
export interface JellyfinRecentItem {
  title: string;
  kind: string;
  added: string | null;
  year?: number;
}

/** `<base>/<instance>/recent`: newest first, the list bounded by `list_limit`. */
export interface JellyfinRecentState {
  count: number;
  latest: string | null;
  latest_added: string | null;
  list: { total: number; items: JellyfinRecentItem[] };
}

/** `<base>/<instance>/scan`: the "Scan Media Library" task. */
export interface JellyfinScanState {
  running: boolean;
  /** %, 0 while idle. */
  progress: number;
  last_result: string | null;
  last_ended: string | null;
}

export function serverState(info: SystemInfo): JellyfinServerState {
  return {
    name: info.ServerName ?? null,
    version: info.Version ?? null,
    pending_restart: info.HasPendingRestart ?? false,
    shutting_down: info.IsShuttingDown ?? false,
  };
}

export function libraryState(c: ItemCounts): JellyfinLibraryState {
  return {
    movies: c.MovieCount,
    series: c.SeriesCount,
    episodes: c.EpisodeCount,
    artists: c.ArtistCount,
    albums: c.AlbumCount,
    songs: c.SongCount,
    books: c.BookCount,
    music_videos: c.MusicVideoCount ?? 0,
    box_sets: c.BoxSetCount ?? 0,
  };
}

/** Newest first, as the API sorted them; `limit` bounds the attribute list. */
export function recentState(items: Item[], limit: number): JellyfinRecentState {
  const list: JellyfinRecentItem[] = items.slice(0, limit).map((i) => ({
    title: itemTitle(i),
    kind: itemKind(i.Type),
    added: isoDate(i.DateCreated),
    ...(i.ProductionYear ? { year: i.ProductionYear } : {}),
  }));
  const first = list[0];
  return {
    count: list.length,
    latest: first?.title ?? null,
    latest_added: first?.added ?? null,
    list: { total: list.length, items: list },
  };
}

/**
 * Play method as jellyfin-web's dashboard shows it (playmethodhelper.js): a remux or a
 * video-direct transcode is a direct stream, `Transcode` is a transcode, and both `DirectStream`
 * (the file sent as it is over HTTP) and `DirectPlay` are direct play.
 */
export function playMethod(s: Session): PlayMethod | null {
  if (!s.NowPlayingItem) return null;
  const t = s.TranscodingInfo;
  if (t && (t.IsVideoDirect || !t.VideoCodec) && t.IsAudioDirect) return 'direct_stream';
  if (t?.IsVideoDirect) return 'direct_stream';
  switch (s.PlayState?.PlayMethod) {
    case 'Transcode':
      return 'transcode';
    case 'DirectStream':
    case 'DirectPlay':
      return 'direct_play';
    default:
      return null;
  }
}

/** The library scan task's state; `Cancelling` still counts as running (it has not stopped). */
export function scanState(tasks: Task[]): JellyfinScanState {
  const task = tasks.find((t) => t.Key === LIBRARY_SCAN_TASK_KEY);
  const running = task ? task.State !== 'Idle' : false;
  const pct = task?.CurrentProgressPercentage;
  return {
    running,
    // 0 while idle rather than null: a flat number Grafana can chart.
    progress: running && pct != null && Number.isFinite(pct) ? Math.round(Math.min(100, Math.max(0, pct)) * 10) / 10 : 0,
    last_result: task?.LastExecutionResult?.Status?.toLowerCase() ?? null,
    last_ended: isoDate(task?.LastExecutionResult?.EndTimeUtc),
  };
}
