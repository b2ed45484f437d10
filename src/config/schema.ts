import { z } from 'zod';
import { ROLES, commandsSchema } from '../commands/config.js';
import { SERVICE_TYPE_DEFS, type ServiceConfigInput, type ServiceType } from '../services/registry.js';
import { packagingSchema } from '../packaging/config.js';
import { missingSchema } from '../missing/config.js';

/**
 * The one configuration schema: types, defaults and validation messages all come from here.
 * Every object is strict, so a typo (`brokr:` or `prot:`) is reported instead of silently ignored.
 * Durations are in seconds, sizes in bytes, unless the key says otherwise.
 */

const seconds = (def: number, min = 1) => z.number().min(min).max(86_400).default(def);
const port = (def: number) => z.number().int().min(0).max(65_535).default(def);

// The commands section and the roles are declared with the commands (src/commands/config.ts), so
// the command code never imports this file (which imports every service type through the registry).
export { ROLES, commandsSchema, type CommandsConfig, type Role } from '../commands/config.js';

const topicSegment = z
  .string()
  .min(1)
  .regex(/^[^#+\u0000]+$/, 'must not contain MQTT wildcards (#, +) or NUL')
  .refine((s) => !s.startsWith('/') && !s.endsWith('/') && !s.startsWith('$'), 'must not start or end with "/" or start with "$"');

export const mqttSchema = z
  .object({
    /** `embedded` starts the broker inside the process; otherwise an `mqtt://`, `mqtts://`, `ws://` or `wss://` URL. */
    server: z
      .string()
      .default('embedded')
      .refine((s) => s === 'embedded' || /^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/.test(s), 'must be "embedded" or a URL like mqtt://host:1883'),
    base_topic: topicSegment.default('media2mqtt'),
    client_id: z.string().min(1).max(128).optional(),
    user: z.string().optional(),
    password: z.string().optional(),
    /** Paths to PEM files for `mqtts://` (own CA, client certificate). */
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    reject_unauthorized: z.boolean().default(true),
    keepalive: seconds(60, 5),
    /** MQTT protocol version for an external broker; 5 enables response topics for `mosquitto_rr`. */
    version: z.union([z.literal(4), z.literal(5)]).default(5),
    /**
     * Longest wait between reconnect attempts (backoff doubles from 0.5 s up to this). Kept low so the
     * bridge is back within about this long after the broker returns.
     */
    reconnect_max: seconds(2),
    /**
     * MQTT 5: how long the broker keeps the bridge's session, and queues the QoS 1 commands sent to it,
     * while the bridge is disconnected. Commands older than this are dropped by the broker.
     */
    session_expiry: seconds(600, 0),
  })
  .strict();

const listener = (defPort: number) =>
  z.object({ enabled: z.boolean().default(false), port: port(defPort) }).strict();

export const brokerUserSchema = z
  .object({
    username: z.string().min(1),
    /** A hash made by `media2mqtt hash-password`; plain text is refused. */
    password: z.string().regex(/^scrypt\$/, 'must be a hash made by `media2mqtt hash-password` (starts with "scrypt$")'),
    role: z.enum(ROLES).default('viewer'),
  })
  .strict();

export const brokerSchema = z
  .object({
    /** `0.0.0.0` (or `::`): every interface, IPv4 and IPv6 on one dual-stack socket; an address: that interface only. */
    host: z.string().default('0.0.0.0'),
    port: port(1883),
    websocket: listener(8083).extend({ path: z.string().startsWith('/').default('/mqtt') }).strict().default({ enabled: false, port: 8083, path: '/mqtt' }),
    tls: listener(8883)
      .extend({ cert: z.string().optional(), key: z.string().optional(), ca: z.string().optional() })
      .strict()
      .refine((t) => !t.enabled || (t.cert && t.key), 'tls.enabled needs cert and key (paths to PEM files)')
      .default({ enabled: false, port: 8883 }),
    /** With no users, only clients on this machine (loopback) may connect, as in Mosquitto 2. */
    users: z.array(brokerUserSchema).default([]),
    /** Disconnect a subscriber whose socket has not drained for this long, so it cannot stall others. */
    drain_timeout: seconds(10),
  })
  .strict();

export const homeassistantSchema = z
  .object({
    enabled: z.boolean().default(true),
    discovery_topic: topicSegment.default('homeassistant'),
    status_topic: z.string().min(1).default('homeassistant/status'),
    /** Wait this long after HA's birth message before republishing (plus up to 1 s of jitter). */
    birth_delay: z.number().min(0).max(300).default(2),
  })
  .strict();

const thresholdSchema = z
  .object({ warning: z.number(), critical: z.number() })
  .strict()
  .refine((t) => t.warning <= t.critical, 'warning must not be above critical');

const filterSchema = z
  .object({ include: z.array(z.string()).default([]), exclude: z.array(z.string()).default([]) })
  .strict();

export const systemSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Instance id of the host in topics: `<base>/<id>/cpu`. */
    id: topicSegment.default('system'),
    /** Name of the Host device in Home Assistant; defaults to the machine's host name. */
    name: z.string().min(1).optional(),
    intervals: z
      .object({
        cpu: seconds(5),
        memory: seconds(10),
        load: seconds(10),
        network: seconds(5),
        disk_io: seconds(10),
        disk_usage: seconds(60),
        temperature: seconds(15),
        processes: seconds(30),
        gpu: seconds(60),
        docker: seconds(30),
      })
      .strict()
      .default({ cpu: 5, memory: 10, load: 10, network: 5, disk_io: 10, disk_usage: 60, temperature: 15, processes: 30, gpu: 60, docker: 30 }),
    /** Mount points to publish (glob-free exact paths; empty include = all real file systems). */
    disks: filterSchema.default({ include: [], exclude: [] }),
    /** Network interfaces to publish (empty include = all but loopback and virtual ones). */
    interfaces: filterSchema.default({ include: [], exclude: [] }),
    gpu: z.boolean().default(true),
    /**
     * Where the host's file systems are seen (node_exporter's --path.rootfs): `/` outside a
     * container; `/host` in one started with `-v /:/host:ro,rslave`. /proc and /sys are read under
     * it, mounts and network counters from the host's PID 1 (`<root>/proc/1/mounts`,
     * `<root>/proc/1/net/dev`), and disk usage at `<root><mount>`.
     */
    host_root: z.string().startsWith('/', 'must be an absolute path').default('/'),
    thresholds: z
      .object({
        cpu: thresholdSchema.default({ warning: 85, critical: 95 }),
        memory: thresholdSchema.default({ warning: 85, critical: 95 }),
        swap: thresholdSchema.default({ warning: 50, critical: 80 }),
        disk: thresholdSchema.default({ warning: 85, critical: 95 }),
        temperature: thresholdSchema.default({ warning: 75, critical: 90 }),
        gpu_temperature: thresholdSchema.default({ warning: 80, critical: 90 }),
      })
      .strict()
      .default({
        cpu: { warning: 85, critical: 95 },
        memory: { warning: 85, critical: 95 },
        swap: { warning: 50, critical: 80 },
        disk: { warning: 85, critical: 95 },
        temperature: { warning: 75, critical: 90 },
        gpu_temperature: { warning: 80, critical: 90 },
      }),
    docker: z
      .object({ enabled: z.boolean().default(false), socket: z.string().default('/var/run/docker.sock') })
      .strict()
      .default({ enabled: false, socket: '/var/run/docker.sock' }),
  })
  .strict();

export const httpSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: z.string().default('0.0.0.0'),
    port: port(8099),
    /** Bearer token for webhooks and JSON-RPC; /healthz and /metrics stay open. */
    token: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .strict();

export const storeSchema = z
  .object({
    /** Directory for the state file (`media2mqtt.json`); relative paths are relative to the working directory. */
    data_dir: z.string().default('data'),
  })
  .strict();

export const logSchema = z
  .object({
    level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    format: z.enum(['text', 'json']).default('text'),
    /** Publish log lines at or above this level on `<base>/bridge/log` (`off` to disable). */
    mqtt_level: z.enum(['off', 'error', 'warn', 'info', 'debug']).default('info'),
  })
  .strict();

/** Every supported service type (one line each in src/services/registry.ts). */
export const SERVICE_TYPES = Object.keys(SERVICE_TYPE_DEFS) as ServiceType[];
export type { ServiceType } from '../services/registry.js';
export { sessionSettingsSchema } from '../services/settings.js';

/**
 * One upstream instance: a union over the registered types, so each type's own settings and
 * required credentials are checked (`upcoming_days` on a qBittorrent instance is an error).
 */
export const serviceConfigSchema = z.discriminatedUnion(
  'type',
  Object.values(SERVICE_TYPE_DEFS).map((d: { schema: ServiceSchema }) => d.schema) as unknown as [ServiceSchema, ...ServiceSchema[]],
  { error: () => `type: must be one of ${SERVICE_TYPES.join(', ')}` },
) as unknown as z.ZodType<ServiceConfigInput, unknown>;
type ServiceSchema = (typeof SERVICE_TYPE_DEFS)[ServiceType]['schema'];

export const instanceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,47}$/, 'instance ids are lower-case letters, digits, "_" and "-" (e.g. sonarr_4k)')
  .refine((s) => !['bridge', 'jobs', 'homeassistant', 'packaging', 'missing'].includes(s), 'this instance id is reserved');

export const configSchema = z
  .object({
    mqtt: mqttSchema.default(mqttSchema.parse({})),
    broker: brokerSchema.default(brokerSchema.parse({})),
    homeassistant: homeassistantSchema.default(homeassistantSchema.parse({})),
    services: z.record(instanceId, serviceConfigSchema).default({}),
    system: systemSchema.default(systemSchema.parse({})),
    http: httpSchema.default(httpSchema.parse({})),
    commands: commandsSchema.default(commandsSchema.parse({})),
    store: storeSchema.default(storeSchema.parse({})),
    log: logSchema.default(logSchema.parse({})),
    packaging: packagingSchema.default(packagingSchema.parse({})),
    missing: missingSchema.default(missingSchema.parse({})),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.services[cfg.system.id]) {
      ctx.addIssue({ code: 'custom', path: ['services', cfg.system.id], message: `clashes with system.id "${cfg.system.id}"` });
    }
  });

export type Config = z.output<typeof configSchema>;
export type MqttConfig = z.output<typeof mqttSchema>;
export type BrokerConfig = z.output<typeof brokerSchema>;
export type BrokerUser = z.output<typeof brokerUserSchema>;
export type HomeAssistantConfig = z.output<typeof homeassistantSchema>;
export type SystemConfig = z.output<typeof systemSchema>;
export type HttpConfig = z.output<typeof httpSchema>;
export type StoreConfig = z.output<typeof storeSchema>;
export type LogConfig = z.output<typeof logSchema>;
export type { ServiceConfigInput } from '../services/registry.js';
/** A service's settings with the per-type defaults filled in (what instances receive). */
export type ServiceConfig = ServiceConfigInput & { interval: number; idle_interval: number };
