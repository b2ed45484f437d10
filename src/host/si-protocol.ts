/** Messages between the host and its systeminformation worker (`si-worker.ts`). */

export type SiJob = 'static' | 'gpu';

export interface SiRequest {
  jobs: SiJob[];
}

export interface SiStatic {
  manufacturer?: string;
  model?: string;
  /** "Debian GNU/Linux 12" */
  os?: string;
  kernel?: string;
  /** "AMD EPYC 9B14" */
  cpu?: string;
}

/** The first GPU that reports utilisation; memory in MiB as nvidia-smi gives it. */
export interface SiGpu {
  model?: string;
  utilization: number;
  temperature?: number;
  memory_used?: number;
  memory_total?: number;
}

export interface SiAnswer {
  static?: SiStatic;
  /** null: no GPU with utilisation data on this machine. */
  gpu?: SiGpu | null;
  error?: string;
}
