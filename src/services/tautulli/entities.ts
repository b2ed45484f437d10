import type { BaseServiceConfig } from '../settings.js';
import type { EntityDef } from '../../ha/entity.js';
import type { FieldOf, ServiceStates } from '../../mqtt/contract.js';
import type { SessionStates } from '../../sessions/publish.js';
import type { ActivityState, TautulliServerState } from './map.js';

/** State object names under `<base>/<instance>/` (README, "Tautulli"). */
export const TautulliState = {
  activity: 'activity',
  server: 'server',
} as const;

/**
 * Everything a Tautulli instance publishes under `<base>/<instance>/`: its own states, the
 * playback sessions' (`sessions`, `stats`, the `playback_event` event) and `status`.
 */
export type TautulliStates = ServiceStates &
  SessionStates & {
    activity: ActivityState;
    server: TautulliServerState;
  };

export function tautulliEntities(cfg: BaseServiceConfig): EntityDef<TautulliStates>[] {
  // Activity is polled at `interval` while streams run and `idle_interval` otherwise (3 misses → unavailable).
  const expireAfter = cfg.idle_interval * 3;
  // Tautulli reports bandwidth in kbps (get_activity), a valid data_rate unit as kbit/s.
  const rate = (key: string, name: string, field: FieldOf<TautulliStates, typeof TautulliState.activity>): EntityDef<TautulliStates> => ({
    key, platform: 'sensor', name, state: TautulliState.activity, field, deviceClass: 'data_rate', unit: 'kbit/s', stateClass: 'measurement', precision: 0, expireAfter,
  });
  // Streams, transcodes, direct plays/streams and bandwidth come from the playback sessions
  // (src/sessions/entities.ts, on `sessions`); LAN/WAN split stays on Tautulli's own totals.
  return [
    rate('lan_bandwidth', 'LAN bandwidth', 'lan_bandwidth'),
    rate('wan_bandwidth', 'WAN bandwidth', 'wan_bandwidth'),
    {
      key: 'plex_connected', platform: 'binary_sensor', name: 'Plex connection', state: TautulliState.server, field: 'plex_connected',
      deviceClass: 'connectivity', entityCategory: 'diagnostic',
    },
    { key: 'plex_version', platform: 'sensor', name: 'Plex version', state: TautulliState.server, field: 'plex_version', entityCategory: 'diagnostic', icon: 'mdi:plex' },
  ];
}
