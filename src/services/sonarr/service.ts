import { recentState, type RecentState } from '../servarr/recent.js';
import type { EntityDef } from '../../ha/entity.js';
import { ServarrState, bytesSensor, countSensor, type ServarrNouns, type ServarrStates } from '../servarr/entities.js';
import { ServarrService } from '../servarr/service.js';
import type { WebhookPlan } from '../servarr/webhook.js';
import { mapSeriesLibrary, mapSonarrCalendar, type SonarrLibrary, type SonarrUpcoming } from './map.js';
import { calendarSchema, seriesListSchema } from './schemas.js';
import { seriesEpisodes, type SeriesEpisodes } from './wanted.js';
import { sonarrWebhookPlan } from './webhook.js';
import { SHARED } from '../seerr/lifecycle/names.js';

/** A Sonarr instance (API v3, Sonarr v3 and v4). */
/** Everything a Sonarr instance publishes under `<base>/<instance>/`. */
export type SonarrStates = ServarrStates<SonarrLibrary, SonarrUpcoming>;

export class SonarrService extends ServarrService<SonarrStates> {
  readonly type = 'sonarr' as const;
  protected readonly manufacturer = 'Sonarr';
  protected readonly model = 'Sonarr';
  protected readonly nouns: ServarrNouns = {
    unit: 'episodes',
    missing: 'Missing episodes',
    cutoff: 'Cutoff unmet episodes',
    upcoming: 'Upcoming episodes',
    next: 'Next episode',
    recent: 'Recently added series',
  };

  protected async fetchLibrary(signal: AbortSignal): Promise<{ library: SonarrLibrary; recent: RecentState }> {
    const series = await this.api.get('/series', seriesListSchema, signal);
    this.ctx.share(SHARED.servarrLibrary, series);
    return { library: mapSeriesLibrary(series), recent: recentState(series, this.ctx.cfg.list_limit) };
  }

  protected async fetchUpcoming(signal: AbortSignal, start: Date, end: Date): Promise<SonarrUpcoming> {
    // includeSeries: the series title comes with each episode (the window is a few days, so small).
    const episodes = await this.api.get('/calendar', calendarSchema, signal, { start: start.toISOString(), end: end.toISOString(), unmonitored: false, includeSeries: true });
    return mapSonarrCalendar(episodes, this.ctx.cfg.list_limit);
  }

  /** One series' episodes with files and its missing ones from the wanted list (the missing-volumes feature). */
  seriesEpisodes(seriesId: number, signal: AbortSignal): Promise<SeriesEpisodes> {
    return seriesEpisodes(this.api, seriesId, signal);
  }

  protected queueQuery(): Record<string, string | number | boolean> {
    // includeSeries: the request lifecycle joins a download to its request by the series' tvdbId.
    return { includeUnknownSeriesItems: true, includeSeries: true };
  }

  protected webhookPlan(eventType: string, body: Record<string, unknown>): WebhookPlan | null {
    return sonarrWebhookPlan(eventType, body);
  }

  protected serviceEntities(): EntityDef<SonarrStates>[] {
    const L = ServarrState.library;
    return [
      countSensor('series', 'Series', L, 'series', 'series', 'mdi:television'),
      countSensor('series_monitored', 'Monitored series', L, 'monitored', 'series', 'mdi:television-classic'),
      countSensor('episodes_with_files', 'Episodes with files', L, 'episodes_with_files', 'episodes', 'mdi:file-video'),
      { ...countSensor('episodes', 'Monitored episodes', L, 'episodes', 'episodes', 'mdi:filmstrip-box-multiple'), enabledByDefault: false },
      bytesSensor('size_on_disk', 'Size on disk', L, 'size_on_disk', { icon: 'mdi:harddisk', enabledByDefault: false }),
      ...this.sharedEntities(),
    ];
  }
}
