import type { CpuTimes, ProcStat } from './procfs.js';

export interface CpuUsage {
  /** Busy share of all CPU time, percent. */
  load: number;
  user: number;
  system: number;
  iowait: number;
  /** Busy share per core, percent; index = core number. */
  cores: number[];
}

/**
 * CPU usage between two `/proc/stat` samples, as `top` computes it: busy = everything but idle and
 * iowait. Returns null when no time passed (two reads within one jiffy), so nothing divides by zero.
 */
export function cpuUsage(prev: ProcStat, next: ProcStat): CpuUsage | null {
  const t = share(prev.total, next.total);
  if (!t) return null;
  const cores: number[] = [];
  for (let i = 0; i < next.cores.length; i++) {
    const before = prev.cores[i];
    const after = next.cores[i];
    cores.push(before && after ? (share(before, after)?.load ?? 0) : 0);
  }
  return { ...t, cores };
}

function share(a: CpuTimes, b: CpuTimes): Omit<CpuUsage, 'cores'> | null {
  // Per-CPU iowait may go backwards (the kernel documents it as unreliable), so clamp every delta.
  const d = (k: keyof CpuTimes) => Math.max(0, b[k] - a[k]);
  const user = d('user') + d('nice');
  const system = d('system') + d('irq') + d('softirq');
  const idle = d('idle');
  const iowait = d('iowait');
  const total = user + system + idle + iowait + d('steal');
  if (total <= 0) return null;
  const pct = (v: number) => round1((v / total) * 100);
  return { load: pct(total - idle - iowait), user: pct(user), system: pct(system), iowait: pct(iowait) };
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
