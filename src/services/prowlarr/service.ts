import type { EntityDef } from '../../ha/entity.js';
import { CommandError, errorMessage } from '../../errors.js';
import { Cadence } from '../cadence.js';
import { PolledService, type ServiceContext, type WebhookRequest } from '../service.js';
import type { BaseServiceConfig } from '../settings.js';
import { ProwlarrApi, type SearchParams } from './api.js';
import { ServarrApi } from '../servarr/api.js';
import { ProwlarrState, prowlarrEntities, type ProwlarrStates } from './entities.js';
import { healthIssues, issueKey, newIssues, startOfLocalDay, summarizeHealth, summarizeIndexers, summarizeStats, summarizeUpdate, unknownIndexerIds } from './map.js';
import { webhookSchema, type Indexer, type IndexerStatus, type Release } from './schemas.js';

/** The indexer list changes when the user edits Prowlarr: read it every 15 minutes, not every poll. */
const INDEXERS_EVERY_MS = 15 * 60_000;
/** Version and available updates change on upgrades only. */
const SYSTEM_EVERY_MS = 60 * 60_000;
/** At most one early list refresh per minute when statuses name an indexer we do not know yet. */
const UNKNOWN_REFRESH_MS = 60_000;
/**
 * Today's counters are read at the idle cadence even while polling fast (a failing indexer is
 * watched at `interval`, the counters need not be). 0.8: the scheduler spreads waits by ±10 %.
 */
const STATS_SLACK = 0.8;

/**
 * Prowlarr: indexer totals and failures, health, today's grabs and queries, version and updates.
 * Each poll makes two small calls (indexerstatus, health); indexerstats runs at the idle cadence,
 * the indexer list every 15 minutes and version/updates hourly, each on its own clock.
 */
export class ProwlarrService extends PolledService<BaseServiceConfig, ProwlarrStates> {
  readonly type = 'prowlarr' as const;
  protected readonly manufacturer = 'Servarr';
  protected readonly model = 'Prowlarr';
  readonly #api: ProwlarrApi;
  #indexers: Indexer[] = [];
  /** The indexer list (early, at most once per UNKNOWN_REFRESH_MS, when statuses name one we do not know), counters, version. */
  readonly #cadence: Cadence<'indexers' | 'stats' | 'system'>;
  /** Health issues already seen; null until the first answer, which is the baseline (no events for it). */
  #seenIssues: Set<string> | null = null;
  #updateError: string | null = null;
  /** Poll and webhook refreshes run one at a time, so an older answer never overwrites a newer one. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(ctx: ServiceContext<BaseServiceConfig, ProwlarrStates>) {
    super(ctx);
    this.#api = new ProwlarrApi(ctx.http, ctx.id);
    this.#cadence = new Cadence({
      indexers: { every: INDEXERS_EVERY_MS, gap: UNKNOWN_REFRESH_MS },
      stats: { every: () => ctx.cfg.idle_interval * 1000 * STATS_SLACK },
      system: { every: SYSTEM_EVERY_MS },
    });
  }

  /** The API client, for the commands (commands.ts). */
  get api(): ProwlarrApi {
    return this.#api;
  }

  /**
   * A release search for other features (missing volumes): checked here, so bad input is a clear
   * error before any request. Not a poll: it does not change availability.
   */
  async search(params: SearchParams, signal: AbortSignal): Promise<Release[]> {
    const query = params.query.trim();
    if (!query || query.length > 200) throw new CommandError('INVALID_PARAMS', 'a search query is 1 to 200 characters');
    for (const c of [...(params.categories ?? []), ...(params.indexerIds ?? [])]) {
      if (!Number.isInteger(c) || c < 0) throw new CommandError('INVALID_PARAMS', `categories and indexer ids are whole numbers, not ${String(c)}`);
    }
    const limit = params.limit ?? 100;
    const offset = params.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CommandError('INVALID_PARAMS', 'limit is 1 to 1000');
    if (!Number.isInteger(offset) || offset < 0) throw new CommandError('INVALID_PARAMS', 'offset is a whole number ≥ 0');
    if (params.type !== undefined && params.type !== 'search' && params.type !== 'book') throw new CommandError('INVALID_PARAMS', 'type is "search" or "book"');
    return this.#api.search({ ...params, query, limit, offset }, signal);
  }

  /** The shared Servarr command API (POST/GET /api/v1/command), for commands that run upstream. */
  get commandApi(): ServarrApi {
    return new ServarrApi(this.ctx.http, this.id, '/api/v1');
  }

  protected serviceEntities(): EntityDef<ProwlarrStates>[] {
    return prowlarrEntities();
  }

  protected poll(signal: AbortSignal): Promise<void> {
    return this.#serial(async () => {
      // After an outage Prowlarr may have been restarted or upgraded: re-read everything.
      if (this.failures > 0) this.#cadence.force('indexers', 'system');
      const now = new Date();
      const statsDue = this.#cadence.due('stats', now.getTime());
      const systemDue = this.#cadence.due('system', now.getTime());
      await this.#refreshIndexers(signal, now);
      await this.#refreshHealth(signal);
      if (statsDue) await this.#refreshStats(signal, now);
      if (systemDue) await this.#refreshSystem(signal);
    });
  }

  /**
   * Webhook (Settings → Connect → Webhook): refresh only what the event concerns. Health and
   * HealthRestored carry one issue, Grab a release sent to a download client, ApplicationUpdate a
   * new version.
   */
  override async onWebhook(req: WebhookRequest): Promise<void> {
    const parsed = webhookSchema.safeParse(req.json);
    const event = parsed.success ? parsed.data.eventType : null;
    const signal = this.ctx.scheduler.signal;
    switch (event) {
      case 'Test':
        this.ctx.log.info('webhook test received');
        return;
      case 'Health':
      case 'HealthRestored':
        return this.#serial(async () => {
          await this.#refreshIndexers(signal, new Date());
          await this.#refreshHealth(signal);
        });
      case 'Grab':
        return this.#serial(() => this.#refreshStats(signal, new Date()));
      case 'ApplicationUpdate':
        return this.#serial(() => this.#refreshSystem(signal));
      default:
        await this.refresh();
    }
  }

  async #refreshIndexers(signal: AbortSignal, now: Date): Promise<void> {
    const statuses: IndexerStatus[] = await this.#api.indexerStatus(signal);
    if (unknownIndexerIds(this.#indexers, statuses).length > 0) this.#cadence.stale('indexers');
    if (this.#cadence.due('indexers', now.getTime())) {
      const ticket = this.#cadence.begin('indexers');
      this.#indexers = await this.#api.indexers(signal);
      this.#cadence.done('indexers', ticket, now.getTime());
    }
    const state = summarizeIndexers(this.#indexers, statuses, now, this.ctx.cfg.list_limit);
    // Failing indexers come back on their own (disabledTill passes): watch them at the fast interval.
    this.active = state.failing > 0;
    this.ctx.publishState(ProwlarrState.indexers, state);
  }

  async #refreshHealth(signal: AbortSignal): Promise<void> {
    const items = await this.#api.health(signal);
    const state = summarizeHealth(items, this.ctx.cfg.list_limit);
    const all = healthIssues(items);
    if (this.#seenIssues) {
      for (const issue of newIssues(this.#seenIssues, all)) this.ctx.emitEvent('health_issue', { ...issue });
    }
    // Forget resolved issues, so one that comes back is announced again.
    this.#seenIssues = new Set(all.map(issueKey));
    this.ctx.publishState(ProwlarrState.health, state);
  }

  async #refreshStats(signal: AbortSignal, now: Date): Promise<void> {
    const since = startOfLocalDay(now);
    const ticket = this.#cadence.begin('stats');
    const stats = await this.#api.stats(since, now, signal);
    this.#cadence.done('stats', ticket, now.getTime());
    this.ctx.publishState(ProwlarrState.stats, summarizeStats(stats, since, this.ctx.cfg.list_limit));
  }

  async #refreshSystem(signal: AbortSignal): Promise<void> {
    const ticket = this.#cadence.begin('system');
    const status = await this.#api.systemStatus(signal);
    const before = this.version;
    this.version = status.version ?? null;
    if (before !== null && before !== this.version) this.ctx.entitiesChanged(); // sw_version, also after a webhook
    this.#cadence.done('system', ticket);
    // The update list comes from Prowlarr's update server; when that is unreachable, Prowlarr
    // itself is still fine, so this call does not take the instance offline.
    try {
      const updates = await this.#api.updates(signal);
      this.#updateError = null;
      this.ctx.publishState(ProwlarrState.update, summarizeUpdate(updates, this.version));
    } catch (err) {
      if (signal.aborted) throw err;
      const message = errorMessage(err);
      if (message !== this.#updateError) this.ctx.log.warn(`update check failed: ${message}`);
      this.#updateError = message;
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
