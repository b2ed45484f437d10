import { recentState, type RecentState } from '../servarr/recent.js';
import type { EntityDef } from '../../ha/entity.js';
import { ServarrState, bytesSensor, countSensor, type ServarrNouns, type ServarrStates } from '../servarr/entities.js';
import { ServarrService } from '../servarr/service.js';
import type { WebhookPlan } from '../servarr/webhook.js';
import { mapMovieLibrary, mapRadarrCalendar, type RadarrLibrary, type RadarrUpcoming } from './map.js';
import { movieListSchema } from './schemas.js';
import { radarrWebhookPlan } from './webhook.js';
import { SHARED } from '../seerr/lifecycle/names.js';

/** A Radarr instance (API v3, Radarr v3 to v5). */
/** Everything a Radarr instance publishes under `<base>/<instance>/`. */
export type RadarrStates = ServarrStates<RadarrLibrary, RadarrUpcoming>;

export class RadarrService extends ServarrService<RadarrStates> {
  readonly type = 'radarr' as const;
  protected readonly manufacturer = 'Radarr';
  protected readonly model = 'Radarr';
  protected readonly nouns: ServarrNouns = {
    unit: 'movies',
    missing: 'Missing movies',
    cutoff: 'Cutoff unmet movies',
    upcoming: 'Upcoming movies',
    next: 'Next release',
    recent: 'Recently added movies',
  };

  protected async fetchLibrary(signal: AbortSignal): Promise<{ library: RadarrLibrary; recent: RecentState }> {
    // excludeLocalCovers: Radarr then skips a file-system lookup per movie for poster URLs we never read.
    const movies = await this.api.get('/movie', movieListSchema, signal, { excludeLocalCovers: true });
    this.ctx.share(SHARED.servarrLibrary, movies);
    return { library: mapMovieLibrary(movies), recent: recentState(movies, this.ctx.cfg.list_limit) };
  }

  protected async fetchUpcoming(signal: AbortSignal, start: Date, end: Date): Promise<RadarrUpcoming> {
    const movies = await this.api.get('/calendar', movieListSchema, signal, { start: start.toISOString(), end: end.toISOString(), unmonitored: false });
    return mapRadarrCalendar(movies, start, end, this.ctx.cfg.list_limit);
  }

  protected queueQuery(): Record<string, string | number | boolean> {
    // includeMovie: the request lifecycle joins a download to its request by the movie's tmdbId.
    return { includeUnknownMovieItems: true, includeMovie: true };
  }

  protected webhookPlan(eventType: string, body: Record<string, unknown>): WebhookPlan | null {
    return radarrWebhookPlan(eventType, body);
  }

  protected serviceEntities(): EntityDef<RadarrStates>[] {
    const L = ServarrState.library;
    return [
      countSensor('movies', 'Movies', L, 'movies', 'movies', 'mdi:movie'),
      countSensor('movies_monitored', 'Monitored movies', L, 'monitored', 'movies', 'mdi:movie-check'),
      countSensor('movies_with_files', 'Movies with files', L, 'with_files', 'movies', 'mdi:file-video'),
      bytesSensor('size_on_disk', 'Size on disk', L, 'size_on_disk', { icon: 'mdi:harddisk', enabledByDefault: false }),
      ...this.sharedEntities(),
    ];
  }
}
