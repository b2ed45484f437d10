import type { EntityDef } from '../../ha/entity.js';
import type { FieldOf, ServiceStates } from '../../mqtt/contract.js';
import type { SessionStates } from '../../sessions/publish.js';
import type { JellyfinLibraryState, JellyfinRecentState, JellyfinScanState, JellyfinServerState } from './map.js';

/** State object names under `<base>/<instance>/`; part of the MQTT contract (README, "Jellyfin"). */
export const JellyfinState = {
  server: 'server',
  library: 'library',
  recent: 'recent',
  sessions: 'sessions',
  scan: 'scan',
} as const;

/**
 * Everything a Jellyfin instance publishes under `<base>/<instance>/`: its own states, the
 * playback sessions' (`sessions`, `stats`, the `playback_event` event) and `status`.
 */
export type JellyfinStates = ServiceStates &
  SessionStates & {
    server: JellyfinServerState;
    library: JellyfinLibraryState;
    recent: JellyfinRecentState;
    scan: JellyfinScanState;
  };

const count = (key: string, name: string, field: FieldOf<JellyfinStates, typeof JellyfinState.library>, icon: string, enabledByDefault = true): EntityDef<JellyfinStates> => ({
  key, platform: 'sensor', name, state: JellyfinState.library, field, stateClass: 'measurement', icon,
  ...(enabledByDefault ? {} : { enabledByDefault: false }),
});

/**
 * No expire_after: library totals and the scan state are retained and published only when they
 * change, so "no message for a while" means "unchanged"; instance availability covers outages.
 */
export function jellyfinEntities(): EntityDef<JellyfinStates>[] {
  return [
    count('movies', 'Movies', 'movies', 'mdi:movie'),
    count('series', 'Series', 'series', 'mdi:television-classic'),
    count('episodes', 'Episodes', 'episodes', 'mdi:television-play'),
    count('artists', 'Artists', 'artists', 'mdi:account-music', false),
    count('albums', 'Albums', 'albums', 'mdi:album'),
    count('songs', 'Songs', 'songs', 'mdi:music-note'),
    count('books', 'Books', 'books', 'mdi:book-open-variant'),
    { key: 'recently_added', platform: 'sensor', name: 'Recently added', state: JellyfinState.recent, field: 'latest', icon: 'mdi:new-box', attributesField: 'list' },
    { key: 'library_scan', platform: 'binary_sensor', name: 'Library scan', state: JellyfinState.scan, field: 'running', deviceClass: 'running' },
    { key: 'library_scan_progress', platform: 'sensor', name: 'Library scan progress', state: JellyfinState.scan, field: 'progress', unit: '%', stateClass: 'measurement', precision: 0, icon: 'mdi:progress-clock' },
    { key: 'pending_restart', platform: 'binary_sensor', name: 'Restart pending', state: JellyfinState.server, field: 'pending_restart', entityCategory: 'diagnostic', icon: 'mdi:restart-alert' },
  ];
}
