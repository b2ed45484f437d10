/**
 * The MQTT contract: every topic media2mqtt publishes or listens to, and the shape of its payload.
 * Topic strings are built here and nowhere else. This module is exported as types for Node-RED and
 * TypeScript clients (see README, "Topics").
 */

export type OnlineState = 'online' | 'offline';

/** `<base>/bridge/state` (retained, also the last will). */
export interface BridgeStatePayload {
  state: OnlineState;
}

/** `<base>/<instance>/availability` (retained). */
export interface AvailabilityPayload {
  state: OnlineState;
}

export interface ServiceStatus {
  id: string;
  type: string;
  state: OnlineState;
  /** Last error message (credentials removed), null once the service recovered. */
  last_error: string | null;
  last_success: string | null;
}

/** `<base>/bridge/info` (retained). */
export interface BridgeInfoPayload {
  version: string;
  started_at: string;
  uptime: number;
  log_level: string;
  broker: { mode: 'embedded' | 'external'; url: string; listeners?: Record<string, number> };
  homeassistant: { enabled: boolean; discovery_topic: string };
  services: ServiceStatus[];
  services_online: number;
  services_total: number;
  /** The running configuration with every secret replaced by "***". */
  config: unknown;
}

/**
 * The topics one instance publishes under `<base>/<instance>/`: state name → payload type. Every
 * instance (each service type, the host, the bridge, each feature) declares its own map, so
 * `publishState`, `publishEvent` and the entities that read a topic are checked against it:
 * a misspelt state, a payload of the wrong shape, or an entity reading a field the payload does
 * not have, do not compile. Names with a variable part use template-literal keys
 * (`` `disk_${string}` ``). Declare maps with `type`, not `interface` (an interface has no index
 * signature and does not satisfy this constraint).
 */
export type StateMap = { [name: string]: object };

/** A state (or event) topic name of the map. */
export type StateName<S extends StateMap> = keyof S & string;

/** A field of the payload published on state `K`: what an entity may read with `value_json.<field>`. */
export type FieldOf<S extends StateMap, K extends StateName<S>> = string extends StateName<S> ? string : keyof S[K] & string;

/** `<base>/<service>/status` (retained): what every upstream service instance publishes after a poll. */
export interface ServiceStatusState {
  version: string | null;
  latency_ms: number;
  last_poll: string | null;
  /** Upstream HTTP requests made since start. */
  requests: number;
  /** The live channel (WebSocket, SignalR), for services that have one. */
  live?: 'connected' | 'disconnected' | 'off';
}

/** The states every upstream service instance has, whatever its type. */
export type ServiceStates = { status: ServiceStatusState };

/** `<base>/bridge/log` (not retained). */
export interface BridgeLogPayload {
  level: 'error' | 'warn' | 'info' | 'debug';
  namespace: string;
  message: string;
  time: string;
}

/** Playback events of a media server (`<base>/<instance>/playback_event`, and bridge/event). */
export const PLAYBACK_EVENTS = ['playback_started', 'paused', 'resumed', 'stopped'] as const;

/**
 * Every event type on `<base>/bridge/event`: a closed list, so an instance cannot emit a type a
 * Node-RED flow or an automation would not know (InstanceContext.emitEvent takes only these).
 */
export const BRIDGE_EVENT_TYPES = [
  // The bridge and its instances.
  'bridge_started',
  'bridge_stopping',
  'service_online',
  'service_offline',
  'command',
  // Host thresholds.
  'alert',
  'alert_cleared',
  // *arr apps (webhooks, health).
  'health_issue',
  'health_restored',
  'download_grabbed',
  'download_imported',
  'download_finished',
  'manual_interaction_required',
  'series_added',
  'series_deleted',
  'episode_file_deleted',
  'movie_added',
  'movie_deleted',
  'movie_file_deleted',
  'application_updated',
  'webhook_test',
  // Request managers and the request lifecycle.
  'new_request',
  'request_stage',
  // Playback sessions (sessions/tracker.ts PLAYBACK_EVENTS).
  ...PLAYBACK_EVENTS,
  // Missing volumes.
  'volume_missing',
  'volume_found',
  'download_sent',
  // Packaging.
  'release_built',
  'release_uploaded',
  'release_failed',
] as const;
export type BridgeEventType = (typeof BRIDGE_EVENT_TYPES)[number];

/** `<base>/bridge/event` (not retained). */
export interface BridgeEventPayload<T = Record<string, unknown>> {
  type: BridgeEventType;
  time: string;
  instance?: string;
  data: T;
}

/** What every command answers on `<base>/<instance>/response/<command>`. */
export interface CommandResponse<T = unknown> {
  status: 'ok' | 'error';
  data: T | null;
  error: { code: string; message: string } | null;
  transaction?: string;
}

export interface AlertPayload {
  metric: string;
  level: 'warning' | 'critical';
  value: number;
  threshold: number;
  message: string;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** `<base>/jobs/<id>` (retained while the job is among the last kept ones). */
export interface JobPayload {
  id: string;
  instance: string;
  command: string;
  /** Parameters with secrets removed. */
  params: Record<string, unknown>;
  /** Who started it: `mqtt:<client id>`, `rpc`, `cli`, `homeassistant`… */
  by: string;
  state: JobState;
  /** 0–100, null while unknown. */
  progress: number | null;
  step: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  result: unknown;
  error: { code: string; message: string } | null;
}

/** `<base>/bridge/jobs` (retained): what is running now and the last finished job. */
export interface JobsSummaryPayload {
  active: number;
  running: number;
  queued: number;
  last: { id: string; instance: string; command: string; state: JobState; finished_at: string | null; error: string | null } | null;
  jobs: { id: string; instance: string; command: string; state: JobState; progress: number | null; step: string | null }[];
}

/** One audit record: in the data file and as a `command` event on `<base>/bridge/event`. */
export interface AuditRecord {
  time: string;
  transport: 'mqtt' | 'rpc' | 'cli' | 'http';
  /** MQTT client id / broker user when the embedded broker knows them, else the transport. */
  client: string | null;
  user: string | null;
  instance: string;
  command: string;
  /** Parameters with secrets and file contents removed. */
  params: unknown;
  dry_run: boolean;
  status: 'ok' | 'error';
  error: string | null;
  job_id: string | null;
}

/** All topic strings, derived from the base topic and the HA discovery prefix. */
export class Topics {
  readonly base: string;
  readonly discovery: string;
  readonly haStatus: string;

  constructor(base: string, discoveryPrefix = 'homeassistant', haStatus = `${discoveryPrefix}/status`) {
    this.base = base;
    this.discovery = discoveryPrefix;
    this.haStatus = haStatus;
  }

  get bridgeState(): string {
    return `${this.base}/bridge/state`;
  }
  get bridgeInfo(): string {
    return `${this.base}/bridge/info`;
  }
  get bridgeLog(): string {
    return `${this.base}/bridge/log`;
  }
  get bridgeEvent(): string {
    return `${this.base}/bridge/event`;
  }
  availability(instance: string): string {
    return `${this.base}/${instance}/availability`;
  }
  /** A retained state object, e.g. `media2mqtt/system/cpu`. */
  state(instance: string, name: string): string {
    return `${this.base}/${instance}/${name}`;
  }
  command(instance: string, command: string): string {
    return `${this.base}/${instance}/set/${command}`;
  }
  commandResponse(instance: string, command: string): string {
    return `${this.base}/${instance}/response/${command}`;
  }
  /** Subscription that receives every command for every instance. */
  get commandWildcard(): string {
    return `${this.base}/+/set/+`;
  }
  /** Parses `<base>/<instance>/set/<command>`; null for any other topic. */
  parseCommand(topic: string): { instance: string; command: string } | null {
    const prefix = `${this.base}/`;
    if (!topic.startsWith(prefix)) return null;
    const parts = topic.slice(prefix.length).split('/');
    if (parts.length !== 3 || parts[1] !== 'set' || !parts[0] || !parts[2]) return null;
    return { instance: parts[0], command: parts[2] };
  }
  /** Summary of active jobs and the last finished one. */
  get bridgeJobs(): string {
    return `${this.base}/bridge/jobs`;
  }
  job(id: string): string {
    return `${this.base}/jobs/${id}`;
  }
  /** JSON-RPC 2.0 requests; answers go to the MQTT 5 response topic, else to `bridge/rpc/response`. */
  get bridgeRpc(): string {
    return `${this.base}/bridge/rpc`;
  }
  get bridgeRpcResponse(): string {
    return `${this.base}/bridge/rpc/response`;
  }
  /** Device-based discovery topic: `homeassistant/device/<id>/config`. */
  deviceDiscovery(deviceId: string): string {
    return `${this.discovery}/device/${deviceId}/config`;
  }
  get deviceDiscoveryWildcard(): string {
    return `${this.discovery}/device/+/config`;
  }
}
