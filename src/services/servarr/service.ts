import type { RecentState } from './recent.js';
import type { EntityDef } from '../../ha/entity.js';
import { UpstreamError, errorMessage } from '../../errors.js';
import type { LiveConfig } from '../settings.js';
import { PolledService, type ServiceContext, type WebhookRequest } from '../service.js';
import { ServarrApi } from './api.js';
import { Cadence, type CadenceRule, type CadenceTicket } from '../cadence.js';
import { mapDisk, mapRootFolders, type RootFolderSpace } from './disk.js';
import { ServarrState, servarrEntities, type ServarrNouns, type ServarrStates } from './entities.js';
import { HealthTracker, healthIssues, mapHealth } from './health.js';
import { QUEUE_PAGE_SIZE, mapQueue, queueKeys, summarizePage, type QueueSummary } from './queue.js';
import { pagingSchema, queueRecordSchema, type DiskSpace, type QueueRecord, type RootFolder } from './schemas.js';
import { mapUpdate } from './update.js';
import { servarrAuth } from './auth.js';
import type { LiveSocket, LiveState } from '../live-socket.js';
import { servarrLiveSocket } from './live.js';
import { liveRefresh } from './live-map.js';
import { DEAR_GAP_IDLE_INTERVALS, LiveRefresher, pushGap } from './live-refresh.js';
import type { ServarrMessage } from './signalr.js';
import { commonPlan, webhookBaseSchema, type Resource, type WebhookPlan } from './webhook.js';
import { SHARED } from '../seerr/lifecycle/names.js';

const MIN = 60_000;
/**
 * How often each resource is re-read besides the queue (which every poll reads with the cheap
 * `/queue/status`, or only when due while the live channel is up). Slowly changing things are
 * read rarely; webhooks read what they name at once, live messages and finished downloads mark
 * it stale, read at most once per its push gap (live-refresh.ts). At the default 30 s / 120 s
 * this is ≈2.5 requests/min while downloading and ≈1 request/min idle
 * (test/services/*-budget.test.ts measures it).
 */
export const SERVARR_PERIODS: Readonly<Record<Exclude<Resource, 'queue'>, number>> = {
  health: 5 * MIN,
  wanted: 10 * MIN,
  disk: 15 * MIN,
  calendar: 30 * MIN,
  // The full series/movie list is the one expensive call: hourly, and after imports/adds/deletes.
  library: 60 * MIN,
  rootfolders: 60 * MIN,
  status: 360 * MIN,
  update: 360 * MIN,
};

/** Order of the reads in one poll: the queue first (a finished download invalidates others), status before update. */
const ORDER: Exclude<Resource, 'queue'>[] = ['status', 'health', 'library', 'wanted', 'calendar', 'rootfolders', 'disk', 'update'];

/** `/update` asks the app's update server; when that fails the app is still fine, try again in an hour. */
const UPDATE_RETRY_MS = 60 * MIN;
/** While the live channel is up the apps push `health` after every check run: read it hourly besides. */
const HEALTH_LIVE_MS = 60 * MIN;

const queuePageSchema = pagingSchema(queueRecordSchema);

/**
 * What Sonarr and Radarr share: queue, wanted counts, health, disk space per root folder,
 * version/update, webhooks mapped to targeted refreshes. Each app adds its library totals, its
 * calendar and its own webhook events.
 */
/** Sonarr's and Radarr's settings: a live channel and the calendar's reach. */
export type ServarrConfig = LiveConfig & { upcoming_days: number };

export abstract class ServarrService<S extends ServarrStates = ServarrStates> extends PolledService<ServarrConfig, S> {
  protected readonly api: ServarrApi;
  protected abstract readonly nouns: ServarrNouns;
  /** When each resource may be read again, the queue included (every poll, unless the live channel keeps it fresh). */
  readonly #cadence: Cadence<Resource>;
  readonly #health = new HealthTracker();
  #queueCount: number | null = null;
  #queueKeys: Set<string> | null = null;
  #folders: RootFolder[] | null = null;
  #mounts: DiskSpace[] | null = null;
  #spaces: RootFolderSpace[] = [];
  /** Set by a webhook or a push: the next poll reads only what is marked (stale or forced) and due. */
  #targeted = false;
  #updateError: string | null = null;
  /** The SignalR channel (null when `live: false`) and what turns its messages into refreshes. */
  readonly #live: LiveSocket | null;
  readonly #liveRefresh: LiveRefresher;

  constructor(ctx: ServiceContext<ServarrConfig, S>, periods: Readonly<Record<Exclude<Resource, 'queue'>, number>> = SERVARR_PERIODS) {
    super(ctx);
    this.api = new ServarrApi(ctx.http, ctx.id);
    const live = () => this.liveState === 'connected';
    const gaps = { minGapMs: ctx.cfg.idle_interval * 1000 * DEAR_GAP_IDLE_INTERVALS };
    const rules = { queue: { every: () => (live() ? ctx.cfg.idle_interval * 1000 : 0), gap: pushGap('queue', gaps) } } as Record<Resource, CadenceRule>;
    for (const r of ORDER) rules[r] = { every: periods[r], gap: pushGap(r, gaps) };
    rules.health = { every: () => (live() ? Math.max(periods.health, HEALTH_LIVE_MS) : periods.health), gap: pushGap('health', gaps) };
    this.#cadence = new Cadence(rules);
    this.#liveRefresh = new LiveRefresher(() => this.#refreshMarked(), { cadence: this.#cadence });
    this.#live = ctx.cfg.live
      ? servarrLiveSocket({
          http: ctx.http,
          service: ctx.id,
          headers: servarrAuth(ctx.cfg).headers?.() ?? {},
          verifyTls: ctx.cfg.verify_tls,
          timeoutMs: ctx.cfg.timeout * 1000,
          log: ctx.log,
          onMessage: (m) => this.#onLiveMessage(m),
          onState: (s) => this.#onLiveState(s),
        })
      : null;
    this.setLive(this.#live ? 'disconnected' : 'off');
  }

  /** `connected`, `disconnected`, or `off` when the instance is configured with `live: false`. */
  get liveState(): LiveState {
    return this.#live ? (this.#live.connected ? 'connected' : 'disconnected') : 'off';
  }

  override async start(): Promise<void> {
    await super.start();
    this.#live?.start();
  }

  override async stop(): Promise<void> {
    this.#liveRefresh.stop();
    await this.#live?.stop();
    await super.stop();
  }

  /** Library totals (`library` state) from the full series/movie list. */
  /** The library totals and the recent additions, from one read of the library list. */
  protected abstract fetchLibrary(signal: AbortSignal): Promise<{ library: S['library']; recent: RecentState }>;
  /** The `upcoming` state from `/calendar` between start and end. */
  protected abstract fetchUpcoming(signal: AbortSignal, start: Date, end: Date): Promise<S['upcoming']>;
  /** Extra query of GET /queue (`includeUnknownSeriesItems` / `includeUnknownMovieItems`). */
  protected abstract queueQuery(): Record<string, string | number | boolean>;
  /** App-specific webhook events (series/movie added, grabbed, imported…). */
  protected abstract webhookPlan(eventType: string, body: Record<string, unknown>): WebhookPlan | null;
  /**
   * The entities both apps have (queue, wanted, health, disk per root folder, …); each app's
   * serviceEntities() adds its library totals to them.
   */
  protected sharedEntities(): EntityDef<ServarrStates>[] {
    return servarrEntities(this.nouns, this.#spaces, this.model);
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const targeted = this.#targeted;
    this.#targeted = false;
    // A targeted poll (webhook, push) reads only what was marked, once its gap allows; a regular one all that is due.
    const read = (r: Resource) => this.#cadence.due(r) && (!targeted || this.#cadence.pending(r));
    if (read('queue')) await this.#pollQueue(signal, targeted);
    // Answering again after failures: the live channel need not wait out its backoff.
    if (this.failures > 0) this.#live?.kick();
    for (const r of ORDER) if (read(r)) await this.#read(r, signal);
  }

  #onLiveMessage(m: ServarrMessage): void {
    this.liveActivity(); // a failing instance is polled at once (issue 14, item 13)
    // Sent on every connect (MessageHub.OnConnectedAsync); a different one means the app was updated.
    if (m.name === 'version') {
      if (m.version && this.version && m.version !== this.version) this.#liveRefresh.push(['status', 'update', 'health']);
      return;
    }
    const resources = liveRefresh(m);
    if (resources.length) this.#liveRefresh.push(resources);
  }

  #onLiveState(s: Exclude<LiveState, 'off'>): void {
    // Not the base class's liveChanged(): SignalR reads only the queue after a connect, not everything.
    this.setLive(s);
    if (s === 'connected') {
      // As the apps' own frontend does after (re)connecting: what changed before the socket
      // was up is not going to be pushed, so read the queue once now.
      this.#liveRefresh.push(['queue']);
      return;
    }
    // Push is gone: back to the normal queue interval at once if anything is downloading.
    if ((this.#queueCount ?? 0) > 0) {
      this.active = true;
      void this.refreshOnly(['queue']);
    }
  }

  override async onWebhook(req: WebhookRequest): Promise<void> {
    const base = webhookBaseSchema.safeParse(req.json);
    if (!base.success) {
      this.ctx.log.warn('webhook ignored: the body is not a Sonarr/Radarr webhook (no eventType)');
      return;
    }
    const body = req.json as Record<string, unknown>;
    this.ctx.share(SHARED.servarrWebhook, body);
    const type = base.data.eventType;
    const plan = commonPlan(type, body) ?? this.webhookPlan(type, body);
    if (!plan) {
      this.ctx.log.debug(`webhook ${type}: nothing to refresh`);
      return;
    }
    this.ctx.log.debug(`webhook ${type}: refreshing ${plan.refresh.join(', ') || 'nothing'}`);
    if (plan.event) this.ctx.emitEvent(plan.event.type, plan.event.data);
    if (plan.refresh.length) await this.refreshOnly(plan.refresh);
  }

  /** A sync asked for by the user (command, Resync button): everything is read again, not only what is due. */
  override refresh(): Promise<void> {
    this.#cadence.force('queue', ...ORDER);
    return super.refresh();
  }

  /** Re-reads these resources now whatever their gap (a webhook named them), not the whole poll. */
  async refreshOnly(resources: readonly Resource[]): Promise<void> {
    this.#cadence.force(...resources);
    await this.#refreshMarked(resources);
  }

  /** A targeted poll of what is marked and due (a push's leading or trailing edge, a webhook). */
  async #refreshMarked(resources: readonly Resource[] = ['queue', ...ORDER]): Promise<void> {
    this.#targeted = true;
    await super.refresh();
    // A poll already running when the mark came joins instead of starting anew, and it may
    // have passed these resources before they were marked: run once more then.
    if (this.#targeted || resources.some((r) => this.#cadence.pending(r) && this.#cadence.due(r))) {
      this.#targeted = true;
      await super.refresh();
    }
    // What a read marked stale (a download left the queue) and may not read yet: at the end of its gap.
    this.#liveRefresh.reschedule();
  }

  /**
   * Idle: the cheap `/queue/status` says whether there is anything to list. Active, or told by a
   * push that the queue changed: `/queue` alone, whose totalRecords is the same count, so the
   * read costs one request, not two.
   */
  async #pollQueue(signal: AbortSignal, pushed: boolean): Promise<void> {
    const ticket = this.#cadence.begin('queue');
    let summary: QueueSummary;
    let records: QueueRecord[] = [];
    const list = async () => {
      const page = await this.api.get('/queue', queuePageSchema, signal, { page: 1, pageSize: QUEUE_PAGE_SIZE, ...this.queueQuery() });
      records = page.records ?? [];
      return summarizePage(page.totalRecords, records);
    };
    if ((this.#queueCount ?? 0) > 0 || (pushed && this.#queueCount !== null)) summary = await list();
    else {
      const status = await this.api.queueStatus(signal);
      summary = status.totalCount > 0 ? await list() : { total: 0, errors: status.errors ?? false, warnings: status.warnings ?? false };
    }
    const keys = queueKeys(records);
    const prevCount = this.#queueCount;
    const prevKeys = this.#queueKeys;
    const complete = summary.total <= QUEUE_PAGE_SIZE && (prevCount ?? 0) <= QUEUE_PAGE_SIZE;
    const left = prevKeys !== null && prevCount !== null && (summary.total < prevCount || (complete && [...prevKeys].some((k) => !keys.has(k))));
    // A download left the queue: imported (files, missing and disk changed) or removed. Stale, not
    // forced: read at once after a quiet spell, else at the end of the gap (LiveRefresher).
    if (left) this.#cadence.stale('wanted', 'library', 'disk');
    this.#queueCount = summary.total;
    this.#queueKeys = keys;
    // While the live channel is up it pushes every queue change: poll at the idle interval.
    this.active = summary.total > 0 && this.liveState !== 'connected';
    this.ctx.share(SHARED.servarrQueue, records);
    this.ctx.publishState(ServarrState.queue, mapQueue(summary, records, this.ctx.cfg.list_limit));
    this.#cadence.done('queue', ticket);
  }

  async #read(r: Exclude<Resource, 'queue'>, signal: AbortSignal): Promise<void> {
    const token = this.#cadence.begin(r);
    switch (r) {
      case 'status': {
        const s = await this.api.systemStatus(signal);
        this.version = s.version;
        break;
      }
      case 'health':
        this.#publishHealth(await this.api.health(signal));
        break;
      case 'library':
      {
        const { library, recent } = await this.fetchLibrary(signal);
        this.ctx.publishState(ServarrState.library, library);
        this.ctx.publishState(ServarrState.recent, recent);
      }
        break;
      case 'wanted': {
        // pageSize=1 + totalRecords: the count without the list (monitored only, as the UI shows).
        const missing = await this.api.count('/wanted/missing', signal, { monitored: true });
        const cutoff = await this.api.count('/wanted/cutoff', signal, { monitored: true });
        this.ctx.publishState(ServarrState.wanted, { missing, cutoff_unmet: cutoff });
        break;
      }
      case 'calendar': {
        const start = new Date();
        const end = new Date(start.getTime() + this.ctx.cfg.upcoming_days * 86_400_000);
        this.ctx.publishState(ServarrState.upcoming, await this.fetchUpcoming(signal, start, end));
        break;
      }
      case 'rootfolders':
        this.#folders = await this.api.rootFolders(signal);
        this.#publishDisk();
        break;
      case 'disk':
        this.#mounts = await this.api.diskSpace(signal);
        this.#publishDisk();
        break;
      case 'update':
        if (!(await this.#readUpdate(signal, token))) return;
        break;
    }
    this.#cadence.done(r, token);
  }

  /** false when the update check failed for a reason that does not make the app unavailable. */
  async #readUpdate(signal: AbortSignal, token: CadenceTicket): Promise<boolean> {
    try {
      const updates = await this.api.updates(signal);
      this.#updateError = null;
      this.ctx.publishState(ServarrState.update, mapUpdate(updates, this.version));
      return true;
    } catch (err) {
      // Auth, a garbage answer or our own deadline: the app's problem, report it as usual.
      if (signal.aborted || !(err instanceof UpstreamError) || err.code === 'AUTH' || err.code === 'BAD_RESPONSE' || err.code === 'UNREACHABLE') throw err;
      const message = errorMessage(err);
      if (message !== this.#updateError) this.ctx.log.info(`update check failed, trying again in an hour: ${message}`);
      this.#updateError = message;
      this.#cadence.retryIn('update', token, UPDATE_RETRY_MS);
      return false;
    }
  }

  #publishHealth(records: Parameters<typeof mapHealth>[0]): void {
    const state = mapHealth(records, this.ctx.cfg.list_limit);
    this.ctx.publishState(ServarrState.health, state);
    const { added, resolved } = this.#health.update(healthIssues(records));
    for (const i of added) this.ctx.emitEvent('health_issue', { source: i.source, type: i.type, message: i.message, wiki_url: i.wiki_url });
    for (const i of resolved) this.ctx.emitEvent('health_restored', { source: i.source, type: i.type, message: i.message });
  }

  #publishDisk(): void {
    if (!this.#folders || !this.#mounts) return;
    const spaces = mapRootFolders(this.#folders, this.#mounts);
    const before = this.#spaces.map((s) => `${s.slug}=${s.path}`).join('|');
    this.#spaces = spaces;
    this.ctx.publishState(ServarrState.diskspace, mapDisk(spaces, this.ctx.cfg.list_limit));
    // Entities exist per root folder: a folder added or removed changes the device.
    if (spaces.map((s) => `${s.slug}=${s.path}`).join('|') !== before) this.ctx.entitiesChanged();
  }

  /** The API client, for this app's commands (servarr/commands.ts). */
  get client(): ServarrApi {
    return this.api;
  }
}
