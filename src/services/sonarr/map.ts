import { episodeCode, isoTime, text } from '../servarr/format.js';
import type { CalendarEpisode, SeriesRecord } from './schemas.js';

export interface SonarrLibrary {
  series: number;
  monitored: number;
  unmonitored: number;
  continuing: number;
  ended: number;
  /** SeriesStatistics.episodeCount: monitored episodes that aired or have a file (the UI's "x / y" denominator). */
  episodes: number;
  episodes_with_files: number;
  /** SeriesStatistics.totalEpisodeCount: every known episode, future and unmonitored included. */
  episodes_total: number;
  size_on_disk: number;
}

/** Library totals from GET /api/v3/series; the per-series statistics carry the episode counts. */
export function mapSeriesLibrary(series: readonly SeriesRecord[]): SonarrLibrary {
  const sum = (pick: (s: NonNullable<SeriesRecord['statistics']>) => number | undefined) => series.reduce((acc, s) => acc + (s.statistics ? (pick(s.statistics) ?? 0) : 0), 0);
  const monitored = series.filter((s) => s.monitored).length;
  const ended = series.filter((s) => s.ended ?? s.status === 'ended').length;
  return {
    series: series.length,
    monitored,
    unmonitored: series.length - monitored,
    continuing: series.filter((s) => s.status === 'continuing').length,
    ended,
    episodes: sum((st) => st.episodeCount),
    episodes_with_files: sum((st) => st.episodeFileCount),
    episodes_total: sum((st) => st.totalEpisodeCount),
    size_on_disk: sum((st) => st.sizeOnDisk),
  };
}

export interface UpcomingEpisode {
  series: string | null;
  episode: string;
  title: string | null;
  air_date: string | null;
}

export interface SonarrUpcoming {
  count: number;
  /** Air time of the next episode (ISO, UTC), null when none in the window. */
  next: string | null;
  attributes: { total: number; items: UpcomingEpisode[] };
}

/** Episodes from GET /api/v3/calendar (start=now, end=now+upcoming_days), soonest first. */
export function mapSonarrCalendar(episodes: readonly CalendarEpisode[], listLimit: number): SonarrUpcoming {
  const items = episodes
    .map((e) => ({ air: isoTime(e.airDateUtc), e }))
    .sort((a, b) => (a.air ?? '').localeCompare(b.air ?? ''))
    .map(({ air, e }) => ({ series: text(e.series?.title), episode: episodeCode(e.seasonNumber, e.episodeNumber), title: text(e.title), air_date: air }));
  const next = items.find((i) => i.air_date !== null)?.air_date ?? null;
  return { count: items.length, next, attributes: { total: items.length, items: items.slice(0, listLimit) } };
}
