import { isoTime, text } from '../servarr/format.js';
import type { MovieRecord } from './schemas.js';

export interface RadarrLibrary {
  movies: number;
  monitored: number;
  unmonitored: number;
  with_files: number;
  /** Monitored movies without a file, available or not (wanted/missing counts only the available ones). */
  monitored_without_files: number;
  size_on_disk: number;
}

function hasFile(m: MovieRecord): boolean {
  // `hasFile` is nullable in the spec; the statistics say the same thing.
  return m.hasFile ?? (m.statistics?.movieFileCount ?? 0) > 0;
}

/**
 * Library totals from GET /api/v3/movie. Radarr has no count endpoint, so the list is read rarely
 * (hourly, and after imports/adds/deletes) instead of every 30 s as Home Assistant's integration does.
 */
export function mapMovieLibrary(movies: readonly MovieRecord[]): RadarrLibrary {
  const monitored = movies.filter((m) => m.monitored);
  return {
    movies: movies.length,
    monitored: monitored.length,
    unmonitored: movies.length - monitored.length,
    with_files: movies.filter(hasFile).length,
    monitored_without_files: monitored.filter((m) => !hasFile(m)).length,
    size_on_disk: movies.reduce((a, m) => a + (m.sizeOnDisk ?? m.statistics?.sizeOnDisk ?? 0), 0),
  };
}

export type ReleaseKind = 'cinemas' | 'digital' | 'physical';

export interface UpcomingMovie {
  title: string | null;
  year: number | null;
  /** Which release falls in the window: in cinemas, digital or physical. */
  release: ReleaseKind;
  date: string;
}

export interface RadarrUpcoming {
  count: number;
  next: string | null;
  attributes: { total: number; items: UpcomingMovie[] };
}

/**
 * Movies from GET /api/v3/calendar: Radarr lists a movie when any of its release dates (in
 * cinemas, digital, physical) is in the window; the earliest such date is the one shown.
 */
export function mapRadarrCalendar(movies: readonly MovieRecord[], start: Date, end: Date, listLimit: number): RadarrUpcoming {
  const items: UpcomingMovie[] = [];
  for (const m of movies) {
    const dates: [ReleaseKind, string | null][] = [
      ['cinemas', isoTime(m.inCinemas)],
      ['digital', isoTime(m.digitalRelease)],
      ['physical', isoTime(m.physicalRelease)],
    ];
    const inWindow = dates
      .filter((d): d is [ReleaseKind, string] => d[1] !== null && Date.parse(d[1]) >= start.getTime() && Date.parse(d[1]) <= end.getTime())
      .sort((a, b) => a[1].localeCompare(b[1]));
    const first = inWindow[0];
    if (first) items.push({ title: text(m.title), year: m.year ?? null, release: first[0], date: first[1] });
  }
  items.sort((a, b) => a.date.localeCompare(b.date));
  return { count: items.length, next: items[0]?.date ?? null, attributes: { total: items.length, items: items.slice(0, listLimit) } };
}
