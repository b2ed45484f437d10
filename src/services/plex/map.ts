import type { Activity, Metadata, PlexSession, Section, UpdaterStatus } from './schemas.js';

/**
 * Pure mappings from Plex answers to the state objects media2mqtt publishes: the same topics
 * and field names as Jellyfin's where the meaning is the same (sessions, library, recent, scan).
 */

export type PlayMethod = 'direct_play' | 'direct_stream' | 'transcode';
export type LibraryField = 'movies' | 'series' | 'episodes' | 'artists' | 'albums' | 'songs';
export const LIBRARY_FIELDS: readonly LibraryField[] = ['movies', 'series', 'episodes', 'artists', 'albums', 'songs'];

/**
 * What to count per section type, as PMS search types: movie 1, show 2, episode 4, artist 8,
 * album 9, track 10 (python-plexapi `utils.SEARCHTYPES`; the community spec's `MediaType` enum
 * numbers music 5–7, which PMS does not use). Photo and other sections are not counted.
 */
export const SECTION_COUNTS: Record<string, { field: LibraryField; type: number }[]> = {
  movie: [{ field: 'movies', type: 1 }],
  show: [
    { field: 'series', type: 2 },
    { field: 'episodes', type: 4 },
  ],
  artist: [
    { field: 'artists', type: 8 },
    { field: 'albums', type: 9 },
    { field: 'songs', type: 10 },
  ],
};

/** Activity type of a section scan (GET /activities). */
export const SCAN_ACTIVITY = 'library.update.section';

const MAX_TITLE = 200;
const cut = (s: string) => (s.length > MAX_TITLE ? `${s.slice(0, MAX_TITLE - 1)}…` : s);
const pad = (n: number) => String(n).padStart(2, '0');

/** "The Last of Us – S01E03 – Long, Long Time", "Fleetwood Mac – Rumours", "Parasite (2019)". */
export function itemTitle(m: Metadata): string {
  switch (m.type) {
    case 'episode': {
      const se = m.parentIndex !== undefined && m.index !== undefined ? ` – S${pad(m.parentIndex)}E${pad(m.index)}` : '';
      return cut(m.grandparentTitle ? `${m.grandparentTitle}${se} – ${m.title}` : m.title);
    }
    case 'season':
    case 'album':
      return cut(m.parentTitle ? `${m.parentTitle} – ${m.title}` : m.title);
    case 'track':
      return cut(m.grandparentTitle ? `${m.grandparentTitle} – ${m.title}` : m.title);
    case 'movie':
      return cut(m.year ? `${m.title} (${m.year})` : m.title);
    default:
      return cut(m.title);
  }
}

/** Plex metadata type → the kind media2mqtt publishes (Jellyfin's names where they match). */
export function itemKind(type: string): string {
  return ({ show: 'series', track: 'song' } as Record<string, string>)[type] ?? type;
}

/** Epoch seconds → ISO string, or null. */
export function isoFromEpoch(s: number | undefined): string | null {
  return s !== undefined && Number.isFinite(s) && s > 0 ? new Date(s * 1000).toISOString() : null;
}

export interface SectionCount {
  section: Section;
  counts: Partial<Record<LibraryField, number>>;
}

/** One section in the library's attribute list: its counts by field, only those its type has. */
export type PlexSectionItem = { title: string; type: string } & Partial<Record<LibraryField, number>>;

/** `<base>/<instance>/library`: totals over all sections, and the sections as attributes. */
export type PlexLibraryState = Record<LibraryField, number> & {
  sections: number;
  list: { total: number; items: PlexSectionItem[] };
};

/** One recently added item. */
export interface PlexRecentItem {
  title: string;
  kind: string;
  added: string | null;
  year?: number;
}

/** `<base>/<instance>/recent`: newest first, the list bounded by `list_limit` (Jellyfin's shape). */
export interface PlexRecentState {
  count: number;
  latest: string | null;
  latest_added: string | null;
  list: { total: number; items: PlexRecentItem[] };
}

/** `<base>/<instance>/scan`: the section scans running now. */
export interface PlexScanState {
  running: boolean;
  /** Mean % of the scans that report one; 0 while idle. */
  progress: number;
  /** Sections being scanned. */
  sections: number;
  title: string | null;
}

/** `<base>/<instance>/server`: the installed version and the release PMS offers. */
export interface PlexServerState {
  name: string | null;
  version: string;
  update_available: boolean;
  /** The offered release, else the installed version. */
  latest_version: string;
}

/** Totals over all sections (two movie libraries add up), and per-section counts as attributes. */
export function libraryState(sections: SectionCount[], limit: number): PlexLibraryState {
  // In LIBRARY_FIELDS order (the payload's key order).
  const totals: Record<LibraryField, number> = { movies: 0, series: 0, episodes: 0, artists: 0, albums: 0, songs: 0 };
  for (const s of sections) for (const f of LIBRARY_FIELDS) totals[f] += s.counts[f] ?? 0;
  const items: PlexSectionItem[] = sections.slice(0, limit).map((s) => ({ title: s.section.title, type: s.section.type, ...s.counts }));
  return { ...totals, sections: sections.length, list: { total: sections.length, items } };
}

export function recentState(items: Metadata[], limit: number): PlexRecentState {
  const list: PlexRecentItem[] = items.slice(0, limit).map((m) => ({
    title: itemTitle(m),
    kind: itemKind(m.type),
    added: isoFromEpoch(m.addedAt),
    ...(m.year ? { year: m.year } : {}),
  }));
  const first = list[0];
  return { count: list.length, latest: first?.title ?? null, latest_added: first?.added ?? null, list: { total: list.length, items: list } };
}

/**
 * As Tautulli decides it (`transcode_decision`): any stream transcoded is a transcode, a stream
 * copied into a new container is a direct stream, no transcode session at all is direct play.
 */
export function playMethod(s: PlexSession): PlayMethod {
  const t = s.TranscodeSession;
  if (!t) return 'direct_play';
  if (t.videoDecision === 'transcode' || t.audioDecision === 'transcode') return 'transcode';
  if (t.videoDecision === 'copy' || t.audioDecision === 'copy') return 'direct_stream';
  return 'direct_play';
}

/** Section scans in /activities; progress -1 means indeterminate (spec) and is left out of the mean. */
export function scanState(activities: Activity[]): PlexScanState {
  const scans = activities.filter((a) => a.type === SCAN_ACTIVITY);
  const known = scans.map((a) => a.progress).filter((p): p is number => p !== undefined && p >= 0);
  const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : 0;
  return {
    running: scans.length > 0,
    progress: Math.round(mean * 10) / 10,
    sections: scans.length,
    title: scans[0]?.title ?? null,
  };
}

/** A release PMS knows about and has not installed, skipped or failed: an update is available. */
export function serverState(version: string, friendlyName: string | null, updater: UpdaterStatus | null): PlexServerState {
  const pending = (updater?.Release ?? []).find((r) => ['available', 'downloading', 'downloaded', 'installing', 'tonight', 'notify'].includes(r.state ?? ''));
  return {
    name: friendlyName,
    version,
    update_available: Boolean(pending),
    latest_version: pending?.version ?? version,
  };
}
