import type { EntityDef } from '../ha/entity.js';
import type { SystemConfig } from '../config/schema.js';

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
  disk: (slug: string) => `disk_${slug}`,
  net: (slug: string) => `net_${slug}`,
} as const;

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

export function hostEntities(shape: HostShape, iv: Intervals): EntityDef[] {
  const expire = (seconds: number) => Math.round(seconds * 3);
  const percent = (key: string, name: string, state: string, field: string, interval: number, icon: string): EntityDef => ({
    key, platform: 'sensor', name, state, field, unit: '%', stateClass: 'measurement', precision: 1, icon, expireAfter: expire(interval),
  });
  const out: EntityDef[] = [];

  out.push(percent('cpu_load', 'CPU load', HostState.cpu, 'load', iv.cpu, 'mdi:cpu-64-bit'));
  out.push({ ...percent('cpu_iowait', 'CPU I/O wait', HostState.cpu, 'iowait', iv.cpu, 'mdi:timer-sand'), enabledByDefault: false });
  for (let i = 0; i < shape.cores; i++) {
    out.push({ ...percent(`cpu_core_${i}_load`, `CPU core ${i} load`, HostState.cpu, `core_${i}`, iv.cpu, 'mdi:cpu-64-bit'), enabledByDefault: false });
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
      key, platform: 'sensor', name, state: HostState.memory, valueTemplate: toGiB(field),
      deviceClass: 'data_size', unit: 'GiB', stateClass: 'measurement', precision: 2, icon: 'mdi:memory', expireAfter: expire(iv.memory),
    });
  }
  if (shape.swap) out.push(percent('swap_used_percent', 'Swap usage', HostState.memory, 'swap_used_percent', iv.memory, 'mdi:harddisk'));

  for (const d of shape.disks) {
    const state = HostState.disk(d.slug);
    out.push(percent(`disk_${d.slug}_used_percent`, `Disk usage ${d.mount}`, state, 'used_percent', iv.disk_usage, 'mdi:harddisk'));
    out.push({
      key: `disk_${d.slug}_free`, platform: 'sensor', name: `Disk free ${d.mount}`, state, valueTemplate: toGiB('free'),
      deviceClass: 'data_size', unit: 'GiB', stateClass: 'measurement', precision: 1, icon: 'mdi:harddisk', expireAfter: expire(iv.disk_usage),
    });
  }
  if (shape.diskIo) for (const [key, name, field] of [['disk_read_rate', 'Disk read rate', 'read_rate'], ['disk_write_rate', 'Disk write rate', 'write_rate']] as const) {
    out.push({
      key, platform: 'sensor', name, state: HostState.diskIo, valueTemplate: toKBps(field),
      deviceClass: 'data_rate', unit: 'kB/s', stateClass: 'measurement', precision: 1, expireAfter: expire(iv.disk_io),
    });
  }

  for (const i of shape.interfaces) {
    const state = HostState.net(i.slug);
    for (const [dir, field] of [['in', 'rx_rate'], ['out', 'tx_rate']] as const) {
      out.push({
        key: `net_${i.slug}_${field}`, platform: 'sensor', name: `Network throughput ${dir} ${i.name}`, state, valueTemplate: toKBps(field),
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

  const problems: [string, string][] = [['cpu', 'CPU'], ['memory', 'Memory'], ['disk', 'Disk']];
  if (shape.swap) problems.push(['swap', 'Swap']);
  if (shape.temperature) problems.push(['temperature', 'Temperature']);
  if (shape.gpu?.temperature) problems.push(['gpu_temperature', 'GPU temperature']);
  for (const [field, label] of problems) {
    out.push({ key: `problem_${field}`, platform: 'binary_sensor', name: `${label} problem`, state: HostState.problems, field, deviceClass: 'problem' });
  }
  return out;
}
