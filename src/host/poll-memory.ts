import { round1 } from './cpu.js';
import { HostState } from './entities.js';
import type { HostEnv } from './poller.js';
import { LABELS } from './problems.js';
import { parseMeminfo } from './procfs.js';

/** The memory family: RAM and swap from /proc/meminfo; swap entities come and go with swap itself. */
export class MemoryPoller {
  readonly #env: HostEnv;
  #swap = false;

  constructor(env: HostEnv) {
    this.#env = env;
  }

  probed(swapTotal: number): void {
    this.#swap = swapTotal > 0;
  }

  get swap(): boolean {
    return this.#swap;
  }

  async poll(): Promise<void> {
    const { ctx, cfg, problems } = this.#env;
    const m = parseMeminfo(await this.#env.read('meminfo'));
    const used = m.total - m.available;
    const swapUsed = m.swapTotal - m.swapFree;
    const usedPercent = round1((used / m.total) * 100);
    // Without swap there is no usage percentage: leave the field (and its entity) out.
    const swapPercent = m.swapTotal > 0 ? round1((swapUsed / m.swapTotal) * 100) : undefined;
    ctx.publishState(HostState.memory, {
      used_percent: usedPercent,
      used,
      available: m.available,
      total: m.total,
      ...(swapPercent === undefined ? {} : { swap_used_percent: swapPercent }),
      swap_used: swapUsed,
      swap_total: m.swapTotal,
    });

    if (this.#swap !== m.swapTotal > 0) {
      this.#swap = m.swapTotal > 0;
      if (!this.#swap) problems.forget('swap', LABELS.swap);
      ctx.entitiesChanged();
    }
    problems.check('memory', usedPercent, cfg.thresholds.memory, LABELS.memory);
    if (swapPercent !== undefined) problems.check('swap', swapPercent, cfg.thresholds.swap, LABELS.swap);
    problems.publish();
  }
}
