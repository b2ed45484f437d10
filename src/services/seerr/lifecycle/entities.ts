import type { EntityDef } from '../../../ha/entity.js';
import type { Topics } from '../../../mqtt/contract.js';
import { STAGES } from './model.js';
import { LifecycleState, type LifecycleStates } from './names.js';

/**
 * Home Assistant entities of the request lifecycle: "Requests in progress" (the count; the whole
 * `{active, requests}` object as attributes, bounded under the recorder's 16 KB by payload.ts) and
 * an event entity whose event_type is the stage a request reached.
 */
export function lifecycleEntities(topics: Topics, instance: string): EntityDef<LifecycleStates>[] {
  return [
    {
      key: 'requests_in_progress', platform: 'sensor', name: 'Requests in progress', state: LifecycleState.list, field: 'active',
      stateClass: 'measurement', icon: 'mdi:progress-clock',
      // The payload is itself an object (active + requests), which HA takes as attributes as is.
      extra: { json_attributes_topic: topics.state(instance, LifecycleState.list) },
    },
    // HA's MQTT event entity ignores retained replays (mqtt/event.py): only live changes fire.
    { key: 'request_stage', platform: 'event', name: 'Request stage', state: LifecycleState.stageEvent, eventTypes: [...STAGES], icon: 'mdi:movie-check' },
  ];
}
