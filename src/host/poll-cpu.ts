import { cpuUsage } from './cpu.js';
import { HostState, type CpuState } from './entities.js';
import type { HostEnv } from './poller.js';
import { LABELS } from './problems.js';
import { parseCpuinfo, parseLoadavg, parseStat, type ProcStat } from './procfs.js';
import { readCelsius, readFrequencyMHz } from './sysfs.js';

/** What the probe found about the CPU. */
export interface CpuProbe {
  cores: number;
  tempFile: string | undefined;
  freqFiles: string[];
  /** No cpufreq files, but /proc/cpuinfo has a "cpu MHz" line. */
  freqFromCpuinfo: boolean;
}

/**
 * The CPU family: usage per core from /proc/stat (a rate between two samples), temperature and
 * frequency from /sys (folded into the CPU state), and the load average.
 */
export class CpuPoller {
  readonly #env: HostEnv;
  #cores = 0;
  #tempFile?: string;
  #freqFiles: string[] = [];
  #freqFromCpuinfo = false;
  #prevStat?: ProcStat;
  #temperature?: number;
  #frequency?: number;

  constructor(env: HostEnv) {
    this.#env = env;
  }

  probed(p: CpuProbe): void {
    this.#cores = p.cores;
    this.#tempFile = p.tempFile;
    this.#freqFiles = p.freqFiles;
    this.#freqFromCpuinfo = p.freqFromCpuinfo;
  }

  get cores(): number {
    return this.#cores;
  }

  get hasTemperature(): boolean {
    return this.#tempFile !== undefined;
  }

  get hasFrequency(): boolean {
    return this.#freqFiles.length > 0 || this.#freqFromCpuinfo;
  }

  async pollSensors(): Promise<void> {
    const { cfg, problems } = this.#env;
    if (this.#tempFile) {
      this.#temperature = await readCelsius(this.#tempFile);
      if (this.#temperature !== undefined) problems.check('temperature', this.#temperature, cfg.thresholds.temperature, LABELS.temperature);
    }
    if (this.#freqFiles.length) this.#frequency = await readFrequencyMHz(this.#freqFiles);
    else if (this.#freqFromCpuinfo) this.#frequency = parseCpuinfo(await this.#env.read('cpuinfo')).mhz;
    if (this.#frequency !== undefined) this.#frequency = Math.round(this.#frequency);
    problems.publish();
  }

  async pollCpu(): Promise<void> {
    const { ctx, cfg, problems } = this.#env;
    const stat = parseStat(await this.#env.read('stat'));
    const prev = this.#prevStat;
    this.#prevStat = stat;
    if (stat.cores.length !== this.#cores) {
      // CPU hot-plug: per-core entities follow.
      this.#cores = stat.cores.length;
      ctx.entitiesChanged();
    }
    const usage = prev && cpuUsage(prev, stat);
    if (!usage) return;
    const payload: CpuState = { load: usage.load, user: usage.user, system: usage.system, iowait: usage.iowait };
    usage.cores.forEach((v, i) => (payload[`core_${i}` as const] = v));
    if (this.#temperature !== undefined) payload.temperature = this.#temperature;
    if (this.#frequency !== undefined) payload.frequency = this.#frequency;
    ctx.publishState(HostState.cpu, payload);
    problems.check('cpu', usage.load, cfg.thresholds.cpu, LABELS.cpu);
    problems.publish();
  }

  async pollLoad(): Promise<void> {
    const l = parseLoadavg(await this.#env.read('loadavg'));
    this.#env.ctx.publishState(HostState.load, { load1: l.load1, load5: l.load5, load15: l.load15 });
  }
}
