import type { EntityDef } from '../../ha/entity.js';
import { updateEntity } from '../../ha/platforms.js';
import type { ServiceStates } from '../../mqtt/contract.js';
import type { HealthState, IndexersState, StatsState, UpdateState } from './map.js';

/** State object names under `<base>/<instance>/`; part of the MQTT contract (README, "Prowlarr"). */
export const ProwlarrState = {
  indexers: 'indexers',
  health: 'health',
  stats: 'stats',
  update: 'update',
} as const;

/** Everything a Prowlarr instance publishes under `<base>/<instance>/` (README, "prowlarr"). */
export type ProwlarrStates = ServiceStates & {
  indexers: IndexersState;
  health: HealthState;
  stats: StatsState;
  update: UpdateState;
};

/**
 * No expire_after here: the store publishes only changes, so an unchanged count is not re-sent and
 * would expire in HA although it is current. Availability covers a Prowlarr that stopped answering.
 */
export function prowlarrEntities(): EntityDef<ProwlarrStates>[] {
  const S = ProwlarrState;
  return [
    { key: 'indexers', platform: 'sensor', name: 'Indexers', state: S.indexers, field: 'total', stateClass: 'measurement', icon: 'mdi:database-search', attributesField: 'list' },
    { key: 'indexers_enabled', platform: 'sensor', name: 'Enabled indexers', state: S.indexers, field: 'enabled', stateClass: 'measurement', icon: 'mdi:database-check' },
    { key: 'indexers_failing', platform: 'sensor', name: 'Failing indexers', state: S.indexers, field: 'failing', stateClass: 'measurement', icon: 'mdi:database-alert', attributesField: 'failures' },
    { key: 'health_issues', platform: 'sensor', name: 'Health issues', state: S.health, field: 'count', stateClass: 'measurement', icon: 'mdi:heart-pulse', attributesField: 'issues' },
    { key: 'health', platform: 'binary_sensor', name: 'Health', state: S.health, field: 'problem', deviceClass: 'problem' },
    { key: 'grabs_today', platform: 'sensor', name: 'Grabs today', state: S.stats, field: 'grabs_today', stateClass: 'total_increasing', icon: 'mdi:download', attributesField: 'indexers' },
    { key: 'queries_today', platform: 'sensor', name: 'Queries today', state: S.stats, field: 'queries_today', stateClass: 'total_increasing', icon: 'mdi:magnify' },
    { key: 'failed_queries_today', platform: 'sensor', name: 'Failed queries today', state: S.stats, field: 'failed_queries_today', stateClass: 'total_increasing', icon: 'mdi:magnify-close', enabledByDefault: false },
    { key: 'update', platform: 'binary_sensor', name: 'Update', state: S.update, field: 'update_available', deviceClass: 'update', entityCategory: 'diagnostic' },
    { key: 'latest_version', platform: 'sensor', name: 'Latest version', state: S.update, field: 'latest_version', entityCategory: 'diagnostic', icon: 'mdi:tag-arrow-up', enabledByDefault: false },
    // GET /api/v1/update (mapping.ts summarizeUpdate); `update` is the binary sensor's key already.
    updateEntity({ key: 'software_update', name: 'Software update', state: S.update, installedField: 'installed_version', latestField: 'latest_version', title: 'Prowlarr', releaseUrl: 'https://github.com/Prowlarr/Prowlarr/releases' }),
  ];
}
