import type { EntityDef } from '../../ha/entity.js';
import type { FieldOf, ServiceStates } from '../../mqtt/contract.js';
import { STATUS_OPTIONS, type QueueState, type WarningsState } from './map.js';

/** State object names under `<base>/<instance>/`; part of the MQTT contract (README, "SABnzbd"). */
export const SabnzbdState = {
  queue: 'queue',
  warnings: 'warnings',
} as const;

/** Everything a SABnzbd instance publishes under `<base>/<instance>/` (README, "sabnzbd"). */
export type SabnzbdStates = ServiceStates & {
  queue: QueueState;
  warnings: WarningsState;
};

const MIB = 1048576;
/** Topics carry bytes/s (Grafana-friendly); Home Assistant shows MiB/s, SABnzbd's own unit. "None" is HA's unknown. */
export const mibPerSecond = (field: FieldOf<SabnzbdStates, typeof SabnzbdState.queue>) => `{{ (value_json.${field} / ${MIB}) | round(2) if value_json.${field} is not none else 'None' }}`;

export function sabnzbdEntities(): EntityDef<SabnzbdStates>[] {
  const Q = SabnzbdState.queue;
  return [
    { key: 'status', platform: 'sensor', name: 'Status', state: Q, field: 'status', deviceClass: 'enum', options: [...STATUS_OPTIONS], icon: 'mdi:download-network' },
    { key: 'speed', platform: 'sensor', name: 'Speed', state: Q, valueTemplate: mibPerSecond('speed'), deviceClass: 'data_rate', unit: 'MiB/s', stateClass: 'measurement', precision: 2 },
    { key: 'queue_size', platform: 'sensor', name: 'Queue size', state: Q, field: 'size_mib', deviceClass: 'data_size', unit: 'MiB', stateClass: 'measurement', precision: 0 },
    { key: 'queue_left', platform: 'sensor', name: 'Remaining', state: Q, field: 'left_mib', deviceClass: 'data_size', unit: 'MiB', stateClass: 'measurement', precision: 0 },
    { key: 'time_left', platform: 'sensor', name: 'Time left', state: Q, field: 'timeleft_s', deviceClass: 'duration', unit: 's', stateClass: 'measurement' },
    { key: 'eta', platform: 'sensor', name: 'Estimated completion', state: Q, field: 'eta', deviceClass: 'timestamp', enabledByDefault: false },
    { key: 'paused', platform: 'binary_sensor', name: 'Paused', state: Q, field: 'paused', icon: 'mdi:pause-circle-outline' },
    { key: 'jobs', platform: 'sensor', name: 'Jobs', state: Q, field: 'jobs', stateClass: 'measurement', icon: 'mdi:format-list-numbered', attributesField: 'job_list' },
    { key: 'disk_free', platform: 'sensor', name: 'Disk free', state: Q, field: 'disk_free_gib', deviceClass: 'data_size', unit: 'GiB', stateClass: 'measurement', precision: 1 },
    { key: 'disk_total', platform: 'sensor', name: 'Disk size', state: Q, field: 'disk_total_gib', deviceClass: 'data_size', unit: 'GiB', stateClass: 'measurement', precision: 1, entityCategory: 'diagnostic', enabledByDefault: false },
    { key: 'speed_limit', platform: 'sensor', name: 'Speed limit', state: Q, valueTemplate: mibPerSecond('speed_limit'), deviceClass: 'data_rate', unit: 'MiB/s', stateClass: 'measurement', precision: 2, icon: 'mdi:speedometer-slow' },
    { key: 'speed_limit_pct', platform: 'sensor', name: 'Speed limit percentage', state: Q, field: 'speed_limit_pct', unit: '%', stateClass: 'measurement', icon: 'mdi:speedometer-slow', enabledByDefault: false },
    { key: 'warnings', platform: 'sensor', name: 'Warnings', state: SabnzbdState.warnings, field: 'count', stateClass: 'measurement', icon: 'mdi:alert-outline', attributesField: 'attributes', entityCategory: 'diagnostic' },
  ];
}
