import { stateField, type EntityDef, type StateBinding } from '../ha/entity.js';
import type { FieldOf, StateName } from '../mqtt/contract.js';
import type { SystemConfig } from '../config/schema.js';
import type { DiskUsage } from './disk-usage.js';

/** State object names under `<base>/<id>/`; part of the MQTT contract (README, "Host"). */
export const HostState = {
  cpu: 'cpu',
  load: 'load',
  memory: 'memory',
  diskIo: 'disk_io',
  system: 'system',
  gpu: 'gpu',
  docker: 'docker',
  problems: 'problems',
  disk: (slug: string) => `disk_${slug}` as const,
  net: (slug: string) => `net_${slug}` as const,
} as const;

/** `<base>/<id>/cpu`: percent; temperature (°C) and frequency (MHz) where the machine has them. */
export interface CpuState {
  load: number;
  user: number;
  system: number;
  iowait: number;
  /** Busy share of each core, `core_0` … `core_N`. */
  [core: `core_${number}`]: number;
  temperature?: number;
  frequency?: number;
}

export interface LoadState {
  load1: number;
  load5: number;
  load15: number;
}

/** Bytes; the swap percentage only where there is swap. */
export interface MemoryState {
  used_percent: number;
  used: number;
  available: number;
  total: number;
  swap_used_percent?: number;
  swap_used: number;
  swap_total: number;
}

/** `<base>/<id>/disk_<slug>`: one mount's usage (bytes). */
export interface DiskState extends DiskUsage {
  mount: string;
}

/** `<base>/<id>/disk_io`: whole disks, bytes/s. */
export interface DiskIoState {
  read_rate: number;
  write_rate: number;
}

/** `<base>/<id>/net_<slug>`: one interface, bytes/s and byte counters. */
export interface NetState {
  rx_rate: number;
  tx_rate: number;
  rx_bytes: number;
  tx_bytes: number;
}

export interface SystemState {
  processes: number;
  /** ISO 8601; absent when /proc/stat has no btime. */
  boot_time?: string;
}

/** Utilisation (%), temperature (°C), memory (MiB): what the GPU reports. */
export interface GpuState {
  utilization: number;
  temperature?: number;
  memory_used?: number;
  memory_total?: number;
}

export interface DockerState {
  running: number;
  stopped: number;
  total: number;
  /** Container name → Docker's state (`running`, `exited`…). */
  containers: Record<string, string>;
}

/** `true` at warning or critical; the optional flags exist only where the metric does. */
export interface ProblemsState {
  cpu: boolean;
  memory: boolean;
  disk: boolean;
  swap?: boolean;
  temperature?: boolean;
  gpu_temperature?: boolean;
}

/**
 * Everything the Host device publishes under `<base>/<id>/`. The per-mount and per-interface names
 * are a second member of the intersection: in one object type, `disk_io` would have to fit the
 * `disk_${string}` pattern's payload (TS2411), while an intersection lets the named state win
 * (mountSlug never hands out `io`, see DiskPoller, so no mount is published there).
 */
export type HostStates = {
  cpu: CpuState;
  load: LoadState;
  memory: MemoryState;
  disk_io: DiskIoState;
  system: SystemState;
  gpu: GpuState;
  docker: DockerState;
  problems: ProblemsState;
} & {
  [name: `disk_${string}`]: DiskState;
  [name: `net_${string}`]: NetState;
};

type HostStateName = StateName<HostStates>;

/** What this machine has; entities exist only for values the machine can give. */
export interface HostShape {
  cores: number;
  temperature: boolean;
  frequency: boolean;
  swap: boolean;
  /** /proc/diskstats lists at least one whole disk. */
  diskIo: boolean;
  disks: { mount: string; slug: string }[];
  interfaces: { name: string; slug: string }[];
  gpu: { temperature: boolean; memory: boolean } | null;
  /** null: Docker monitoring disabled. */
  docker: { containers: { name: string; slug: string }[] } | null;
}

type Intervals = SystemConfig['intervals'];

// Units must be valid for their device class (specs/homeassistant/sensor-device-classes.json):
// data_size GiB/MiB, data_rate kB/s, frequency MHz, temperature °C. State topics carry bytes and
// bytes/s (Grafana-friendly); the templates convert for Home Assistant.
const GIB = 1073741824;
const toGiB = (field: string) => `{{ (value_json.${field} / ${GIB}) | round(2) }}`;
const toKBps = (field: string) => `{{ (value_json.${field} / 1000) | round(1) }}`;

/** A state field HA gets converted by a template (bytes → GiB, bytes/s → kB/s); the field is checked like `field`. */
function converted<K extends HostStateName>(state: K, field: FieldOf<HostStates, K>, template: (field: string) => string): StateBinding<HostStates> & { valueTemplate: string } {
  return { ...stateField<HostStates, K>(state), valueTemplate: template(field) };
}

export function hostEntities(shape: HostShape, iv: Intervals): EntityDef<HostStates>[] {
  const expire = (seconds: number) => Math.round(seconds * 3);
  const percent = <K extends HostStateName>(key: string, name: string, state: K, field: FieldOf<HostStates, K>, interval: number, icon: string): EntityDef<HostStates> => ({
    key, platform: 'sensor', name, ...stateField<HostStates, K>(state, field), unit: '%', stateClass: 'measurement', precision: 1, icon, expireAfter: expire(interval),
  });
  const out: EntityDef<HostStates>[] = [];

  out.push(percent('cpu_load', 'CPU load', HostState.cpu, 'load', iv.cpu, 'mdi:cpu-64-bit'));
  out.push({ ...percent('cpu_iowait', 'CPU I/O wait', HostState.cpu, 'iowait', iv.cpu, 'mdi:timer-sand'), enabledByDefault: false });
  for (let i = 0; i < shape.cores; i++) {
    out.push({ ...percent(`cpu_core_${i}_load`, `CPU core ${i} load`, HostState.cpu, `core_${i}` as const, iv.cpu, 'mdi:cpu-64-bit'), enabledByDefault: false });
  }
  if (shape.temperature) {
    out.push({
      key: 'cpu_temperature', platform: 'sensor', name: 'CPU temperature', state: HostState.cpu, field: 'temperature',
      deviceClass: 'temperature', unit: '°C', stateClass: 'measurement', precision: 1, expireAfter: expire(iv.cpu),
    });
  }
  if (shape.frequency) {
    out.push({
      key: 'cpu_frequency', platform: 'sensor', name: 'CPU frequency', state: HostState.cpu, field: 'frequency',
      deviceClass: 'frequency', unit: 'MHz', stateClass: 'measurement', precision: 0, expireAfter: expire(iv.cpu),
    });
  }

  for (const [n, field] of [[1, 'load1'], [5, 'load5'], [15, 'load15']] as const) {
    out.push({
      key: `load_${n}`, platform: 'sensor', name: `Load average (${n} min)`, state: HostState.load, field,
      stateClass: 'measurement', precision: 2, icon: 'mdi:gauge', expireAfter: expire(iv.load),
    });
  }

  out.push(percent('memory_used_percent', 'Memory usage', HostState.memory, 'used_percent', iv.memory, 'mdi:memory'));
  for (const [key, name, field] of [['memory_used', 'Memory used', 'used'], ['memory_available', 'Memory available', 'available']] as const) {
    out.push({
      key, platform: 'sensor', name, ...converted(HostState.memory, field, toGiB),
      deviceClass: 'data_size', unit: 'GiB', stateClass: 'measurement', precision: 2, icon: 'mdi:memory', expireAfter: expire(iv.memory),
    });
  }
  if (shape.swap) out.push(percent('swap_used_percent', 'Swap usage', HostState.memory, 'swap_used_percent', iv.memory, 'mdi:harddisk'));

  for (const d of shape.disks) {
    const state = HostState.disk(d.slug);
    out.push(percent(`disk_${d.slug}_used_percent`, `Disk usage ${d.mount}`, state, 'used_percent', iv.disk_usage, 'mdi:harddisk'));
    out.push({
      key: `disk_${d.slug}_free`, platform: 'sensor', name: `Disk free ${d.mount}`, ...converted(state, 'free', toGiB),
      deviceClass: 'data_size', unit: 'GiB', stateClass: 'measurement', precision: 1, icon: 'mdi:harddisk', expireAfter: expire(iv.disk_usage),
    });
  }
  if (shape.diskIo) for (const [key, name, field] of [['disk_read_rate', 'Disk read rate', 'read_rate'], ['disk_write_rate', 'Disk write rate', 'write_rate']] as const) {
    out.push({
      // Through converted(), not a literal: `disk_io` also fits the `disk_${string}` pattern, so only
      // the generic helper checks its fields against DiskIoState.
      key, platform: 'sensor', name, ...converted(HostState.diskIo, field, toKBps),
      deviceClass: 'data_rate', unit: 'kB/s', stateClass: 'measurement', precision: 1, expireAfter: expire(iv.disk_io),
    });
  }

  for (const i of shape.interfaces) {
    const state = HostState.net(i.slug);
    for (const [dir, field] of [['in', 'rx_rate'], ['out', 'tx_rate']] as const) {
      out.push({
        key: `net_${i.slug}_${field}`, platform: 'sensor', name: `Network throughput ${dir} ${i.name}`, ...converted(state, field, toKBps),
        deviceClass: 'data_rate', unit: 'kB/s', stateClass: 'measurement', precision: 1,
        icon: dir === 'in' ? 'mdi:download-network' : 'mdi:upload-network', expireAfter: expire(iv.network),
      });
    }
  }

  out.push({
    key: 'boot_time', platform: 'sensor', name: 'Last boot', state: HostState.system, field: 'boot_time',
    deviceClass: 'timestamp', entityCategory: 'diagnostic',
  });
  out.push({
    key: 'processes', platform: 'sensor', name: 'Processes', state: HostState.system, field: 'processes',
    stateClass: 'measurement', icon: 'mdi:application-cog', expireAfter: expire(iv.processes),
  });

  if (shape.gpu) {
    out.push(percent('gpu_utilization', 'GPU utilization', HostState.gpu, 'utilization', iv.gpu, 'mdi:expansion-card'));
    if (shape.gpu.temperature) {
      out.push({
        key: 'gpu_temperature', platform: 'sensor', name: 'GPU temperature', state: HostState.gpu, field: 'temperature',
        deviceClass: 'temperature', unit: '°C', stateClass: 'measurement', precision: 0, expireAfter: expire(iv.gpu),
      });
    }
    if (shape.gpu.memory) {
      out.push({
        key: 'gpu_memory_used', platform: 'sensor', name: 'GPU memory used', state: HostState.gpu, field: 'memory_used',
        deviceClass: 'data_size', unit: 'MiB', stateClass: 'measurement', precision: 0, icon: 'mdi:expansion-card', expireAfter: expire(iv.gpu),
      });
    }
  }

  if (shape.docker) {
    out.push({
      key: 'docker_running', platform: 'sensor', name: 'Containers running', state: HostState.docker, field: 'running',
      stateClass: 'measurement', icon: 'mdi:docker', expireAfter: expire(iv.docker),
    });
    for (const c of shape.docker.containers) {
      out.push({
        key: `container_${c.slug}`, platform: 'binary_sensor', name: `Container ${c.name}`, state: HostState.docker,
        // Docker names are [a-zA-Z0-9][a-zA-Z0-9_.-]*, so quoting them in the template is safe.
        valueTemplate: `{{ 'ON' if value_json.containers['${c.name}'] == 'running' else 'OFF' }}`,
        payloadOn: 'ON', payloadOff: 'OFF', deviceClass: 'running', icon: 'mdi:docker', expireAfter: expire(iv.docker),
      });
    }
  }

  const problems: [keyof ProblemsState, string][] = [['cpu', 'CPU'], ['memory', 'Memory'], ['disk', 'Disk']];
  if (shape.swap) problems.push(['swap', 'Swap']);
  if (shape.temperature) problems.push(['temperature', 'Temperature']);
  if (shape.gpu?.temperature) problems.push(['gpu_temperature', 'GPU temperature']);
  for (const [field, label] of problems) {
    out.push({ key: `problem_${field}`, platform: 'binary_sensor', name: `${label} problem`, state: HostState.problems, field, deviceClass: 'problem' });
  }
  return out;
}
