import type { EntityDef } from '../../ha/entity.js';
import { Cadence } from '../cadence.js';
import { PolledService, type ServiceContext } from '../service.js';
import type { BaseServiceConfig } from '../settings.js';
import { SabnzbdApi } from './api.js';
import { SabnzbdState, sabnzbdEntities, type SabnzbdStates } from './entities.js';
import { finishedJob, isFinal, leftQueue, summarizeQueue, summarizeWarnings, type WarningsState } from './map.js';
import type { Warning } from './schemas.js';
import { SHARED } from '../seerr/lifecycle/names.js';

/** Warning texts are re-read this often while there are any (the count alone comes with every queue answer). */
const WARNINGS_EVERY_MS = 10 * 60_000;
/** A job stuck in post-processing longer than this is forgotten (no event). */
const PENDING_MAX_MS = 6 * 3_600_000;
/** History rows asked for when jobs left the queue (at least; more when more jobs left at once). */
const HISTORY_LIMIT = 5;

/**
 * SABnzbd: one `mode=queue&limit=<list_limit>` call per poll gives status, speed, sizes, time
 * left, job count, warnings count, disk space, speed limit and version. Extra calls only when
 * something happened: `mode=history` when jobs left the queue (to tell finished from deleted,
 * and to announce `download_finished` once post-processing ends), `mode=warnings` when the
 * warnings count changed.
 */
export class SabnzbdService extends PolledService<BaseServiceConfig, SabnzbdStates> {
  readonly type = 'sabnzbd' as const;
  protected readonly manufacturer = 'SABnzbd Team';
  protected readonly model = 'SABnzbd';
  readonly #api: SabnzbdApi;
  /** nzo_ids listed by the previous queue answer; null before the first (baseline, no events). */
  #listed: Set<string> | null = null;
  /** Jobs that left the queue and are still post-processing: nzo_id → first seen (ms). */
  #pending = new Map<string, number>();
  #warningCount = -1;
  #warnings: Warning[] = [];
  readonly #cadence = new Cadence({ warnings: { every: WARNINGS_EVERY_MS } });

  constructor(ctx: ServiceContext<BaseServiceConfig, SabnzbdStates>) {
    super(ctx);
    this.#api = new SabnzbdApi(ctx.http, ctx.id);
  }

  /** The API client, for the commands (commands.ts). */
  get api(): SabnzbdApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef<SabnzbdStates>[] {
    return sabnzbdEntities();
  }

  /** Also what a webhook triggers (the base class's refresh): SABnzbd has no push of its own. */
  protected async poll(signal: AbortSignal): Promise<void> {
    const limit = this.ctx.cfg.list_limit;
    const q = await this.#api.queue(limit, signal);
    const now = new Date();
    if (q.version) this.version = q.version;
    const state = summarizeQueue(q, now, limit);

    if (this.#listed) await this.#checkFinished(leftQueue(this.#listed, q.slots), now, signal);
    this.#listed = new Set(q.slots.map((s) => s.nzo_id));
    this.ctx.share(SHARED.sabQueue, q.slots);

    const warnings = await this.#readWarnings(state.warnings, now, signal);
    this.ctx.publishState(SabnzbdState.queue, state);
    this.ctx.publishState(SabnzbdState.warnings, warnings);
    // Fast while bytes flow or a finished job is still being unpacked; slow when idle or paused.
    this.active = state.status === 'downloading' || this.#pending.size > 0;
  }

  /**
   * Jobs that left the queue are looked up in the history (by nzo_id, one call): in it and done →
   * download_finished; in it but post-processing → asked again next poll; absent → deleted by the
   * user, or pushed past the listed window by new jobs (it will be listed again later).
   */
  async #checkFinished(left: string[], now: Date, signal: AbortSignal): Promise<void> {
    for (const [id, since] of this.#pending) if (now.getTime() - since > PENDING_MAX_MS) this.#pending.delete(id);
    const ids = [...new Set([...left, ...this.#pending.keys()])];
    if (ids.length === 0) return;
    const slots = await this.#api.history(ids, Math.max(HISTORY_LIMIT, ids.length), signal);
    this.ctx.share(SHARED.sabHistory, slots);
    const found = new Map(slots.map((s) => [s.nzo_id, s]));
    for (const id of ids) {
      const slot = found.get(id);
      if (slot && isFinal(slot.status)) {
        this.#pending.delete(id);
        this.ctx.emitEvent('download_finished', { ...finishedJob(slot) });
      } else if (slot) {
        if (!this.#pending.has(id)) this.#pending.set(id, now.getTime());
      } else {
        this.#pending.delete(id);
      }
    }
  }

  async #readWarnings(count: number, now: Date, signal: AbortSignal): Promise<WarningsState> {
    const stale = count > 0 && this.#cadence.due('warnings', now.getTime());
    if (count !== this.#warningCount || stale) {
      const ticket = this.#cadence.begin('warnings');
      this.#warnings = count > 0 ? await this.#api.warnings(signal) : [];
      this.#cadence.done('warnings', ticket, now.getTime());
      this.#warningCount = count;
    }
    return summarizeWarnings(count, this.#warnings, this.ctx.cfg.list_limit);
  }
}
