import { mkdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemSchema, type SystemConfig } from '../src/config/schema.js';
import { HostInstance, type HostStates } from '../src/host/index.js';
import { recordingContext, type RecordingContext } from './fixtures/host/context.js';
import { diskstatsText, FixtureTree, meminfoText, netDevText, statText } from './fixtures/host/tree.js';

const KB = 1024;

/** A machine with two cores, a coretemp sensor, cpufreq, swap, two disks and some virtual noise. */
async function buildMachine(tree: FixtureTree, media: string): Promise<void> {
  await tree.writeProc('stat', statText([1000, 0, 500, 8000, 500], [[500, 0, 250, 4000, 250], [500, 0, 250, 4000, 250]]));
  await tree.writeProc('meminfo', meminfoText(16_000_000, 4_000_000, 2_000_000, 1_500_000));
  await tree.writeProc('loadavg', '0.50 0.40 0.30 1/200 1234\n');
  await tree.writeProc('cpuinfo', 'processor\t: 0\nmodel name\t: Fixture CPU 9000\ncpu MHz\t\t: 1234.000\n\nprocessor\t: 1\nmodel name\t: Fixture CPU 9000\ncpu MHz\t\t: 1234.000\n');
  await tree.writeProc('net/dev', netDevText({ lo: [5000, 5000], eth0: [1_000_000, 2_000_000], docker0: [10, 10], veth1a2b: [10, 10] }));
  await tree.writeProc('diskstats', diskstatsText({ loop0: [10, 0], sda: [1000, 2000], sda1: [900, 1900], nvme0n1: [100, 100], nvme0n1p1: [90, 90], zram0: [5, 5] }));
  await tree.writeProc(
    'mounts',
    [
      'proc /proc proc rw,relatime 0 0',
      'sysfs /sys sysfs rw 0 0',
      'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      '/dev/sda1 / ext4 rw,relatime 0 0',
      // A bind mount of the root disk, as Docker makes for /etc/hosts: the same numbers again.
      '/dev/sda1 /etc/hosts ext4 rw 0 0',
      `/dev/sdb1 ${media} ext4 rw 0 0`,
      '/dev/loop3 /snap/core/1 squashfs ro 0 0',
      '',
    ].join('\n'),
  );
  for (const pid of ['1', '42', '1234']) await mkdir(join(tree.proc, pid), { recursive: true });
  await mkdir(join(tree.proc, 'sys'), { recursive: true });
  // hwmon0 is a NIC sensor; hwmon1 the CPU package, whose "Package id 0" must win over "Core 0".
  await tree.writeSys('class/hwmon/hwmon0/name', 'nvme\n');
  await tree.writeSys('class/hwmon/hwmon0/temp1_input', '41000\n');
  await tree.writeSys('class/hwmon/hwmon1/name', 'coretemp\n');
  await tree.writeSys('class/hwmon/hwmon1/temp1_label', 'Core 0\n');
  await tree.writeSys('class/hwmon/hwmon1/temp1_input', '50000\n');
  await tree.writeSys('class/hwmon/hwmon1/temp2_label', 'Package id 0\n');
  await tree.writeSys('class/hwmon/hwmon1/temp2_input', '55000\n');
  await tree.writeSys('devices/system/cpu/cpu0/cpufreq/scaling_cur_freq', '2000000\n');
  await tree.writeSys('devices/system/cpu/cpu1/cpufreq/scaling_cur_freq', '3000000\n');
}

function config(extra: Record<string, unknown> = {}): SystemConfig {
  return systemSchema.parse({ gpu: false, ...extra });
}

describe('HostInstance on a fixture /proc and /sys', () => {
  let tree: FixtureTree;
  let ctx: RecordingContext<HostStates>;
  let host: HostInstance;
  let media: string;
  let clock: number;

  beforeEach(async () => {
    tree = await FixtureTree.create();
    media = await tree.dir('media');
    await buildMachine(tree, media);
    ctx = recordingContext<HostStates>();
    clock = 0;
    host = new HostInstance(ctx, config(), { procRoot: tree.proc, sysRoot: tree.sys, now: () => clock });
    await host.start();
  });

  afterEach(async () => {
    await host.stop();
    await ctx.scheduler.stop();
    await tree.remove();
  });

  it('declares entities only for what the machine has, with stable keys', () => {
    const keys = host.entities().map((e) => e.key);
    const mediaSlug = media.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
    expect(keys).toEqual(
      expect.arrayContaining([
        'cpu_load', 'cpu_core_0_load', 'cpu_core_1_load', 'cpu_temperature', 'cpu_frequency',
        'load_1', 'load_5', 'load_15', 'memory_used_percent', 'memory_used', 'memory_available', 'swap_used_percent',
        'disk_root_used_percent', 'disk_root_free', `disk_${mediaSlug}_used_percent`, `disk_${mediaSlug}_free`,
        'disk_read_rate', 'disk_write_rate', 'net_eth0_rx_rate', 'net_eth0_tx_rate', 'boot_time', 'processes',
        'problem_cpu', 'problem_memory', 'problem_swap', 'problem_disk', 'problem_temperature',
      ]),
    );
    // Virtual interfaces, pseudo file systems, bind mounts, GPU (disabled) and Docker (disabled) stay out.
    expect(keys.filter((k) => /lo_|docker|veth|etc_hosts|snap|overlay|run_|gpu|container/.test(k))).toEqual([]);
    expect(new Set(keys).size).toBe(keys.length);
    const byKey = new Map(host.entities().map((e) => [e.key, e]));
    expect(byKey.get('cpu_core_0_load')?.enabledByDefault).toBe(false);
    expect(byKey.get('cpu_temperature')).toMatchObject({ deviceClass: 'temperature', unit: '°C', stateClass: 'measurement', state: 'cpu', field: 'temperature' });
    expect(byKey.get('boot_time')).toMatchObject({ deviceClass: 'timestamp', entityCategory: 'diagnostic' });
    expect(byKey.get('boot_time')?.stateClass).toBeUndefined();
    expect(byKey.get('cpu_load')?.expireAfter).toBe(15);
    expect(byKey.get('problem_disk')).toMatchObject({ platform: 'binary_sensor', deviceClass: 'problem', state: 'problems', field: 'disk' });
    expect(byKey.get('net_eth0_rx_rate')?.name).toBe('Network throughput in eth0');
  });

  it('publishes levels on the first sample, rates only from the second, with exact values', async () => {
    await host.refresh();
    expect(ctx.state('cpu')).toBeUndefined();
    expect(ctx.state('net_eth0')).toBeUndefined();
    expect(ctx.state('disk_io')).toBeUndefined();
    expect(ctx.state('load')).toEqual({ load1: 0.5, load5: 0.4, load15: 0.3 });
    expect(ctx.state('memory')).toEqual({
      used_percent: 75,
      used: 12_000_000 * KB,
      available: 4_000_000 * KB,
      total: 16_000_000 * KB,
      swap_used_percent: 25,
      swap_used: 500_000 * KB,
      swap_total: 2_000_000 * KB,
    });
    expect(ctx.state('system')).toEqual({ processes: 3, boot_time: '2023-11-14T22:13:20.000Z' });
    expect(ctx.state('problems')).toEqual({ cpu: false, memory: false, disk: false, swap: false, temperature: false });
    expect(ctx.availability).toEqual(['online']);

    // Ten seconds later: 1000 jiffies passed (300 user, 100 system, 500 idle, 100 iowait).
    clock = 10_000;
    await tree.writeProc('stat', statText([1300, 0, 600, 8500, 600], [[700, 0, 300, 4250, 250], [600, 0, 300, 4250, 350]]));
    await tree.writeProc('net/dev', netDevText({ lo: [9000, 9000], eth0: [2_000_000, 2_500_000], docker0: [10, 10] }));
    await tree.writeProc('diskstats', diskstatsText({ loop0: [99_999, 0], sda: [21_000, 2_000], sda1: [20_900, 1_900], nvme0n1: [100, 2_100], nvme0n1p1: [90, 2_090], zram0: [5, 5] }));
    await tree.writeSys('class/hwmon/hwmon1/temp2_input', '61500\n');
    await host.refresh();

    expect(ctx.state('cpu')).toEqual({
      load: 40, user: 30, system: 10, iowait: 10,
      core_0: 50, core_1: 30,
      temperature: 61.5,
      frequency: 2500,
    });
    expect(ctx.state('net_eth0')).toEqual({ rx_rate: 100_000, tx_rate: 50_000, rx_bytes: 2_000_000, tx_bytes: 2_500_000 });
    // Whole disks only: sda read 20 000 sectors, nvme0n1 wrote 2 000; partitions, loop and zram ignored.
    expect(ctx.state('disk_io')).toEqual({ read_rate: (20_000 * 512) / 10, write_rate: (2_000 * 512) / 10 });
    expect([...ctx.states.keys()].filter((k) => k.startsWith('net_'))).toEqual(['net_eth0']);
  });

  it('measures disk usage with statfs, one entry per file system', async () => {
    await host.refresh();
    const r = ctx.state('disk_root')!;
    const s = await statfs('/');
    expect(r).toMatchObject({ mount: '/', total: s.blocks * s.bsize });
    expect(r.used).toBeGreaterThan(0);
    expect(r.free).toBeLessThanOrEqual(r.total - r.used);
    expect(r.used_percent).toBeCloseTo((r.used / (r.used + r.free)) * 100, 0);
    const diskStates = [...ctx.states.keys()].filter((k) => k.startsWith('disk_') && k !== 'disk_io');
    expect(diskStates).toHaveLength(2);
    expect(ctx.states.get(diskStates.find((k) => k !== 'disk_root')!)).toMatchObject({ mount: media });
  });

  it('follows disks and interfaces that appear and disappear', async () => {
    await host.refresh();
    expect(ctx.entitiesChangedCount).toBe(0);

    const usb = await tree.dir('usb disk');
    const mounts = (await import('node:fs/promises')).readFile;
    const base = await mounts(join(tree.proc, 'mounts'), 'utf8');
    // The kernel escapes the space in the mount path as \040.
    await tree.writeProc('mounts', base + `/dev/sdc1 ${usb.replace(/ /g, '\\040')} vfat rw 0 0\n`);
    await tree.writeProc('net/dev', netDevText({ lo: [1, 1], eth0: [1_000_000, 2_000_000], wlan0: [100, 100] }));
    clock = 5_000;
    await host.refresh();
    expect(ctx.entitiesChangedCount).toBe(2);
    const usbSlug = host.entities().find((e) => e.name === `Disk usage ${usb}`)?.state;
    expect(usbSlug).toMatch(/^disk_.*usb_disk$/);
    expect(ctx.state(usbSlug!)).toMatchObject({ mount: usb });
    expect(host.entities().map((e) => e.key)).toContain('net_wlan0_rx_rate');
    // wlan0's first sample sets its baseline only.
    expect(ctx.state('net_wlan0')).toBeUndefined();

    clock = 10_000;
    await tree.writeProc('net/dev', netDevText({ lo: [1, 1], eth0: [1_000_000, 2_000_000], wlan0: [5100, 2600] }));
    await host.refresh();
    expect(ctx.state('net_wlan0')).toEqual({ rx_rate: 1000, tx_rate: 500, rx_bytes: 5100, tx_bytes: 2600 });

    await tree.writeProc('mounts', base);
    await tree.writeProc('net/dev', netDevText({ lo: [1, 1], eth0: [1_000_000, 2_000_000] }));
    clock = 15_000;
    await host.refresh();
    expect(ctx.entitiesChangedCount).toBe(4);
    expect(ctx.cleared).toEqual(expect.arrayContaining([usbSlug, 'net_wlan0']));
    expect(ctx.states.has(usbSlug!)).toBe(false);
    expect(host.entities().some((e) => e.key.startsWith('net_wlan0'))).toBe(false);
  });

  it('raises and clears alerts with hysteresis, and drives the problem sensors', async () => {
    await host.refresh();
    // 90 % used: above the 85 % warning.
    await tree.writeProc('meminfo', meminfoText(10_000_000, 1_000_000, 2_000_000, 1_500_000));
    await host.refresh();
    expect(ctx.events).toEqual([
      {
        type: 'alert',
        data: { metric: 'memory', level: 'warning', value: 90, threshold: 85, message: 'Memory usage is 90 %, at or above the warning threshold of 85 %' },
      },
    ]);
    expect(ctx.state('problems')).toMatchObject({ memory: true, cpu: false });

    // 84 %: under the threshold but within the 2-point margin, so still a problem and no new event.
    await tree.writeProc('meminfo', meminfoText(10_000_000, 1_600_000, 2_000_000, 1_500_000));
    await host.refresh();
    expect(ctx.events).toHaveLength(1);
    expect(ctx.state('problems')).toMatchObject({ memory: true });

    // 96 %: critical.
    await tree.writeProc('meminfo', meminfoText(10_000_000, 400_000, 2_000_000, 1_500_000));
    await host.refresh();
    expect(ctx.events[1]).toMatchObject({ type: 'alert', data: { metric: 'memory', level: 'critical', value: 96, threshold: 95 } });

    // 80 %: back to normal.
    await tree.writeProc('meminfo', meminfoText(10_000_000, 2_000_000, 2_000_000, 1_500_000));
    await host.refresh();
    expect(ctx.events[2]).toMatchObject({ type: 'alert_cleared', data: { metric: 'memory', previous_level: 'critical', value: 80 } });
    expect(ctx.state('problems')).toMatchObject({ memory: false });

    // CPU temperature 92 °C: critical straight away.
    await tree.writeSys('class/hwmon/hwmon1/temp2_input', '92000\n');
    await host.refresh();
    expect(ctx.events[3]).toMatchObject({ type: 'alert', data: { metric: 'temperature', level: 'critical', value: 92, threshold: 90 } });
    expect(ctx.state('problems')).toMatchObject({ temperature: true });
  });

  it('alerts on a full disk, naming its mount', async () => {
    await host.stop();
    await ctx.scheduler.stop();
    ctx = recordingContext<HostStates>();
    // Any real disk is above 0 %: a zero threshold makes the root disk critical.
    host = new HostInstance(ctx, config({ thresholds: { disk: { warning: 0, critical: 0 } }, disks: { include: ['/'], exclude: [] } }), {
      procRoot: tree.proc,
      sysRoot: tree.sys,
    });
    await host.start();
    await host.refresh();
    expect(ctx.events).toEqual([{ type: 'alert', data: expect.objectContaining({ metric: 'disk', level: 'critical', mount: '/' }) }]);
    expect(ctx.state('problems')).toMatchObject({ disk: true });
    expect([...ctx.states.keys()].filter((k) => k.startsWith('disk_') && k !== 'disk_io')).toEqual(['disk_root']);
  });
});

describe('HostInstance without /proc', () => {
  it('refuses to start with a clear error', async () => {
    const tree = await FixtureTree.create();
    try {
      const host = new HostInstance(recordingContext<HostStates>(), config(), { procRoot: tree.proc, sysRoot: tree.sys });
      await expect(host.start()).rejects.toMatchObject({ code: 'HOST_UNSUPPORTED', message: expect.stringContaining('system.enabled: false') });
      await host.stop();
    } finally {
      await tree.remove();
    }
  });
});

describe('HostInstance on a machine without sensors or swap', () => {
  it('leaves out temperature, frequency and swap fields and entities', async () => {
    const tree = await FixtureTree.create();
    try {
      await tree.writeProc('stat', statText([100, 0, 100, 800, 0], [[100, 0, 100, 800, 0]]));
      await tree.writeProc('meminfo', meminfoText(1_000_000, 500_000));
      await tree.writeProc('loadavg', '0.00 0.00 0.00 1/10 1\n');
      // ARM: no "cpu MHz" lines and no cpufreq.
      await tree.writeProc('cpuinfo', 'processor\t: 0\nBogoMIPS\t: 108.00\nModel\t\t: Raspberry Pi 4 Model B\n');
      await tree.writeProc('net/dev', netDevText({ lo: [1, 1], end0: [0, 0] }));
      await tree.writeProc('mounts', '/dev/mmcblk0p2 / ext4 rw 0 0\n');
      const ctx = recordingContext<HostStates>();
      let clock = 0;
      const host = new HostInstance(ctx, config(), { procRoot: tree.proc, sysRoot: tree.sys, now: () => clock });
      await host.start();
      await host.refresh();
      await tree.writeProc('stat', statText([150, 0, 150, 1700, 0], [[150, 0, 150, 1700, 0]]));
      clock = 5000;
      await host.refresh();

      const keys = host.entities().map((e) => e.key);
      expect(keys).not.toContain('cpu_temperature');
      expect(keys).not.toContain('cpu_frequency');
      expect(keys).not.toContain('swap_used_percent');
      expect(keys).not.toContain('problem_swap');
      expect(keys).not.toContain('problem_temperature');
      // No /proc/diskstats in this tree: no disk I/O entities.
      expect(keys).not.toContain('disk_read_rate');
      expect(ctx.state('cpu')).toEqual({ load: 10, user: 5, system: 5, iowait: 0, core_0: 10 });
      expect(ctx.state('memory')).toEqual({ used_percent: 50, used: 500_000 * KB, available: 500_000 * KB, total: 1_000_000 * KB, swap_used: 0, swap_total: 0 });
      expect(ctx.state('problems')).toEqual({ cpu: false, memory: false, disk: false });
      expect(ctx.state('net_end0')).toEqual({ rx_rate: 0, tx_rate: 0, rx_bytes: 0, tx_bytes: 0 });
      expect(host.device()).toMatchObject({ instance: 'system', viaBridge: true, hasAvailability: false, hwVersion: 'Raspberry Pi 4 Model B' });
      await host.stop();
      await ctx.scheduler.stop();
    } finally {
      await tree.remove();
    }
  });
});

describe('HostInstance with a file system mounted at /io', () => {
  it('publishes its usage on a topic of its own, never on disk_io (the read/write rates)', async () => {
    // Under host_root, so that `<root>/io` exists for statfs; mounts and counters come from PID 1.
    const tree = await FixtureTree.create();
    try {
      await tree.writeProc('stat', statText([100, 0, 100, 800, 0], [[100, 0, 100, 800, 0]]));
      await tree.writeProc('meminfo', meminfoText(1_000_000, 500_000));
      await tree.writeProc('loadavg', '0.00 0.00 0.00 1/10 1\n');
      await tree.writeProc('cpuinfo', 'processor\t: 0\n');
      await tree.writeProc('diskstats', diskstatsText({ sda: [1000, 2000], sdb: [10, 20] }));
      await tree.writeProc('1/mounts', '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /io ext4 rw 0 0\n');
      await tree.writeProc('1/net/dev', netDevText({ eth0: [0, 0] }));
      await mkdir(join(tree.root, 'io'));
      const ctx = recordingContext<HostStates>();
      let clock = 0;
      const host = new HostInstance(ctx, config({ host_root: tree.root }), { procRoot: tree.proc, sysRoot: tree.sys, now: () => clock });
      await host.start();
      await host.refresh();
      await tree.writeProc('diskstats', diskstatsText({ sda: [3000, 2000], sdb: [10, 20] }));
      clock = 10_000;
      await host.refresh();

      const entities = host.entities();
      const ioUsage = entities.find((e) => e.name === 'Disk usage /io')?.state;
      expect(ioUsage).toMatch(/^disk_io_[0-9a-f]{6}$/);
      expect(ctx.state(ioUsage!)).toMatchObject({ mount: '/io' });
      expect(ctx.state('disk_root')).toMatchObject({ mount: '/' });
      // disk_io holds the rates alone, and only the rate entities read it.
      expect(ctx.state('disk_io')).toEqual({ read_rate: (2000 * 512) / 10, write_rate: 0 });
      expect(ctx.published.filter((p) => p.name === 'disk_io').every((p) => !('mount' in p.payload))).toBe(true);
      expect(entities.filter((e) => e.state === 'disk_io').map((e) => e.key)).toEqual(['disk_read_rate', 'disk_write_rate']);
      await host.stop();
      await ctx.scheduler.stop();
    } finally {
      await tree.remove();
    }
  });
});
