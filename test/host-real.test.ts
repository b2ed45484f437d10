import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemSchema } from '../src/config/schema.js';
import type { EntityDef } from '../src/ha/entity.js';
import { HostInstance, hostEntities, type HostStates } from '../src/host/index.js';
import { recordingContext, type RecordingContext } from './fixtures/host/context.js';

/** The real /proc and /sys of this machine, and systeminformation in its worker (run from sources via tsx). */
describe('HostInstance on this machine', () => {
  let ctx: RecordingContext<HostStates>;
  let host: HostInstance;

  beforeAll(async () => {
    ctx = recordingContext<HostStates>('system', 'debug');
    host = new HostInstance(ctx, systemSchema.parse({}));
    await host.start();
    // CPU load needs two samples at least one jiffy apart.
    await vi.waitFor(
      async () => {
        await host.refresh();
        expect(ctx.state('cpu')).toBeDefined();
      },
      { timeout: 5000, interval: 50 },
    );
  });

  afterAll(async () => {
    await host.stop();
    await ctx.scheduler.stop();
  });

  it('publishes sane values', () => {
    const cpu = ctx.state('cpu')!;
    expect(cpu.load).toBeGreaterThanOrEqual(0);
    expect(cpu.load).toBeLessThanOrEqual(100);
    expect(cpu.core_0).toBeGreaterThanOrEqual(0);
    const memory = ctx.state('memory')!;
    expect(memory.total).toBeGreaterThan(0);
    expect(memory.used_percent).toBeGreaterThan(0);
    expect(memory.used_percent).toBeLessThan(100);
    const root = ctx.state('disk_root')!;
    expect(root).toMatchObject({ mount: '/' });
    expect(root.total).toBeGreaterThan(0);
    const system = ctx.state('system')!;
    expect(Date.parse(system.boot_time!)).toBeLessThan(Date.now());
    expect(system.processes).toBeGreaterThan(0);
    expect(ctx.state('load')).toHaveProperty('load1');
    expect([...ctx.states.keys()].some((k) => k === 'net_lo')).toBe(false);
  });

  it('describes the device with names read once by the systeminformation worker', () => {
    const device = host.device();
    expect(device.name.length).toBeGreaterThan(0);
    expect(device.swVersion).toContain('(kernel ');
  });

  it('polls the GPU only while one reports utilisation, and shows GPU entities exactly then', async () => {
    // Whatever this machine has: with no GPU reporting utilisation the first poll turns GPU polling
    // off and no GPU state or entity exists; with one, its state and entities are there.
    const stopped = ctx.logs.some((l) => l.includes('GPU polling stopped: no GPU reports utilisation'));
    const gpuEntities = host.entities().filter((e) => e.key.startsWith('gpu_'));
    if (stopped) {
      expect(ctx.state('gpu')).toBeUndefined();
      expect(gpuEntities).toEqual([]);
      expect(host.entities().some((e) => e.key === 'problem_gpu_temperature')).toBe(false);
    } else {
      expect(ctx.state('gpu')).toBeTypeOf('object');
      expect(gpuEntities.length).toBeGreaterThan(0);
    }
  });
});

const classes = JSON.parse(readFileSync(new URL('./fixtures/homeassistant/sensor-device-classes.json', import.meta.url), 'utf8')) as {
  device_classes: Record<string, { units: string[]; state_classes: string[] }>;
};
const facts = JSON.parse(readFileSync(new URL('./fixtures/homeassistant/mqtt-discovery-facts.json', import.meta.url), 'utf8')) as {
  binary_sensor_device_classes: { values: Record<string, string> };
  entity_categories: { values: string[] };
};

/** Every rule from specs/homeassistant that applies to one entity; returns what is wrong. */
function haProblems(e: EntityDef): string[] {
  const out: string[] = [];
  if (e.name && /^host\b/i.test(e.name)) out.push('name repeats the device name');
  if (e.entityCategory && !facts.entity_categories.values.includes(e.entityCategory)) out.push('bad entity category');
  if (e.platform === 'binary_sensor') {
    if (e.entityCategory === 'config') out.push('binary_sensor may not be config');
    if (e.deviceClass && !(e.deviceClass in facts.binary_sensor_device_classes.values)) out.push(`bad binary device class ${e.deviceClass}`);
    return out;
  }
  if (!e.deviceClass) return out;
  const dc = classes.device_classes[e.deviceClass];
  if (!dc) return [...out, `unknown device class ${e.deviceClass}`];
  const units = dc.units.filter((u) => u !== 'None');
  if (e.unit === undefined ? units.length > 0 && !dc.units.includes('None') : !units.includes(e.unit)) out.push(`unit ${e.unit} not valid for ${e.deviceClass}`);
  if (e.stateClass && !dc.state_classes.includes(e.stateClass)) out.push(`state class ${e.stateClass} not valid for ${e.deviceClass}`);
  return out;
}

describe('Host entities against the Home Assistant rules', () => {
  it('uses only valid device classes, units, state classes and categories', () => {
    const iv = systemSchema.parse({}).intervals;
    const entities = hostEntities(
      {
        cores: 4,
        temperature: true,
        frequency: true,
        swap: true,
        diskIo: true,
        disks: [{ mount: '/', slug: 'root' }, { mount: '/mnt/media', slug: 'mnt_media' }],
        interfaces: [{ name: 'eth0', slug: 'eth0' }],
        gpu: { temperature: true, memory: true },
        docker: { containers: [{ name: 'sonarr', slug: 'sonarr' }] },
      },
      iv,
    );
    expect(entities.flatMap((e) => haProblems(e).map((p) => `${e.key}: ${p}`))).toEqual([]);
    const keys = entities.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const e of entities) expect(e.key).toMatch(/^[a-z0-9_]+$/);
    // Sensors on polled state expire after about three polls; the boot time and problems do not poll-expire.
    const byKey = new Map(entities.map((e) => [e.key, e]));
    expect(byKey.get('net_eth0_rx_rate')?.expireAfter).toBe(3 * iv.network);
    expect(byKey.get('disk_root_free')?.expireAfter).toBe(3 * iv.disk_usage);
    expect(byKey.get('boot_time')?.expireAfter).toBeUndefined();
    expect(byKey.get('problem_cpu')?.expireAfter).toBeUndefined();
  });
});
