import type { ServarrMessage } from './signalr.js';
import type { Resource } from './webhook.js';

/**
 * Which resources a live (SignalR) message makes stale, the same targeted refresh a webhook
 * leads to. Names are the API resources the apps broadcast (RestControllerWithSignalR takes the
 * controller's route: `queue`, `queue/status`, `series`, `movie`, `episodefile`, `moviefile`,
 * `rootfolder`, `wanted/missing`, `calendar`…); the frontend's SignalRListener.tsx reacts to the
 * same names. The body's resource is never used: the numbers come from the REST API, as with
 * webhooks.
 */
export function liveRefresh(m: ServarrMessage): Resource[] {
  switch (m.name) {
    // QueueController broadcasts `sync` and QueueStatusController the new counts (debounced 5 s
    // upstream) whenever tracked downloads refresh: grabs, progress, completion, removal.
    case 'queue':
    case 'queue/status':
    case 'queue/details':
      return ['queue'];
    // HealthController: `sync` after every health check run.
    case 'health':
      return ['health'];
    case 'rootfolder':
      return ['rootfolders', 'disk'];
    // A file imported, upgraded or deleted: totals, size on disk, missing and free space change.
    case 'episodefile':
    case 'moviefile':
      return ['library', 'wanted', 'disk'];
    // A series/movie added, deleted, (un)monitored or refreshed.
    case 'series':
    case 'movie':
      return ['library', 'wanted', 'calendar'];
    // An episode (un)monitored or given a file; its air date may have moved.
    case 'episode':
      return ['wanted', 'calendar'];
    case 'calendar':
      return ['calendar'];
    case 'wanted/missing':
    case 'wanted/cutoff':
      return ['wanted'];
    // Commands (`command`) report progress; what they change arrives as its own messages.
    // `version` is handled by the service (a new version means status + update are stale).
    default:
      return [];
  }
}

/**
 * Resources whose live-triggered refreshes are spaced out: a RefreshSeries/RefreshMovie sweep
 * broadcasts one `series`/`episode` update per item for minutes, and each of these reads is a
 * whole list or two counts. The queue and health stay immediate (one small read each).
 */
export const THROTTLED: ReadonlySet<Resource> = new Set(['library', 'wanted', 'calendar', 'disk', 'rootfolders', 'status', 'update']);
