import { stateField, type EntityDef } from '../../ha/entity.js';
import { updateEntity } from '../../ha/platforms.js';
import type { FieldOf, ServiceStates, StateMap, StateName } from '../../mqtt/contract.js';
import type { DiskState, RootFolderSpace } from './disk.js';
import type { HealthState } from './health.js';
import type { QueueState } from './queue.js';
import type { RecentState } from './recent.js';
import type { UpdateState } from './update.js';

/** State objects every *arr instance publishes under `<base>/<instance>/` (README, "Sonarr and Radarr"). */
export const ServarrState = {
  library: 'library',
  wanted: 'wanted',
  queue: 'queue',
  upcoming: 'upcoming',
  health: 'health',
  diskspace: 'diskspace',
  update: 'update',
  recent: 'recent',
} as const;

/** `<base>/<instance>/wanted`: monitored items missing, and those below their quality cutoff. */
export interface WantedState {
  missing: number;
  cutoff_unmet: number;
}

/** `<base>/<instance>/upcoming`: what both apps' calendars publish (items differ per app). */
export interface UpcomingState {
  count: number;
  /** Air/release time of the next item (ISO, UTC), null when none in the window. */
  next: string | null;
  attributes: { total: number; items: object[] };
}

/**
 * The states of an *arr instance: `L` is the app's library totals, `U` its calendar (Sonarr's
 * episodes, Radarr's movies); the rest is shared.
 */
export type ServarrStates<L extends object = object, U extends UpcomingState = UpcomingState> = ServiceStates & {
  library: L;
  upcoming: U;
  queue: QueueState;
  wanted: WantedState;
  health: HealthState;
  diskspace: DiskState;
  update: UpdateState;
  recent: RecentState;
};

/** How one app names its items (`episodes` / `movies`). */
export interface ServarrNouns {
  /** Unit of item counts: `episodes`, `movies`. */
  unit: string;
  missing: string;
  cutoff: string;
  upcoming: string;
  next: string;
  /** Name of the recently-added sensor: `Recently added series` / `Recently added movies`. */
  recent: string;
}

// data_size units valid in HA (specs/homeassistant/sensor-device-classes.json); topics carry bytes.
const GIB = 1073741824;
const gib = (field: string) => `{{ (value_json.${field} / ${GIB}) | round(2) if value_json.${field} is number else None }}`;

type Extra<S extends StateMap, K extends StateName<S>> = Partial<Omit<EntityDef, 'state' | 'field' | 'attributesField'>> & { attributesField?: FieldOf<S, K> };

/** A size in GiB from a field in bytes. */
export function bytesSensor<S extends StateMap, K extends StateName<S>>(key: string, name: string, state: K, field: FieldOf<S, K>, extra: Extra<S, K> = {}): EntityDef<S> {
  const { attributesField, ...rest } = extra;
  return { key, platform: 'sensor', name, ...stateField<S, K>(state, undefined, attributesField), valueTemplate: gib(field), deviceClass: 'data_size', unit: 'GiB', stateClass: 'measurement', precision: 1, ...rest };
}

export function countSensor<S extends StateMap, K extends StateName<S>>(key: string, name: string, state: K, field: FieldOf<S, K>, unit: string, icon: string, extra: Extra<S, K> = {}): EntityDef<S> {
  const { attributesField, ...rest } = extra;
  return { key, platform: 'sensor', name, ...stateField<S, K>(state, field, attributesField), unit, stateClass: 'measurement', icon, ...rest };
}

/** Entities every *arr instance has, besides its library totals. */
export function servarrEntities(n: ServarrNouns, folders: readonly RootFolderSpace[], app: 'Sonarr' | 'Radarr' | string = 'Sonarr'): EntityDef<ServarrStates>[] {
  const S = ServarrState;
  const out: EntityDef<ServarrStates>[] = [
    countSensor('missing', n.missing, S.wanted, 'missing', n.unit, 'mdi:file-question'),
    countSensor('cutoff_unmet', n.cutoff, S.wanted, 'cutoff_unmet', n.unit, 'mdi:file-upload'),
    countSensor('queue', 'Queue', S.queue, 'count', 'items', 'mdi:download', { attributesField: 'attributes' }),
    bytesSensor('queue_size_left', 'Queue size left', S.queue, 'size_left', { icon: 'mdi:download-network' }),
    countSensor('upcoming', n.upcoming, S.upcoming, 'count', n.unit, 'mdi:calendar-clock', { attributesField: 'attributes' }),
    // From the library list (recent.ts): the newest title, the newest additions as attributes.
    { key: 'recently_added', platform: 'sensor', name: n.recent, state: S.recent, field: 'latest', icon: 'mdi:new-box', attributesField: 'list' },
    { key: 'next_release', platform: 'sensor', name: n.next, state: S.upcoming, field: 'next', deviceClass: 'timestamp', icon: 'mdi:calendar-arrow-right' },
    countSensor('health_issues', 'Health issues', S.health, 'issues', 'issues', 'mdi:heart-pulse', { attributesField: 'attributes' }),
    { key: 'health_problem', platform: 'binary_sensor', name: 'Health', state: S.health, field: 'problem', deviceClass: 'problem', attributesField: 'attributes' },
    { key: 'update_available', platform: 'binary_sensor', name: 'Update available', state: S.update, field: 'available', deviceClass: 'update', entityCategory: 'diagnostic' },
    { key: 'latest_version', platform: 'sensor', name: 'Latest version', state: S.update, field: 'latest_version', entityCategory: 'diagnostic', icon: 'mdi:tag-arrow-up', enabledByDefault: false },
    // GET /api/v3/update gives the installed and the latest version (update.ts).
    updateEntity({ state: S.update, installedField: 'installed_version', latestField: 'latest_version', title: app, releaseUrl: `https://github.com/${app}/${app}/releases` }),
  ];
  for (const f of folders) {
    const path = f.path.length > 1 ? f.path.replace(/[\\/]+$/, '') : f.path;
    out.push(bytesSensor(`disk_free_${f.slug}`, `Free space ${path}`, S.diskspace, `free_${f.slug}`, { icon: 'mdi:harddisk' }));
    out.push({ key: `disk_used_${f.slug}`, platform: 'sensor', name: `Disk used ${path}`, state: S.diskspace, field: `used_${f.slug}`, unit: '%', stateClass: 'measurement', precision: 1, icon: 'mdi:harddisk', enabledByDefault: false });
  }
  return out;
}
