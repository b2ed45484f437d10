import type { Instance, InstanceContext } from '../core/instance.js';
import type { DeviceDef, EntityDef } from '../ha/entity.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import type { JobManager } from '../jobs/jobs.js';
import type { BridgeInfoPayload, BridgeStatePayload, JobsSummaryPayload } from '../mqtt/contract.js';
import { VERSION } from '../version.js';

/** What the bridge device shows; the app supplies a fresh snapshot on every change. */
export type BridgeInfoSource = () => BridgeInfoPayload;

/** What the bridge commands (src/commands/bridge.ts) act on; the app implements it. */
export interface BridgeActions {
  resync(reason: string): { discovery: number; states: number };
  setLogLevel(level: LogLevel): void;
  /** Polls one instance (or every instance) now; the ids polled. */
  sync(instance?: string): Promise<string[]>;
  health(): unknown;
  readonly jobs: JobManager;
}

export const BRIDGE_ID = 'bridge';

/**
 * The topics under `<base>/bridge/` the Bridge device's entities read. The bridge instance
 * publishes `info`; `state` (also the last will) comes from the MQTT session and `jobs` from the
 * job manager, outside any instance context.
 */
export type BridgeStates = {
  info: BridgeInfoPayload;
  state: BridgeStatePayload;
  jobs: JobsSummaryPayload;
};

/**
 * The Bridge device in Home Assistant: connection state, version, start time, services online, a
 * log-level select and a Resync button. Its state object is `<base>/bridge/info`.
 */
export class BridgeInstance implements Instance {
  readonly id = BRIDGE_ID;
  readonly type = 'bridge';
  #ctx: InstanceContext<BridgeStates>;
  #info: BridgeInfoSource;
  #lastWithoutUptime = '';
  readonly actions: BridgeActions;

  constructor(ctx: InstanceContext<BridgeStates>, info: BridgeInfoSource, actions: BridgeActions) {
    this.#ctx = ctx;
    this.#info = info;
    this.actions = actions;
  }

  device(): DeviceDef {
    return {
      instance: BRIDGE_ID,
      name: 'media2mqtt bridge',
      manufacturer: 'media2mqtt',
      model: 'Bridge',
      swVersion: VERSION,
      viaBridge: false,
      hasAvailability: false,
    };
  }

  entities(): EntityDef<BridgeStates>[] {
    return [
      {
        key: 'connection_state',
        platform: 'binary_sensor',
        name: 'Connection state',
        state: 'state',
        valueTemplate: "{{ 'ON' if value_json.state == 'online' else 'OFF' }}",
        deviceClass: 'connectivity',
        entityCategory: 'diagnostic',
      },
      { key: 'version', platform: 'sensor', name: 'Version', state: 'info', field: 'version', entityCategory: 'diagnostic', icon: 'mdi:tag' },
      { key: 'started_at', platform: 'sensor', name: 'Started', state: 'info', field: 'started_at', deviceClass: 'timestamp', entityCategory: 'diagnostic' },
      {
        key: 'services_online',
        platform: 'sensor',
        name: 'Services online',
        state: 'info',
        field: 'services_online',
        stateClass: 'measurement',
        icon: 'mdi:server-network',
        attributesField: 'services',
        attributesTemplate: "{{ {'services': value_json.services} | tojson }}",
      },
      {
        key: 'log_level',
        platform: 'select',
        name: 'Log level',
        state: 'info',
        field: 'log_level',
        command: 'set_log_level',
        options: [...LOG_LEVELS],
        entityCategory: 'config',
        icon: 'mdi:format-list-bulleted',
      },
      { key: 'resync', platform: 'button', name: 'Resync', command: 'resync', payloadPress: '{}', entityCategory: 'config', icon: 'mdi:sync' },
      {
        key: 'jobs_active', platform: 'sensor', name: 'Active jobs', state: 'jobs', field: 'active', stateClass: 'measurement', icon: 'mdi:progress-clock',
        attributesField: 'jobs', attributesTemplate: "{{ {'jobs': value_json.jobs} | tojson }}",
      },
      {
        key: 'last_job',
        platform: 'sensor',
        name: 'Last job',
        state: 'jobs',
        valueTemplate: "{{ (value_json.last.command ~ ' on ' ~ value_json.last.instance ~ ': ' ~ value_json.last.state) if value_json.last else 'none' }}",
        icon: 'mdi:briefcase-check',
        attributesField: 'last',
        // `state` is an attribute name HA drops, and `last` is null before the first job.
        attributesTemplate:
          "{% set j = value_json.last %}{{ ({'job_id': j.id, 'instance': j.instance, 'command': j.command, 'job_state': j.state, 'finished_at': j.finished_at, 'error': j.error} if j else {}) | tojson }}",
      },
    ];
  }

  async start(): Promise<void> {
    this.publishInfo();
  }

  async stop(): Promise<void> {}

  /** Publishes `<base>/bridge/info` when something other than the uptime changed. */
  publishInfo(force = false): void {
    const info = this.#info();
    const key = JSON.stringify({ ...info, uptime: 0 });
    if (!force && key === this.#lastWithoutUptime) return;
    this.#lastWithoutUptime = key;
    this.#ctx.publishState('info', { ...info });
  }
}
