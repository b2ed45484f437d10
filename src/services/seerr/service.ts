import type { EntityDef } from '../../ha/entity.js';
import { Cadence } from '../cadence.js';
import { PolledService, type ServiceContext, type WebhookRequest } from '../service.js';
import { SeerrApi } from './api.js';
import { NEW_REQUEST_EVENT, seerrEntities, SeerrState, type SeerrStates } from './entities.js';
import type { SeerrFlavour } from './flavour.js';
import { mediaKind, newRequestData, pendingItem, pendingState, requestCountsState, type PendingItem } from './map.js';
import type { MediaRequest, RequestCount } from './schemas.js';
import { TitleCache } from './titles.js';
import { NewRequestTracker } from './tracker.js';
import { webhookAction, type WebhookNewRequest } from './webhook.js';
import { RequestLifecycle } from './lifecycle/feature.js';
import { lifecycleEntities } from './lifecycle/entities.js';
import type { SeerrConfig } from './settings.js';

/** Version and update flag: the app itself checks for updates rarely. */
const STATUS_EVERY_MS = 60 * 60_000;
/** Issues change rarely and webhooks (ISSUE_*) push them; polled as a fallback. */
const ISSUES_EVERY_MS = 30 * 60_000;
/**
 * The pending list is fetched when the counts change. A request deleted and another created between
 * two polls leave the counts as they were, so a non-empty list is also re-read this often.
 */
const PENDING_MAX_AGE_MS = 60 * 60_000;
/**
 * Request changes come in bursts (a request, then its approval, then processing; an admin going
 * through the queue): after a change, poll at `interval` for this long, else at `idle_interval`.
 */
const BURST_MS = 5 * 60_000;
/** The lifecycle's request list is re-read at least this often while requests are in flight. */
const LIFECYCLE_MAX_AGE_MS = 10 * 60_000;
/** Requests in Seerr's recently-modified list the lifecycle reads (one page). */
const LIFECYCLE_TAKE = 50;

/** The states a poll refreshes (and re-sends); the event and the lifecycle's topics are not among them. */
type PolledState = typeof SeerrState.requests | typeof SeerrState.pending | typeof SeerrState.issues | typeof SeerrState.server;

/**
 * Jellyseerr / Overseerr: request counts, open issues, the pending requests with their titles,
 * version and update flag, and a `new_request` event. A normal poll is one `GET /request/count`;
 * the pending list is read only when the counts moved, and titles once per TMDB id.
 */
export class SeerrService extends PolledService<SeerrConfig, SeerrStates> {
  readonly type: SeerrFlavour['type'];
  protected readonly manufacturer: string;
  protected readonly model: string;
  readonly #api: SeerrApi;
  readonly #titles: TitleCache;
  readonly #tracker = new NewRequestTracker();
  /**
   * The last publish of each polled state (its name and payload bound in), re-sent every poll so
   * `expire_after` never lapses between slow refreshes; in the order the states first appeared.
   */
  readonly #resend = new Map<PolledState, () => void>();
  #countsKey: string | null = null;
  #changedAt = -Infinity;
  readonly #cadence = new Cadence({ status: { every: STATUS_EVERY_MS }, issues: { every: ISSUES_EVERY_MS }, pending: { every: PENDING_MAX_AGE_MS } });
  /** The request lifecycle (null when `lifecycle.enabled` is false) and when its list was read. */
  readonly #lifecycle: RequestLifecycle | null;
  #lifecycleAt = -Infinity;
  /** Its entities are announced (at once when enabled is true; when an *arr shows up for `auto`). */
  #lifecycleShown = false;
  /** Request refreshes run one at a time: a webhook and a poll must not publish out of order. */
  #lock: Promise<unknown> = Promise.resolve();

  constructor(ctx: ServiceContext<SeerrConfig, SeerrStates>, flavour: SeerrFlavour) {
    super(ctx);
    this.type = flavour.type;
    this.manufacturer = flavour.app;
    this.model = `${flavour.app} (requests for ${flavour.mediaServer})`;
    this.#api = new SeerrApi(ctx.http, ctx.id);
    this.#titles = new TitleCache((kind, id, signal) => this.#api.title(kind, id, signal));
    const lc = ctx.cfg.lifecycle;
    this.#lifecycle = lc && lc.enabled !== false ? new RequestLifecycle(ctx, { instances4k: lc.instances_4k, keepEndedMs: lc.keep_ended * 1000, noReleaseAfterMs: lc.no_release_after * 1000 }) : null;
    this.#lifecycleShown = lc?.enabled === true;
  }

  protected serviceEntities(): EntityDef<SeerrStates>[] {
    return [...seerrEntities(this.ctx.cfg), ...(this.#lifecycleShown ? lifecycleEntities(this.ctx.topics, this.id) : [])];
  }

  override async start(): Promise<void> {
    await super.start();
    this.#lifecycle?.start();
  }

  override async stop(): Promise<void> {
    this.#lifecycle?.stop();
    await super.stop();
  }

  /** The request lifecycle, when enabled (tests, bench). */
  get lifecycle(): RequestLifecycle | null {
    return this.#lifecycle;
  }

  /** Whether the lifecycle runs now: enabled, or `auto` with a Sonarr/Radarr instance in this bridge. */
  #lifecycleOn(): boolean {
    if (!this.#lifecycle) return false;
    if (this.#lifecycleShown) return true;
    if (!this.ctx.peers.all().some((p) => p.type === 'radarr' || p.type === 'sonarr')) return false;
    this.#lifecycleShown = true;
    this.ctx.entitiesChanged();
    return true;
  }

  protected override onOffline(): void {
    this.#lifecycle?.setSelfDown(true);
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const issuesDue = this.#cadence.due('issues');
    if (this.#cadence.due('status')) await this.#refreshStatus(signal);
    await this.#refreshRequests(signal, { force: false, source: 'poll' });
    if (issuesDue) await this.#refreshIssues(signal);
    for (const resend of this.#resend.values()) resend();
    this.#lifecycle?.setSelfDown(false);
    this.active = Date.now() - this.#changedAt < BURST_MS;
  }

  /**
   * A push from the app's webhook agent: refresh only what the notification is about. New
   * requests are announced here when the pending list does not show them (auto-approved).
   */
  override async onWebhook(req: WebhookRequest): Promise<void> {
    const action = webhookAction(req.json);
    const signal = this.ctx.scheduler.signal;
    switch (action.kind) {
      case 'test':
        this.ctx.log.info('webhook test notification received');
        return;
      case 'issues':
        await this.#refreshIssues(signal);
        return;
      case 'requests':
        this.#lifecycle?.onSeerrWebhook(action.type, req.json);
        await this.#refreshRequests(signal, { force: true, source: 'webhook' });
        if (action.newRequest) await this.#announceFromWebhook(action.newRequest, signal);
        return;
      case 'unknown':
        this.ctx.log.debug(`webhook ${action.type ?? 'without notification_type'}: full refresh`);
        await this.refresh();
    }
  }

  /** Approves a pending request (POST /request/{id}/approve), then refreshes counts and list. */
  async approve(requestId: number, signal: AbortSignal = this.ctx.scheduler.signal): Promise<MediaRequest> {
    const request = await this.#api.setStatus(requestId, 'approve', signal);
    // The change is done upstream; a failed re-read is the next poll's to report, not the command's.
    await this.#refreshRequests(signal, { force: true, source: 'poll' }).catch(() => undefined);
    return request;
  }

  /** Declines a pending request (POST /request/{id}/decline), then refreshes counts and list. */
  async decline(requestId: number, signal: AbortSignal = this.ctx.scheduler.signal): Promise<MediaRequest> {
    const request = await this.#api.setStatus(requestId, 'decline', signal);
    // The change is done upstream; a failed re-read is the next poll's to report, not the command's.
    await this.#refreshRequests(signal, { force: true, source: 'poll' }).catch(() => undefined);
    return request;
  }

  #publish<K extends PolledState>(name: K, payload: SeerrStates[K]): void {
    const publish = () => this.ctx.publishState(name, payload);
    this.#resend.set(name, publish);
    publish();
  }

  async #refreshStatus(signal: AbortSignal): Promise<void> {
    const ticket = this.#cadence.begin('status');
    const status = await this.#api.status(signal);
    this.version = status.version;
    this.#publish(SeerrState.server, {
      version: status.version,
      update_available: status.updateAvailable ?? false,
      commits_behind: status.commitsBehind ?? 0,
      restart_required: status.restartRequired ?? false,
    });
    this.#cadence.done('status', ticket);
  }

  async #refreshIssues(signal: AbortSignal): Promise<void> {
    const ticket = this.#cadence.begin('issues');
    const issues = await this.#api.issueCount(signal);
    this.#publish(SeerrState.issues, {
      total: issues.total,
      open: issues.open,
      closed: issues.closed,
      video: issues.video,
      audio: issues.audio,
      subtitles: issues.subtitles,
      others: issues.others,
    });
    this.#cadence.done('issues', ticket);
  }

  #refreshRequests(signal: AbortSignal, opts: { force: boolean; source: 'poll' | 'webhook' }): Promise<RequestCount> {
    const run = this.#lock.then(() => this.#refreshRequestsNow(signal, opts));
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #refreshRequestsNow(signal: AbortSignal, opts: { force: boolean; source: 'poll' | 'webhook' }): Promise<RequestCount> {
    const counts = await this.#api.requestCount(signal);
    this.#publish(SeerrState.requests, requestCountsState(counts));
    if (!this.#tracker.ready) {
      // Everything that exists now is backlog; only requests created later are announced.
      this.#tracker.setBaseline(counts.total === 0 ? 0 : ((await this.#api.latestRequestId(signal)) ?? 0));
    }
    const key = JSON.stringify(requestCountsState(counts));
    if (this.#countsKey !== null && key !== this.#countsKey) this.#changedAt = Date.now();
    const stale = counts.pending > 0 && this.#cadence.due('pending');
    const moved = opts.force || key !== this.#countsKey;
    // The lifecycle reads media status from the recently modified list when the counts moved (an
    // approval, an availability), and now and then while requests are in flight.
    const lifecycleDue = this.#lifecycle && this.#lifecycleOn() && (moved || this.#lifecycleAt === -Infinity || (this.#lifecycle.active > 0 && Date.now() - this.#lifecycleAt >= LIFECYCLE_MAX_AGE_MS));
    const recent = lifecycleDue ? await this.#api.recentRequests(LIFECYCLE_TAKE, signal) : null;
    if (recent) this.#lifecycleAt = Date.now();
    // When that list holds every pending request it stands in for the pending list: no extra call.
    if (moved || stale) await this.#refreshPending(signal, opts.source, recent ? pendingFromRecent(recent.results, counts.pending) : null);
    if (recent) await this.#feedLifecycle(recent.results, signal);
    this.#countsKey = key;
    return counts;
  }

  async #feedLifecycle(list: MediaRequest[], signal: AbortSignal): Promise<void> {
    await this.#lifecycle?.onRequests(list, async (r) => {
      const kind = mediaKind(r);
      const tmdbId = r.media?.tmdbId;
      return pendingItem(r, kind && tmdbId ? await this.#titles.get(kind, tmdbId, signal) : null).title;
    });
  }

  async #refreshPending(signal: AbortSignal, source: 'poll' | 'webhook', known: { pageInfo: { results: number }; results: MediaRequest[] } | null = null): Promise<void> {
    const limit = this.ctx.cfg.list_limit;
    const ticket = this.#cadence.begin('pending');
    const page = known ?? (await this.#api.pendingRequests(limit, signal));
    const items: PendingItem[] = [];
    for (const r of page.results.slice(0, limit)) {
      const kind = mediaKind(r);
      const tmdbId = r.media?.tmdbId;
      const title = kind && tmdbId ? await this.#titles.get(kind, tmdbId, signal) : null;
      items.push(pendingItem(r, title));
    }
    this.#publish(SeerrState.pending, pendingState(page.pageInfo.results, items, limit));
    this.#cadence.done('pending', ticket);
    // Oldest first, so several new requests are announced in the order they were made.
    for (const item of [...items].sort((a, b) => a.id - b.id)) {
      if (this.#tracker.claim(item.id)) this.#announce(item, source);
    }
  }

  async #announceFromWebhook(hook: WebhookNewRequest, signal: AbortSignal): Promise<void> {
    // The pending refresh above announced it if it is pending; an auto-approved one is not listed.
    if (!this.#tracker.claim(hook.id)) return;
    const title = hook.kind && hook.tmdbId ? await this.#titles.get(hook.kind, hook.tmdbId, signal).catch(() => null) : null;
    const item = pendingItem(
      {
        id: hook.id,
        status: 0,
        type: hook.kind ?? undefined,
        createdAt: new Date().toISOString(),
        media: { tmdbId: hook.tmdbId },
        requestedBy: hook.requestedBy ? { id: 0, displayName: hook.requestedBy } : null,
      },
      title,
    );
    this.#announce(item, 'webhook');
  }

  #announce(item: PendingItem, source: 'poll' | 'webhook'): void {
    const data = newRequestData(item, source);
    this.ctx.log.info(`new request #${item.id}: ${item.title} (${item.requested_by})`);
    this.ctx.emitEvent(NEW_REQUEST_EVENT, data);
    // Not kept in #resend: an event is sent once, never re-sent by the poll.
    this.ctx.publishEvent(SeerrState.requestEvent, { event_type: NEW_REQUEST_EVENT, ...data });
  }
}

/**
 * The pending list out of the lifecycle's recently modified one, when it holds every pending
 * request (newest first, as `GET /request?filter=pending&sort=added` gives it); null otherwise.
 */
function pendingFromRecent(recent: readonly MediaRequest[], pendingTotal: number): { pageInfo: { results: number }; results: MediaRequest[] } | null {
  const pending = recent.filter((r) => r.status === 1).sort((a, b) => b.id - a.id);
  return pending.length === pendingTotal ? { pageInfo: { results: pendingTotal }, results: pending } : null;
}
