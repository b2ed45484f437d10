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

/** Totals over all sections (two movie libraries add up), and per-section counts as attributes. */
export function libraryState(sections: SectionCount[], limit: number): Record<string, unknown> {
  const totals = Object.fromEntries(LIBRARY_FIELDS.map((f) => [f, 0])) as Record<LibraryField, number>;
  for (const s of sections) for (const f of LIBRARY_FIELDS) totals[f] += s.counts[f] ?? 0;
  const items = sections.slice(0, limit).map((s) => ({ title: s.section.title, type: s.section.type, ...s.counts }));
  return { ...totals, sections: sections.length, list: { total: sections.length, items } };
}

export function recentState(items: Metadata[], limit: number): Record<string, unknown> {
  const list = items.slice(0, limit).map((m) => ({
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
export function scanState(activities: Activity[]): Record<string, unknown> & { running: boolean } {
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
export function serverState(version: string, friendlyName: string | null, updater: UpdaterStatus | null): Record<string, unknown> {
  const pending = (updater?.Release ?? []).find((r) => ['available', 'downloading', 'downloaded', 'installing', 'tonight', 'notify'].includes(r.state ?? ''));
  return {
    name: friendlyName,
    version,
    update_available: Boolean(pending),
    latest_version: pending?.version ?? version,
  };
}
