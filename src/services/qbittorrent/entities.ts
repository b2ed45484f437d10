import type { EntityDef } from '../../ha/entity.js';
import type { FieldOf, ServiceStates } from '../../mqtt/contract.js';
import { CONNECTION_STATUS_OPTIONS, type DownloadsPayload, type TorrentCounts, type TransferPayload } from './map.js';

/** State topics under `<base>/<instance>/`. */
export const STATE = { transfer: 'transfer', torrents: 'torrents', downloads: 'downloads' } as const;

/** Everything a qBittorrent instance publishes under `<base>/<instance>/` (README, "qbittorrent"). */
export type QbittorrentStates = ServiceStates & {
  transfer: TransferPayload;
  torrents: TorrentCounts;
  downloads: DownloadsPayload;
};

const MIB = 1_048_576;
const GIB = 1_073_741_824;

/**
 * Topics carry bytes and bytes/s (exact, for Grafana); HA shows MiB/s and GiB. MQTT sensors have no
 * suggested unit, so the template scales. A missing number renders `None`, which HA's MQTT sensor
 * takes as "unknown" rather than an error.
 */
function scaled(field: FieldOf<QbittorrentStates, 'transfer'>, divisor: number, digits: number): string {
  return `{{ (value_json.${field} / ${divisor}) | round(${digits}) if value_json.${field} is number else None }}`;
}

/** A count of the `torrents` state; the entity key is the field's name. */
const count = (key: FieldOf<QbittorrentStates, 'torrents'>, name: string, icon: string, enabledByDefault = true): EntityDef<QbittorrentStates> => ({
  key,
  platform: 'sensor',
  name,
  state: STATE.torrents,
  field: key,
  unit: 'torrents',
  stateClass: 'measurement',
  icon,
  ...(enabledByDefault ? {} : { enabledByDefault: false }),
});

/** The Home Assistant entities of one qBittorrent instance. */
export function qbittorrentEntities(): EntityDef<QbittorrentStates>[] {
  return [
    { key: 'download_speed', platform: 'sensor', name: 'Download speed', state: STATE.transfer, field: 'download_rate', valueTemplate: scaled('download_rate', MIB, 2), deviceClass: 'data_rate', unit: 'MiB/s', stateClass: 'measurement', precision: 2 },
    { key: 'upload_speed', platform: 'sensor', name: 'Upload speed', state: STATE.transfer, field: 'upload_rate', valueTemplate: scaled('upload_rate', MIB, 2), deviceClass: 'data_rate', unit: 'MiB/s', stateClass: 'measurement', precision: 2 },
    count('downloading', 'Downloading', 'mdi:download'),
    count('seeding', 'Seeding', 'mdi:upload'),
    count('paused', 'Paused', 'mdi:pause'),
    count('stalled', 'Stalled', 'mdi:timer-sand-paused'),
    count('errored', 'Errored', 'mdi:alert-circle'),
    count('checking', 'Checking', 'mdi:file-search'),
    count('queued', 'Queued', 'mdi:tray-full', false),
    count('active', 'Active', 'mdi:swap-vertical', false),
    count('total', 'Torrents', 'mdi:format-list-bulleted'),
    { key: 'active_downloads', platform: 'sensor', name: 'Active downloads', state: STATE.downloads, field: 'count', unit: 'torrents', stateClass: 'measurement', icon: 'mdi:progress-download', attributesField: 'list' },
    { key: 'free_space', platform: 'sensor', name: 'Free disk space', state: STATE.transfer, field: 'free_space', valueTemplate: scaled('free_space', GIB, 2), deviceClass: 'data_size', unit: 'GiB', stateClass: 'measurement', precision: 1 },
    { key: 'session_downloaded', platform: 'sensor', name: 'Downloaded this session', state: STATE.transfer, field: 'session_downloaded', valueTemplate: scaled('session_downloaded', GIB, 3), deviceClass: 'data_size', unit: 'GiB', stateClass: 'total_increasing', precision: 2 },
    { key: 'session_uploaded', platform: 'sensor', name: 'Uploaded this session', state: STATE.transfer, field: 'session_uploaded', valueTemplate: scaled('session_uploaded', GIB, 3), deviceClass: 'data_size', unit: 'GiB', stateClass: 'total_increasing', precision: 2 },
    // Alternative speed limits: one entity, the switch of the alt_speed command (commands.ts).
    { key: 'connection_status', platform: 'sensor', name: 'Connection status', state: STATE.transfer, field: 'connection_status', valueTemplate: '{{ value_json.connection_status if value_json.connection_status else None }}', deviceClass: 'enum', options: [...CONNECTION_STATUS_OPTIONS], icon: 'mdi:lan-connect', entityCategory: 'diagnostic' },
    { key: 'dht_nodes', platform: 'sensor', name: 'DHT nodes', state: STATE.transfer, field: 'dht_nodes', unit: 'nodes', stateClass: 'measurement', icon: 'mdi:server-network', entityCategory: 'diagnostic' },
    { key: 'download_limit', platform: 'sensor', name: 'Download speed limit', state: STATE.transfer, field: 'download_rate_limit', valueTemplate: scaled('download_rate_limit', MIB, 2), deviceClass: 'data_rate', unit: 'MiB/s', stateClass: 'measurement', precision: 2, entityCategory: 'diagnostic', enabledByDefault: false },
    { key: 'upload_limit', platform: 'sensor', name: 'Upload speed limit', state: STATE.transfer, field: 'upload_rate_limit', valueTemplate: scaled('upload_rate_limit', MIB, 2), deviceClass: 'data_rate', unit: 'MiB/s', stateClass: 'measurement', precision: 2, entityCategory: 'diagnostic', enabledByDefault: false },
  ];
}
