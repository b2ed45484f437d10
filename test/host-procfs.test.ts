import { describe, expect, it } from 'vitest';
import { isWholeDisk, parseCpuinfo, parseDiskstats, parseLoadavg, parseMeminfo, parseMounts, parseNetDev, parseStat } from '../src/host/procfs.js';
import { cpuUsage } from '../src/host/cpu.js';
import { selectInterfaces, selectMounts } from '../src/host/filters.js';
import { mountSlug, slugify, uniqueSlug } from '../src/host/names.js';
import { RateTracker } from '../src/host/rates.js';

describe('procfs parsers', () => {
  it('reads /proc/stat, leaving guest time out (it is already in user)', () => {
    const s = parseStat('cpu  10 1 5 80 4 0 0 0 7 0\ncpu0 10 1 5 80 4 0 0 0 7 0\nbtime 1700000000\n');
    expect(s.total).toEqual({ user: 10, nice: 1, system: 5, idle: 80, iowait: 4, irq: 0, softirq: 0, steal: 0 });
    expect(s.cores).toHaveLength(1);
    expect(s.btime).toBe(1_700_000_000);
  });

  it('returns no CPU usage when no time passed, and clamps a decreasing iowait', () => {
    const a = parseStat('cpu  10 0 10 80 5\ncpu0 10 0 10 80 5\n');
    expect(cpuUsage(a, a)).toBeNull();
    const b = parseStat('cpu  20 0 20 140 3\ncpu0 20 0 20 140 3\n');
    expect(cpuUsage(a, b)).toEqual({ load: 25, user: 12.5, system: 12.5, iowait: 0, cores: [25] });
  });

  it('estimates available memory on kernels before 3.14', () => {
    expect(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n').available).toBe(400 * 1024);
  });

  it('reads /proc/loadavg and /proc/net/dev, also when a counter touches the colon', () => {
    expect(parseLoadavg('1.00 2.50 3.25 2/300 400\n')).toEqual({ load1: 1, load5: 2.5, load15: 3.25 });
    const text = 'Inter-| Receive | Transmit\n face |bytes packets|bytes\n  eth0:4294967296 1 0 0 0 0 0 0 77 1 0 0 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual(new Map([['eth0', { rxBytes: 4294967296, txBytes: 77 }]]));
  });

  it('keeps whole physical disks only', () => {
    const names = ['sda', 'sda1', 'sda10', 'nvme0n1', 'nvme0n1p2', 'nvme0n10', 'mmcblk0', 'mmcblk0p1', 'loop0', 'dm-0', 'md0', 'zram0', 'vda'];
    expect(names.filter((n) => isWholeDisk(n, names))).toEqual(['sda', 'nvme0n1', 'nvme0n10', 'mmcblk0', 'vda']);
    const stats = parseDiskstats('   8       0 sda 1 0 10 0 1 0 20 0 0 0 0\n   8       1 sda1 1 0 9 0 1 0 19 0 0 0 0\n');
    expect(stats).toEqual(new Map([['sda', { readBytes: 5120, writeBytes: 10240 }]]));
  });

  it('decodes octal escapes in /proc/mounts', () => {
    expect(parseMounts('/dev/sdb1 /mnt/My\\040Films ext4 rw 0 0\n')).toEqual([{ device: '/dev/sdb1', mount: '/mnt/My Films', fstype: 'ext4' }]);
  });

  it('reads the CPU model and average MHz from /proc/cpuinfo', () => {
    expect(parseCpuinfo('model name\t: X\ncpu MHz\t\t: 1000.0\nmodel name\t: X\ncpu MHz\t\t: 3000.0\n')).toEqual({ model: 'X', mhz: 2000 });
  });
});

describe('filters', () => {
  const mounts = parseMounts(
    [
      'overlay / overlay rw 0 0',
      '/dev/sda1 /etc/hosts ext4 rw 0 0',
      '/dev/sda1 /data ext4 rw 0 0',
      'nas:/media /mnt/nas nfs4 rw 0 0',
      'tank/films /tank/films zfs rw 0 0',
      'mergerfs /mnt/pool fuse.mergerfs rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
    ].join('\n'),
  );

  it('selects real file systems, one mount per block device', () => {
    expect(selectMounts(mounts, { include: [], exclude: [] }).map((m) => m.mount)).toEqual(['/data', '/mnt/nas', '/mnt/pool', '/tank/films']);
    expect(selectMounts(mounts, { include: [], exclude: ['/mnt/nas'] }).map((m) => m.mount)).toEqual(['/data', '/mnt/pool', '/tank/films']);
  });

  it('takes exactly the included mounts, overlay too', () => {
    expect(selectMounts(mounts, { include: ['/', '/mnt/nas'], exclude: [] }).map((m) => m.mount)).toEqual(['/', '/mnt/nas']);
  });

  it('skips virtual interfaces unless included', () => {
    const names = ['lo', 'eth0', 'docker0', 'veth12ab', 'br-1234', 'virbr0', 'wlan0', 'tailscale0'];
    expect(selectInterfaces(names, { include: [], exclude: [] })).toEqual(['eth0', 'tailscale0', 'wlan0']);
    expect(selectInterfaces(names, { include: [], exclude: ['tailscale0'] })).toEqual(['eth0', 'wlan0']);
    expect(selectInterfaces(names, { include: ['docker0', 'eth0'], exclude: [] })).toEqual(['docker0', 'eth0']);
  });
});

describe('names and rates', () => {
  it('slugs mounts and keeps distinct names apart', () => {
    expect(mountSlug('/')).toBe('root');
    expect(mountSlug('/mnt/My Films')).toBe('mnt_my_films');
    expect(slugify('eth0.100')).toBe('eth0_100');
    const taken = new Set(['mnt_a_b']);
    const other = uniqueSlug('/mnt/a_b', 'mnt_a_b', taken);
    expect(other).toMatch(/^mnt_a_b_[0-9a-f]{6}$/);
    expect(uniqueSlug('/mnt/a_b', 'mnt_a_b', taken)).toBe(other);
  });

  it('gives no rate on a first sample or after a counter reset', () => {
    const r = new RateTracker();
    expect(r.update('eth0', [100], 0)).toBeNull();
    expect(r.update('eth0', [600], 2000)).toEqual([250]);
    expect(r.update('eth0', [10], 3000)).toBeNull();
    expect(r.update('eth0', [110], 4000)).toEqual([100]);
    r.retain([]);
    expect(r.update('eth0', [200], 5000)).toBeNull();
  });
});
