import { HostState, type GpuState, type HostShape } from './entities.js';
import type { HostEnv } from './poller.js';
import { LABELS } from './problems.js';
import type { SiClient } from './si-client.js';

/**
 * The GPU family: utilisation, temperature and memory from systeminformation in its worker
 * (si-client.ts). A machine without a GPU (or without the worker) is asked once, then left alone.
 */
export class GpuPoller {
  readonly #env: HostEnv;
  readonly #si: SiClient;
  #gpu: HostShape['gpu'] = null;
  #off = false;

  constructor(env: HostEnv, si: SiClient) {
    this.#env = env;
    this.#si = si;
  }

  /** Which GPU fields were seen (null: no GPU, or none yet). */
  get shape(): HostShape['gpu'] {
    return this.#gpu;
  }

  async poll(signal: AbortSignal): Promise<void> {
    if (this.#off) return;
    const { ctx, cfg, problems } = this.#env;
    const answer = await this.#si.query(['gpu'], signal);
    if (signal.aborted) return;
    if (!answer || answer.error || answer.gpu === undefined) {
      // No worker here, or si failed: a GPU seen before may come back; otherwise stop asking.
      if (!this.#gpu) this.#disable(answer?.error ? `systeminformation failed: ${answer.error}` : 'no systeminformation worker');
      return;
    }
    if (answer.gpu === null) {
      this.#disable('no GPU reports utilisation');
      return;
    }
    const g = answer.gpu;
    const shape = { temperature: g.temperature !== undefined, memory: g.memory_used !== undefined };
    const payload: GpuState = { utilization: g.utilization };
    if (g.temperature !== undefined) payload.temperature = g.temperature;
    if (g.memory_used !== undefined) payload.memory_used = g.memory_used;
    if (g.memory_total !== undefined) payload.memory_total = g.memory_total;
    ctx.publishState(HostState.gpu, payload);
    if (!this.#gpu || this.#gpu.temperature !== shape.temperature || this.#gpu.memory !== shape.memory) {
      this.#gpu = shape;
      ctx.entitiesChanged();
    }
    if (g.temperature !== undefined) problems.check('gpu_temperature', g.temperature, cfg.thresholds.gpu_temperature, LABELS.gpu_temperature);
    problems.publish();
  }

  #disable(why: string): void {
    const { ctx, problems } = this.#env;
    this.#off = true;
    ctx.log.debug(`GPU polling stopped: ${why}`);
    if (this.#gpu) {
      this.#gpu = null;
      problems.forget('gpu_temperature', LABELS.gpu_temperature);
      ctx.clearState(HostState.gpu);
      ctx.entitiesChanged();
      problems.publish();
    }
  }
}
