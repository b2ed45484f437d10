import type { EntityDef } from '../../ha/entity.js';
import { updateEntity } from '../../ha/platforms.js';
import type { ServiceStates } from '../../mqtt/contract.js';
import type { SessionStates } from '../../sessions/publish.js';
import type { LibraryField, PlexLibraryState, PlexRecentState, PlexScanState, PlexServerState } from './map.js';

/** State object names under `<base>/<instance>/`; part of the MQTT contract (README, "Plex"). */
export const PlexState = {
  server: 'server',
  library: 'library',
  recent: 'recent',
  sessions: 'sessions',
  scan: 'scan',
} as const;

/**
 * Everything a Plex instance publishes under `<base>/<instance>/`: its own states, the playback
 * sessions' (`sessions`, `stats`, the `playback_event` event) and `status`.
 */
export type PlexStates = ServiceStates &
  SessionStates & {
    server: PlexServerState;
    library: PlexLibraryState;
    recent: PlexRecentState;
    scan: PlexScanState;
  };

/** A library total: the entity key is the field. */
const count = (key: LibraryField, name: string, icon: string, enabledByDefault = true): EntityDef<PlexStates> => ({
  key, platform: 'sensor', name, state: PlexState.library, field: key, stateClass: 'measurement', icon,
  ...(enabledByDefault ? {} : { enabledByDefault: false }),
});

/**
 * No expire_after: library totals and the scan state are retained and published only when they
 * change, so "no message for a while" means "unchanged"; instance availability covers outages.
 */
export function plexEntities(): EntityDef<PlexStates>[] {
  return [
    count('movies', 'Movies', 'mdi:movie'),
    count('series', 'Series', 'mdi:television-classic'),
    count('episodes', 'Episodes', 'mdi:television-play'),
    count('artists', 'Artists', 'mdi:account-music', false),
    count('albums', 'Albums', 'mdi:album'),
    count('songs', 'Songs', 'mdi:music-note'),
    { key: 'recently_added', platform: 'sensor', name: 'Recently added', state: PlexState.recent, field: 'latest', icon: 'mdi:new-box', attributesField: 'list' },
    { key: 'library_scan', platform: 'binary_sensor', name: 'Library scan', state: PlexState.scan, field: 'running', deviceClass: 'running' },
    { key: 'library_scan_progress', platform: 'sensor', name: 'Library scan progress', state: PlexState.scan, field: 'progress', unit: '%', stateClass: 'measurement', precision: 0, icon: 'mdi:progress-clock' },
    { key: 'update_available', platform: 'binary_sensor', name: 'Update available', state: PlexState.server, field: 'update_available', deviceClass: 'update', entityCategory: 'diagnostic' },
    // GET /updater/status: the release Plex offers (map.ts serverState).
    updateEntity({ state: PlexState.server, installedField: 'version', latestField: 'latest_version', title: 'Plex Media Server' }),
  ];
}
