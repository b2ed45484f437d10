import type { InstanceContext } from '../../../core/instance.js';
import { errorMessage } from '../../../errors.js';
import { mediaKind, requesterName } from '../map.js';
import type { MediaRequest } from '../schemas.js';
import { ENDED, type SeerrRequest } from './model.js';
import { noReleaseFound } from './stage.js';
import { inProgress, lifecyclePayload, requestPayload, stageEventData } from './payload.js';
import { deriveStage } from './stage.js';
import { StageBook, type Transition } from './tracker.js';
import { LifecycleState, REQUEST_STAGE_EVENT, SHARED, type LifecycleStates } from './names.js';
import { World, applyLibrary, applyQueue, applySabHistory, applySabQueue, applyTorrents, applyWebhook } from './world.js';

export interface LifecycleOptions {
  /** *arr instances that serve 4K requests. */
  instances4k: readonly string[];
  /** Searching this long with nothing grabbed is `failed`: no release found (0: never). */
  noReleaseAfterMs?: number;
  /** How long an ended request keeps its retained topic. */
  keepEndedMs: number;
}

/** Services whose data the stages are derived from. */
const FEED_TYPES = new Set(['radarr', 'sonarr', 'qbittorrent', 'sabnzbd']);
/** Derive anyway after this long, even if a service never finished its first poll. */
const WARM_UP_MAX_MS = 120_000;
/** How often stale flags and expiries are re-checked (no upstream request; memory only). */
const CHECK_EVERY_S = 15;

/**
 * The request lifecycle of one Seerr instance: it watches what the *arr, download-client and Seerr
 * services already fetched (`ctx.peers.watch`), derives each request's stage and publishes the
 * list, one topic per request and a `request_stage` event per change. No request of its own
 * reaches an upstream except Seerr's recently modified request list, read when Seerr's counts
 * change or a webhook arrives (service.ts).
 */
export class RequestLifecycle {
  /** The Seerr instance's context, seen through the lifecycle's part of its contract. */
  readonly #ctx: InstanceContext<LifecycleStates>;
  readonly #opts: LifecycleOptions;
  readonly #world = new World();
  readonly #book: StageBook;
  readonly #titles = new Map<number, string>();
  readonly #seerrFailed = new Set<number>();
  #unwatch: (() => void)[] = [];
  #soon: NodeJS.Immediate | null = null;
  #selfDown = false;
  #stopped = false;
  /** Seerr records read since the last derivation. */
  readonly #fromSeerr = new Map<number, SeerrRequest>();
  /** Instances that finished a poll (their data is in the world). */
  readonly #reported = new Set<string>();
  #isWarm = false;
  #startedAt = Date.now();
  #listSeen = false;
  /** No data file: the first derivation sets the baseline without events. */
  #silent: boolean;

  constructor(ctx: InstanceContext<LifecycleStates>, opts: LifecycleOptions) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#book = new StageBook(ctx.storage);
    this.#silent = !this.#book.ready;
    for (const r of this.#book.all()) this.#titles.set(r.id, r.title);
  }

  /** Watches the peers and republishes what the data file restored. */
  start(): void {
    this.#stopped = false;
    this.#startedAt = Date.now();
    const p = this.#ctx.peers;
    const arr = (from: { id: string; type: string }) => (from.type === 'radarr' || from.type === 'sonarr' ? this.#world.arr(from.id, from.type) : null);
    const on = (name: string, apply: (from: { id: string; type: string }, data: unknown) => void) =>
      this.#unwatch.push(p.watch(name, (from, data) => {
        apply(from, data);
        this.schedule();
      }));
    on(SHARED.servarrQueue, (f, d) => { const a = arr(f); if (a) applyQueue(a, d); });
    on(SHARED.servarrLibrary, (f, d) => { const a = arr(f); if (a) applyLibrary(a, d); });
    on(SHARED.servarrWebhook, (f, d) => { const a = arr(f); if (a) applyWebhook(a, d); });
    on(SHARED.qbitTorrents, (f, d) => applyTorrents(this.#world, f.id, d));
    on(SHARED.sabQueue, (f, d) => applySabQueue(this.#world, f.id, d));
    on(SHARED.sabHistory, (f, d) => applySabHistory(this.#world, f.id, d));
    // A service failing or answering again changes only the stale flags: derive again.
    on(SHARED.pollFailed, () => undefined);
    on(SHARED.status, (f) => this.#reported.add(f.id));
    this.#ctx.scheduler.every('lifecycle', CHECK_EVERY_S, async () => this.recompute(), { immediate: false });
    if (this.#book.all().length) this.#publishAll();
  }

  stop(): void {
    this.#stopped = true;
    for (const u of this.#unwatch) u();
    this.#unwatch = [];
    if (this.#soon) clearImmediate(this.#soon);
    this.#soon = null;
  }

  /** Seerr itself cannot be reached (its stages are the last known ones). */
  setSelfDown(down: boolean): void {
    if (down === this.#selfDown) return;
    this.#selfDown = down;
    this.schedule();
  }

  /** A Seerr webhook: MEDIA_FAILED means Seerr could not hand the request to the *arr. */
  onSeerrWebhook(type: string, json: unknown): void {
    // The agent's default template sends `request.request_id` as a string (webhook.ts).
    const raw = (json as { request?: { request_id?: unknown } } | null)?.request?.request_id;
    const requestId = Number(raw);
    if (type === 'MEDIA_FAILED' && Number.isSafeInteger(requestId) && requestId > 0) {
      this.#seerrFailed.add(requestId);
      this.schedule();
    }
  }

  /** Seerr's recently modified requests, as fetched (`GET /request?filter=all&sort=modified`). */
  async onRequests(list: readonly MediaRequest[], title: (r: MediaRequest) => Promise<string>): Promise<void> {
    if (!this.#book.ready) this.#book.setBaseline(list.reduce((m, r) => Math.max(m, r.id), 0));
    for (const raw of list) {
      const req = seerrRequest(raw);
      const ended = req.status === 3 || req.mediaStatus === 5;
      if (!this.#book.follows(req, ended)) continue;
      if (!this.#titles.has(req.id)) this.#titles.set(req.id, await title(raw));
      this.#fromSeerr.set(req.id, req);
    }
    this.#listSeen = true;
    this.recompute();
  }

  /** Re-derives every followed request soon (one pass for a burst of peer updates). */
  schedule(): void {
    if (this.#soon || this.#stopped) return;
    this.#soon = setImmediate(() => {
      this.#soon = null;
      this.recompute();
    });
  }

  recompute(): void {
    if (this.#stopped || !this.#warm()) return;
    // Without a data file, the first derivation is the baseline: what is in flight now is not news.
    if (this.#silent && !this.#listSeen) return;
    try {
      const requests = new Map(this.#book.all().map((r) => [r.id, r.request]));
      for (const [id, req] of this.#fromSeerr) requests.set(id, req);
      this.#fromSeerr.clear();
      this.#derive([...requests.values()], !this.#silent);
      this.#silent = false;
      for (const gone of this.#book.expire(new Date(), this.#opts.keepEndedMs)) {
        this.#ctx.clearState(LifecycleState.request(gone.id));
        this.#titles.delete(gone.id);
        this.#seerrFailed.delete(gone.id);
      }
    } catch (err) {
      this.#ctx.log.warn(`request lifecycle: ${errorMessage(err)}`);
    }
  }

  /**
   * Every *arr and download client has finished its first poll (or failed it): before that, a
   * request would look as if its download vanished, and a restart would announce false changes.
   */
  #warm(): boolean {
    if (this.#isWarm) return true;
    const feeds = this.#ctx.peers.all().filter((p) => FEED_TYPES.has(p.type));
    this.#isWarm = feeds.every((p) => this.#heard(p.id));
    return this.#isWarm;
  }

  #derive(requests: SeerrRequest[], announce: boolean): void {
    const now = new Date();
    // No list configured: instances named like `radarr_4k` serve the 4K requests.
    const is4k = (id: string) => (this.#opts.instances4k.length ? this.#opts.instances4k.includes(id) : /4k/i.test(id));
    let listChanged = false;
    const transitions: Transition[] = [];
    for (const req of requests) {
      const prev = this.#book.get(req.id);
      // Its services have not answered since this start (they may start after us): hold the stage.
      if (prev && !ENDED.has(prev.stage) && !(this.#heard(prev.instance) && this.#heard(prev.downloadClient))) continue;
      const memory = {
        downloadIds: prev?.downloadIds ?? [], seenInClient: prev?.seenInClient ?? [], itemId: prev?.itemId ?? null,
        instance: prev?.instance ?? null, downloadClient: prev?.downloadClient ?? null, stage: prev?.stage ?? null,
      };
      let d = deriveStage(req, memory, this.#world, { is4k, seerrFailed: this.#seerrFailed.has(req.id) });
      const stale = this.#stale([d.instance, d.downloadClient, prev?.instance ?? null, prev?.downloadClient ?? null]);
      // A service down: keep the last known stage (its shared data is the last it fetched).
      if (stale && prev && !ENDED.has(d.stage)) d = { ...d, stage: prev.stage, reason: prev.reason };
      d = noReleaseFound(d, prev, now, this.#opts.noReleaseAfterMs ?? 0);
      d.stale = stale && !ENDED.has(d.stage);
      const { transition, changed } = this.#book.apply(req, this.#titles.get(req.id) ?? `request ${req.id}`, d, now, announce);
      if (transition) transitions.push(transition);
      if (changed) {
        listChanged = true;
        this.#ctx.publishState(LifecycleState.request(req.id), requestPayload(this.#book.get(req.id)!));
      }
    }
    if (listChanged) this.#publishList();
    for (const t of transitions) this.#announce(t);
  }

  /** An instance finished a poll since start, or failed one (then it is stale), or it is too late to wait. */
  #heard(id: string | null): boolean {
    if (id === null || this.#reported.has(id) || Date.now() - this.#startedAt >= WARM_UP_MAX_MS) return true;
    const peer = this.#ctx.peers.get(id) as { failures?: unknown } | undefined;
    return typeof peer?.failures === 'number' && peer.failures > 0;
  }

  #stale(ids: (string | null)[]): boolean {
    if (this.#selfDown) return true;
    for (const id of ids) {
      if (!id) continue;
      const peer = this.#ctx.peers.get(id) as { failures?: unknown } | undefined;
      if (peer && typeof peer.failures === 'number' && peer.failures > 0) return true;
    }
    return false;
  }

  #publishAll(): void {
    for (const r of this.#book.all()) this.#ctx.publishState(LifecycleState.request(r.id), requestPayload(r));
    this.#publishList();
  }

  #publishList(): void {
    this.#ctx.publishState(LifecycleState.list, lifecyclePayload(this.#book.all()));
  }

  #announce(t: Transition): void {
    const data = stageEventData(t.from, t.to, t.request);
    this.#ctx.log.info(`request #${t.request.id} ${t.request.title}: ${t.from ?? 'new'} → ${t.to}${t.request.reason ? ` (${t.request.reason})` : ''}`);
    this.#ctx.emitEvent(REQUEST_STAGE_EVENT, data);
    // HA's event entity: event_type is the new stage, so an automation triggers on "available".
    this.#ctx.publishEvent(LifecycleState.stageEvent, { event_type: t.to, ...data });
  }

  /** How many requests are in progress (tests, bench). */
  get active(): number {
    return this.#book.all().filter(inProgress).length;
  }
}

/** Seerr's MediaRequest → what the lifecycle reads; the 4K media status for a 4K request. */
export function seerrRequest(r: MediaRequest): SeerrRequest {
  const media = r.media as (Record<string, unknown> & { tmdbId?: number | null; status?: number }) | null | undefined;
  const status4k = typeof media?.status4k === 'number' ? media.status4k : null;
  const tvdb = typeof media?.tvdbId === 'number' && media.tvdbId > 0 ? media.tvdbId : null;
  return {
    id: r.id,
    status: r.status,
    mediaStatus: r.is4k ? status4k : (media?.status ?? null),
    mediaType: mediaKind(r),
    tmdbId: media?.tmdbId ?? null,
    tvdbId: tvdb,
    is4k: r.is4k ?? false,
    requestedBy: requesterName(r.requestedBy),
    createdAt: r.createdAt ?? null,
    updatedAt: typeof (r as Record<string, unknown>).updatedAt === 'string' ? ((r as Record<string, unknown>).updatedAt as string) : null,
  };
}
