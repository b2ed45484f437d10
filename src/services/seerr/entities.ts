import type { BaseServiceConfig } from '../settings.js';
import { stateField, type EntityDef } from '../../ha/entity.js';
import type { FieldOf, ServiceStates, StateMap, StateName } from '../../mqtt/contract.js';
import type { LifecycleStates } from './lifecycle/names.js';
import type { IssuesState, PendingState, RequestCountsState, RequestEventPayload, ServerState } from './map.js';

/** State object names under `<base>/<instance>/` (README, "Jellyseerr / Overseerr"). */
export const SeerrState = {
  requests: 'requests',
  pending: 'pending',
  issues: 'issues',
  server: 'server',
  requestEvent: 'request_event',
} as const;

/**
 * Everything a Jellyseerr/Overseerr instance publishes under `<base>/<instance>/`: its own states,
 * the `request_event` event, and the request lifecycle's topics (`lifecycle`, `requests/<id>`,
 * `stage_event`), which go out through the same instance.
 */
export type SeerrStates = ServiceStates &
  LifecycleStates & {
    requests: RequestCountsState;
    pending: PendingState;
    issues: IssuesState;
    server: ServerState;
    /** Not retained: HA's event entity reads it. */
    request_event: RequestEventPayload;
  };

export const NEW_REQUEST_EVENT = 'new_request';

/** A polled count: the state's field, expiring after three missed refreshes; attributes from another field. */
function countSensor<S extends StateMap, K extends StateName<S>>(key: string, name: string, state: K, field: FieldOf<S, K>, icon: string, expireAfter: number, attributesField?: FieldOf<S, K>): EntityDef<S> {
  return { key, platform: 'sensor', name, ...stateField<S, K>(state, field, attributesField), stateClass: 'measurement', icon, expireAfter };
}

export function seerrEntities(cfg: BaseServiceConfig): EntityDef<SeerrStates>[] {
  // Counts are re-sent on every poll (at most idle_interval apart): three misses → unavailable.
  const expireAfter = cfg.idle_interval * 3;
  const S = SeerrState;
  return [
    countSensor('pending_requests', 'Pending requests', S.pending, 'count', 'mdi:account-clock', expireAfter, 'list'),
    countSensor('approved_requests', 'Approved requests', S.requests, 'approved', 'mdi:check-circle-outline', expireAfter),
    countSensor('processing_requests', 'Processing requests', S.requests, 'processing', 'mdi:progress-download', expireAfter),
    countSensor('available_requests', 'Available requests', S.requests, 'available', 'mdi:check-all', expireAfter),
    countSensor('declined_requests', 'Declined requests', S.requests, 'declined', 'mdi:close-circle-outline', expireAfter),
    countSensor('total_requests', 'Total requests', S.requests, 'total', 'mdi:counter', expireAfter),
    { ...countSensor('movie_requests', 'Movie requests', S.requests, 'movie', 'mdi:movie-open', expireAfter), enabledByDefault: false },
    { ...countSensor('tv_requests', 'TV requests', S.requests, 'tv', 'mdi:television-classic', expireAfter), enabledByDefault: false },
    countSensor('open_issues', 'Open issues', S.issues, 'open', 'mdi:alert-circle-outline', expireAfter),
    { ...countSensor('total_issues', 'Total issues', S.issues, 'total', 'mdi:alert-circle-check-outline', expireAfter), enabledByDefault: false },
    {
      key: 'update_available', platform: 'binary_sensor', name: 'Update available', state: S.server, field: 'update_available',
      deviceClass: 'update', entityCategory: 'diagnostic',
    },
    // Published not retained (HA's MQTT event entity ignores retained replays, mqtt/event.py);
    // the payload carries `event_type` as HA expects.
    { key: 'new_request', platform: 'event', name: 'New request', state: S.requestEvent, eventTypes: [NEW_REQUEST_EVENT], icon: 'mdi:movie-open-plus' },
  ];
}
