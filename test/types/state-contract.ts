/**
 * Compile-time proof that an instance's MQTT contract is checked (issue 9, item 3). This file is
 * not a vitest file: `npm test` type-checks it first (`tsc --noEmit`), and every line marked
 * `@ts-expect-error` must fail to compile; if the contract stopped catching that mistake, the
 * directive itself becomes the error and `npm test` fails.
 */
import type { InstanceContext } from '../../src/core/instance.js';
import type { EntityDef } from '../../src/ha/entity.js';
import { HostState, type HostStates } from '../../src/host/entities.js';
import { updateEntity } from '../../src/ha/platforms.js';
import type { ServiceContext } from '../../src/services/service.js';
import type { ServarrConfig } from '../../src/services/servarr/service.js';
import { countSensor } from '../../src/services/servarr/entities.js';
import type { SonarrStates } from '../../src/services/sonarr/service.js';
import type { SessionsConfig } from '../../src/services/settings.js';
import type { TautulliStates } from '../../src/services/tautulli/entities.js';
import type { PlaybackEventPayload } from '../../src/sessions/publish.js';
import type { SeerrStates } from '../../src/services/seerr/entities.js';
import { LifecycleState } from '../../src/services/seerr/lifecycle/names.js';
import type { RequestPayload } from '../../src/services/seerr/lifecycle/payload.js';
import type { SeerrConfig } from '../../src/services/seerr/settings.js';

export function publishing(ctx: ServiceContext<ServarrConfig, SonarrStates>): void {
  ctx.publishState('wanted', { missing: 1, cutoff_unmet: 2 });
  // @ts-expect-error a payload without a field the state declares
  ctx.publishState('wanted', { missing: 1 });
  // @ts-expect-error a state name the service does not declare
  ctx.publishState('wantd', { missing: 1, cutoff_unmet: 2 });
  // Names with a variable part: `free_<slug>` per root folder.
  ctx.publishState('diskspace', { root_folders: 1, free_min: 1, attributes: { total: 0, folders: [] }, free_tv: 3 });
  // @ts-expect-error a field outside the declared patterns
  ctx.publishState('diskspace', { root_folders: 1, free_min: 1, attributes: { total: 0, folders: [] }, fre_tv: 3 });
  // @ts-expect-error clearing a state the service does not have
  ctx.clearState('wantd');
}

export const entities: EntityDef<SonarrStates>[] = [
  { key: 'a', platform: 'sensor', name: 'A', state: 'wanted', field: 'missing' },
  // @ts-expect-error a field of another state (`count` is the queue's)
  { key: 'b', platform: 'sensor', name: 'B', state: 'wanted', field: 'count' },
  { key: 'c', platform: 'sensor', name: 'C', state: 'queue', field: 'count', attributesField: 'attributes' },
  // @ts-expect-error attributes from a field the state does not have
  { key: 'd', platform: 'sensor', name: 'D', state: 'queue', attributesField: 'missing' },
  // Generic builders are checked at the call site, against the array's state map.
  countSensor('e', 'E', 'library', 'series', 'series', 'mdi:television'),
  // @ts-expect-error Radarr's library field on a Sonarr instance
  countSensor('f', 'F', 'library', 'movies', 'movies', 'mdi:movie'),
  updateEntity({ state: 'update', installedField: 'installed_version', latestField: 'latest_version', title: 'Sonarr' }),
  // @ts-expect-error an update entity reading a field the update state does not have
  updateEntity({ state: 'update', installedField: 'installed', latestField: 'latest_version', title: 'Sonarr' }),
  { key: 'g', platform: 'sensor', name: 'G', state: 'diskspace', field: 'used_tv' },
  // Every service has the base `status` state.
  { key: 'h', platform: 'sensor', name: 'H', state: 'status', field: 'latency_ms' },
  // @ts-expect-error a misspelt state name
  { key: 'i', platform: 'sensor', name: 'I', state: 'statuz', field: 'latency_ms' },
];

// Events are part of the map too (publishEvent), and a feature's states (the playback sessions')
// are checked inside each service's map that intersects them.
export function featureStates(ctx: ServiceContext<SessionsConfig, TautulliStates>, event: PlaybackEventPayload): void {
  ctx.publishEvent('playback_event', event);
  // @ts-expect-error an event payload without the session's fields
  ctx.publishEvent('playback_event', { event_type: 'stopped', time: '2026-01-01T00:00:00.000Z', watched: 0 });
  // @ts-expect-error an event name the service does not declare
  ctx.publishEvent('playback', event);
}

export const tautulliEntities: EntityDef<TautulliStates>[] = [
  { key: 'j', platform: 'sensor', name: 'J', state: 'stats', field: 'today_watch_time' },
  // @ts-expect-error a field of the feature's other state (`count` is `sessions`')
  { key: 'k', platform: 'sensor', name: 'K', state: 'stats', field: 'count' },
];

// State NAMES with a variable part: the request lifecycle's `requests/<id>` on a Seerr instance.
export function templateNames(ctx: ServiceContext<SeerrConfig, SeerrStates>, request: RequestPayload): void {
  ctx.publishState(LifecycleState.request(12), request);
  ctx.publishState('requests/12', request);
  // @ts-expect-error the variable part is a request id, a number
  ctx.publishState('requests/twelve', request);
  // @ts-expect-error the request counts' payload on a per-request topic
  ctx.publishState('requests/12', { total: 1, movie: 1, tv: 0, pending: 0, approved: 1, declined: 0, processing: 0, available: 0 });
  // @ts-expect-error a per-request payload on the counts topic that shares its prefix
  ctx.publishState('requests', request);
  ctx.clearState(LifecycleState.request(12));
  // @ts-expect-error a misspelt prefix
  ctx.clearState('request/12');
}

export const seerrEntities: EntityDef<SeerrStates>[] = [
  { key: 'l', platform: 'sensor', name: 'L', state: 'requests/12', field: 'stage' },
  // @ts-expect-error a field of the per-request payload read on the counts
  { key: 'm', platform: 'sensor', name: 'M', state: 'requests', field: 'stage' },
];

// Template-literal state NAMES (the Host device): `disk_<slug>` and `net_<slug>` per mount and
// interface, and `disk_io`, a named state that fits the `disk_${string}` pattern but keeps its own payload.
export function hostPublishing(ctx: InstanceContext<HostStates>): void {
  const usage = { mount: '/', used_percent: 1, used: 1, free: 1, total: 2 };
  ctx.publishState(HostState.disk('root'), usage);
  ctx.publishState(HostState.diskIo, { read_rate: 1, write_rate: 2 });
  // @ts-expect-error disk_io carries the rates, not a mount's usage
  ctx.publishState(HostState.diskIo, usage);
  // @ts-expect-error a mount's usage on an interface's topic
  ctx.publishState(HostState.net('eth0'), usage);
  // @ts-expect-error a per-core field outside `core_${number}`
  ctx.publishState('cpu', { load: 1, user: 1, system: 1, iowait: 0, core_a: 1 });
}

export const hostEntities: EntityDef<HostStates>[] = [
  { key: 'j', platform: 'sensor', name: 'J', state: HostState.net('eth0'), field: 'rx_rate' },
  // @ts-expect-error an interface's field on a mount's state
  { key: 'k', platform: 'sensor', name: 'K', state: HostState.disk('root'), field: 'rx_rate' },
];
