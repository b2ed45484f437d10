import { hostname, release, type } from 'node:os';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Instance, InstanceContext } from '../core/instance.js';
import type { SystemConfig } from '../config/schema.js';
import type { DeviceDef, EntityDef } from '../ha/entity.js';
import { errorMessage, Media2MqttError } from '../errors.js';
import type { DockerMonitor } from './docker-monitor.js';
import { hostEntities, HostState, type HostShape, type HostStates } from './entities.js';
import { CpuPoller } from './poll-cpu.js';
import { DiskPoller } from './poll-disks.js';
import { GpuPoller } from './poll-gpu.js';
import { MemoryPoller } from './poll-memory.js';
import { NetworkPoller } from './poll-network.js';
import type { HostEnv } from './poller.js';
import { HostProblems } from './problems.js';
import { parseCpuinfo, parseDiskstats, parseMeminfo, parseStat } from './procfs.js';
import { SiClient } from './si-client.js';
import type { SiStatic } from './si-protocol.js';
import { findCpuTemperatureFile, findFrequencyFiles, readDmi, readText, type DmiInfo } from './sysfs.js';

export interface HostDeps {
  /** Root of procfs (tests point it at a fixture tree). Default `/proc`. */
  procRoot?: string;
  /** Root of sysfs. Default `/sys`. */
  sysRoot?: string;
  /** Overrides `cfg.docker.socket`. */
  dockerSocket?: string;
  /** Monotonic milliseconds for rates. Default `performance.now`. */
  now?: () => number;
  /**
   * A module URL beside which `si-worker.js` (or `.ts`) is looked up; default this module's. Tests
   * point it at a fake worker, since no GPU exists here.
   */
  siModuleUrl?: string;
}

/** start() waits this long at most for systeminformation's names (usually ~0.1 s). */
const STATIC_TIMEOUT_MS = 5_000;

/**
 * The Host device: hardware metrics of the machine the bridge runs on.
 *
 * Everything polled often comes from /proc and /sys with async reads and from `fs.statfs`, never
 * from systeminformation on the main thread: several of its Linux calls run shell commands
 * synchronously and stalled the event loop 42–92 ms per poll. systeminformation runs only in a
 * short-lived worker, for the GPU and for names read once (see si-client.ts).
 *
 * This file probes the machine, schedules the polls and describes the device; the pollers of each
 * metric family live in poll-*.ts, the threshold alerts in problems.ts.
 */
export class HostInstance implements Instance {
  readonly type = 'system';
  readonly id: string;
  #ctx: InstanceContext<HostStates>;
  #cfg: SystemConfig;
  #env: HostEnv;
  #si: SiClient;
  #docker?: DockerMonitor;
  #dockerSocket: string;

  // One poller per metric family (poll-*.ts); each owns what it has found and its previous sample.
  #cpu: CpuPoller;
  #memory: MemoryPoller;
  #network: NetworkPoller;
  #disks: DiskPoller;
  #gpu: GpuPoller;

  #bootTime?: string;
  #cpuModel?: string;
  #dmi: DmiInfo = {};
  #static?: SiStatic;

  constructor(ctx: InstanceContext<HostStates>, cfg: SystemConfig, deps: HostDeps = {}) {
    this.#ctx = ctx;
    this.#cfg = cfg;
    this.id = ctx.id;
    const proc = deps.procRoot ?? join(cfg.host_root, 'proc');
    const problems = new HostProblems(ctx, () => ({ swap: this.#memory.swap, temperature: this.#cpu.hasTemperature, gpuTemperature: this.#gpu.shape?.temperature === true }));
    this.#env = {
      ctx,
      cfg,
      proc,
      sys: deps.sysRoot ?? join(cfg.host_root, 'sys'),
      // In a container, /proc/mounts and /proc/net are this process's own (`self`): the host's are PID 1's.
      hostPid: cfg.host_root === '/' ? '' : '1/',
      now: deps.now ?? (() => performance.now()),
      problems,
      read: (file) =>
        readText(join(proc, file)).then((text) => {
          if (text === undefined) throw new Media2MqttError('HOST_READ', `cannot read ${join(proc, file)}`);
          return text;
        }),
      probed: false,
    };
    this.#dockerSocket = deps.dockerSocket ?? cfg.docker.socket;
    this.#si = new SiClient(ctx.log, deps.siModuleUrl);
    this.#cpu = new CpuPoller(this.#env);
    this.#memory = new MemoryPoller(this.#env);
    this.#network = new NetworkPoller(this.#env);
    this.#disks = new DiskPoller(this.#env);
    this.#gpu = new GpuPoller(this.#env, this.#si);
  }

  /** The Docker containers seen by the last poll (one Restart button each). */
  get containers(): { name: string; slug: string }[] {
    return this.#docker?.containers ?? [];
  }

  /** The Docker Engine socket (the restart_container command uses it). */
  get dockerSocket(): string {
    return this.#dockerSocket;
  }

  device(): DeviceDef {
    const s = this.#static;
    return {
      instance: this.id,
      name: this.#cfg.name ?? hostname(),
      // What the configured /proc and /sys say comes first: with the host's /proc mounted into a
      // container (procRoot: /host/proc), systeminformation would describe the container.
      manufacturer: this.#dmi.vendor ?? s?.manufacturer,
      model: this.#dmi.product ?? s?.model ?? this.#cpuModel,
      swVersion: s?.os ? `${s.os}${s.kernel ? ` (kernel ${s.kernel})` : ''}` : `${type()} ${release()}`,
      hwVersion: this.#cpuModel ?? s?.cpu,
      viaBridge: true,
      hasAvailability: false,
    };
  }

  entities(): EntityDef<HostStates>[] {
    return hostEntities(this.#shape(), this.#cfg.intervals);
  }

  /** Probes what the machine has (so entities() is complete on return), then schedules the polls. */
  async start(): Promise<void> {
    await Promise.all([this.#probe(), this.#loadStatic()]);
    const iv = this.#cfg.intervals;
    const every = (name: string, seconds: number, fn: (signal: AbortSignal) => Promise<void>, rate = false) =>
      // Rates: the first run only takes a baseline, so the first value follows half a second later
      // (a value over 0.5 s is coarser than one over the interval, but Home Assistant has a value
      // at start-up instead of "unknown"; the next one covers the whole interval).
      this.#ctx.scheduler.every(name, seconds, fn, rate ? { firstInterval: Math.min(0.5, seconds) } : {});
    // Sensors first, so the first CPU object already carries temperature and frequency.
    every('sensors', iv.temperature, () => this.#cpu.pollSensors());
    every('cpu', iv.cpu, () => this.#cpu.pollCpu(), true);
    every('load', iv.load, () => this.#cpu.pollLoad());
    every('memory', iv.memory, () => this.#memory.poll());
    every('network', iv.network, () => this.#network.poll(), true);
    if (this.#disks.diskIo) every('disk_io', iv.disk_io, () => this.#disks.pollIo(), true);
    every('disk_usage', iv.disk_usage, (signal) => this.#disks.pollUsage(signal));
    every('processes', iv.processes, () => this.#pollProcesses());
    if (this.#cfg.gpu) every('gpu', iv.gpu, (signal) => this.#gpu.poll(signal));
    if (this.#cfg.docker.enabled) {
      // undici is loaded only when Docker monitoring is on.
      const { DockerMonitor } = await import('./docker-monitor.js');
      const docker = (this.#docker = new DockerMonitor(this.#ctx, this.#dockerSocket));
      every('docker', iv.docker, (signal) => docker.poll(signal));
    }
    this.#ctx.setAvailability('online');
  }

  async stop(): Promise<void> {
    await this.#si.stop();
    await this.#docker?.close().catch(() => undefined);
  }

  refresh(): Promise<void> {
    return this.#ctx.scheduler.runAll();
  }

  /** Reads the container states now (after a restart command). */
  refreshDocker(): Promise<void> {
    return this.#docker ? this.#ctx.scheduler.runNow('docker') : Promise.resolve();
  }

  #shape(): HostShape {
    return {
      cores: this.#cpu.cores,
      temperature: this.#cpu.hasTemperature,
      frequency: this.#cpu.hasFrequency,
      swap: this.#memory.swap,
      diskIo: this.#disks.diskIo,
      disks: this.#disks.disks,
      interfaces: this.#network.interfaces,
      gpu: this.#gpu.shape,
      docker: this.#cfg.docker.enabled ? { containers: this.#docker?.containers ?? [] } : null,
    };
  }

  async #probe(): Promise<void> {
    const read = this.#env.read;
    const sys = this.#env.sys;
    const [stat, mem, cpuinfo, diskstats, tempFile, freqFiles, dmi] = await Promise.all([
      read('stat').then(parseStat, unsupported),
      read('meminfo').then(parseMeminfo, unsupported),
      read('cpuinfo').then(parseCpuinfo, () => ({ model: undefined, mhz: undefined })),
      read('diskstats').then(parseDiskstats, () => new Map()),
      findCpuTemperatureFile(sys),
      findFrequencyFiles(sys),
      readDmi(sys),
    ]);
    this.#cpu.probed({ cores: stat.cores.length, tempFile, freqFiles, freqFromCpuinfo: freqFiles.length === 0 && cpuinfo.mhz !== undefined });
    if (stat.btime) this.#bootTime = new Date(stat.btime * 1000).toISOString();
    this.#memory.probed(mem.swapTotal);
    this.#cpuModel = cpuinfo.model;
    this.#dmi = dmi;
    await Promise.all([this.#disks.probe(diskstats.size > 0), this.#network.probe()]);
    this.#env.probed = true;
  }

  async #pollProcesses(): Promise<void> {
    const entries = await readdir(this.#env.proc);
    let processes = 0;
    for (const e of entries) if (e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57) processes++;
    this.#ctx.publishState(HostState.system, { processes, ...(this.#bootTime ? { boot_time: this.#bootTime } : {}) });
  }

  /** OS and model names, once, in parallel with the probe; the device falls back to /sys and node:os without them. */
  async #loadStatic(): Promise<void> {
    const signal = AbortSignal.any([this.#ctx.scheduler.signal, AbortSignal.timeout(STATIC_TIMEOUT_MS)]);
    const answer = await this.#si.query(['static'], signal);
    if (answer?.static) this.#static = answer.static;
    else this.#ctx.log.debug(`static system info unavailable${answer?.error ? `: ${answer.error}` : ''}`);
  }
}

function unsupported(err: unknown): never {
  throw new Media2MqttError('HOST_UNSUPPORTED', `The host device reads Linux /proc and /sys: ${errorMessage(err)}. Set system.enabled: false on other systems.`, { cause: err });
}
