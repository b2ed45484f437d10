/**
 * Pure parsers for the /proc files the host tier reads. Kept free of I/O so tests feed them text and
 * so the caller decides when (and how asynchronously) files are read. Field layouts are from the
 * kernel's Documentation/filesystems/proc.rst and Documentation/admin-guide/iostats.rst.
 */

/** Jiffies a CPU spent in each state since boot (`/proc/stat` `cpu` lines). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface ProcStat {
  total: CpuTimes;
  /** Index = core number. */
  cores: CpuTimes[];
  /** Boot time, seconds since the epoch. */
  btime?: number;
}

export function parseStat(text: string): ProcStat {
  let total: CpuTimes | undefined;
  const cores: CpuTimes[] = [];
  let btime: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu')) {
      const parts = line.trim().split(/\s+/);
      const label = parts[0] ?? '';
      const n = parts.slice(1).map(Number);
      // guest and guest_nice (fields 9, 10) are already included in user and nice, so they are left out.
      const times: CpuTimes = {
        user: n[0] ?? 0,
        nice: n[1] ?? 0,
        system: n[2] ?? 0,
        idle: n[3] ?? 0,
        iowait: n[4] ?? 0,
        irq: n[5] ?? 0,
        softirq: n[6] ?? 0,
        steal: n[7] ?? 0,
      };
      if (label === 'cpu') total = times;
      else {
        const index = Number(label.slice(3));
        if (Number.isInteger(index)) cores[index] = times;
      }
    } else if (line.startsWith('btime ')) {
      const v = Number(line.slice(6).trim());
      if (Number.isFinite(v) && v > 0) btime = v;
    }
  }
  if (!total) throw new Error('no cpu line in /proc/stat');
  // Offline cores leave holes; they are reported as idle-free zeros rather than shifting indexes.
  for (let i = 0; i < cores.length; i++) cores[i] ??= { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };
  return { total, cores, btime };
}

export interface MemInfo {
  total: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

/** Values in bytes (the file says kB, meaning KiB). */
export function parseMeminfo(text: string): MemInfo {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)/.exec(line);
    if (m?.[1] && m[2]) kb.set(m[1], Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  if (!total) throw new Error('no MemTotal in /proc/meminfo');
  // MemAvailable exists since Linux 3.14; before that, free + buffers + cache is the usual estimate.
  const available = kb.get('MemAvailable') ?? (kb.get('MemFree') ?? 0) + (kb.get('Buffers') ?? 0) + (kb.get('Cached') ?? 0);
  return { total, available, swapTotal: kb.get('SwapTotal') ?? 0, swapFree: kb.get('SwapFree') ?? 0 };
}

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
}

export function parseLoadavg(text: string): LoadAvg {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every((v) => typeof v === 'number' && Number.isFinite(v))) throw new Error('unexpected /proc/loadavg');
  return { load1: a!, load5: b!, load15: c! };
}

export interface NetCounters {
  rxBytes: number;
  txBytes: number;
}

/** Interface name → byte counters, from `/proc/net/dev`. */
export function parseNetDev(text: string): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  for (const line of text.split('\n')) {
    // Large counters can touch the colon ("eth0:123…"), so split on it rather than on blanks.
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || name.includes('|') || fields.length < 9) continue;
    out.set(name, { rxBytes: fields[0] ?? 0, txBytes: fields[8] ?? 0 });
  }
  return out;
}

export interface DiskCounters {
  /** Bytes; diskstats counts 512-byte sectors whatever the device's sector size. */
  readBytes: number;
  writeBytes: number;
}

/** Device name → byte counters, from `/proc/diskstats`, whole disks only. */
export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const all = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !f[2]) continue;
    all.set(f[2], { readBytes: Number(f[5]) * 512, writeBytes: Number(f[9]) * 512 });
  }
  const names = [...all.keys()];
  const out = new Map<string, DiskCounters>();
  for (const [name, c] of all) if (isWholeDisk(name, names)) out.set(name, c);
  return out;
}

/**
 * Partitions repeat their disk's I/O; loop and RAM disks are not hardware; device-mapper and md
 * devices repeat the I/O of the disks under them. Counting only whole physical disks avoids doubles.
 */
export function isWholeDisk(name: string, allNames: readonly string[]): boolean {
  if (/^(loop|ram|zram|dm-|md|nbd|fd)\d*/.test(name)) return false;
  // sda1 under sda; a disk whose name ends in a digit separates with "p" (nvme0n1p1, mmcblk0p1),
  // so nvme0n10 is not taken for a partition of nvme0n1.
  return !allNames.some((other) => {
    if (other === name || !name.startsWith(other)) return false;
    const rest = name.slice(other.length);
    return /\d$/.test(other) ? /^p\d+$/.test(rest) : /^\d+$/.test(rest);
  });
}

export interface MountEntry {
  device: string;
  mount: string;
  fstype: string;
}

/** `/proc/mounts`; the kernel escapes space, tab, newline and backslash as octal (`\040`). */
export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mount, fstype] = line.split(' ');
    if (!device || !mount || !fstype) continue;
    out.push({ device: unescapeOctal(device), mount: unescapeOctal(mount), fstype });
  }
  return out;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface CpuInfo {
  model?: string;
  /** Average of the per-core "cpu MHz" lines, when the kernel prints them (x86). */
  mhz?: number;
}

export function parseCpuinfo(text: string): CpuInfo {
  let model: string | undefined;
  let sum = 0;
  let n = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (!model && (key === 'model name' || key === 'Model' || key === 'Hardware') && value) model = value;
    else if (key === 'cpu MHz') {
      const v = Number(value);
      if (Number.isFinite(v) && v > 0) {
        sum += v;
        n++;
      }
    }
  }
  return { model, mhz: n ? sum / n : undefined };
}
