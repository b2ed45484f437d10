import { VERSION } from '../../version.js';
import type { EntityDef } from '../../ha/entity.js';
import { PolledService, type ServiceContext, type WebhookRequest } from '../service.js';
import { JellyfinApi } from './api.js';
import { jellyfinAuthorization, jellyfinIdentity } from './auth.js';
import { Cadence } from '../cadence.js';
import { JellyfinState, jellyfinEntities } from './entities.js';
import { libraryState, recentState, scanState, serverState, sessionsState } from './map.js';
import { PushCoalescer } from '../push.js';
import { jellyfinWebhookRefresh } from './webhook.js';

/** Sessions seen within this window count; the Jellyfin dashboard asks for the same 960 s. */
export const ACTIVE_WITHIN_SECONDS = 960;
/** Library totals, recently added and server info: every this many idle intervals (10 min at defaults). */
export const LIBRARY_EVERY_IDLE_INTERVALS = 5;
/** Pushes within this window share one refresh. */
const PUSH_COALESCE_MS = 1000;

/**
 * A Jellyfin server. Every poll reads the sessions (one request; streaming switches to the fast
 * interval); the scan task every idle interval, or every poll while a scan runs; the library
 * (counts, recently added, version) every LIBRARY_EVERY_IDLE_INTERVALS idle intervals, right
 * after a scan ends, and when the webhook plugin reports an added or deleted item.
 */
export class JellyfinService extends PolledService {
  readonly type = 'jellyfin' as const;
  protected readonly manufacturer = 'Jellyfin';
  protected readonly model = 'Jellyfin Server';
  readonly #api: JellyfinApi;
  readonly #scan: Cadence;
  readonly #library: Cadence;
  readonly #push: PushCoalescer;
  #scanRunning = false;

  constructor(ctx: ServiceContext) {
    super(ctx);
    const identity = jellyfinIdentity(ctx.cfg.api_key ?? '', ctx.id, VERSION);
    this.#api = new JellyfinApi(ctx.http, ctx.id, { authorization: jellyfinAuthorization(identity) });
    this.#scan = new Cadence(() => ctx.cfg.idle_interval);
    this.#library = new Cadence(() => ctx.cfg.idle_interval * LIBRARY_EVERY_IDLE_INTERVALS);
    this.#push = new PushCoalescer(() => this.#pushRefresh(), PUSH_COALESCE_MS);
  }

  /** For the library-scan command (a later issue): starts a scan and watches it on every poll. */
  get api(): JellyfinApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef[] {
    return jellyfinEntities();
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const { cfg } = this.ctx;
    const sessions = sessionsState(await this.#api.sessions(ACTIVE_WITHIN_SECONDS, signal), cfg.list_limit);
    this.ctx.publishState(JellyfinState.sessions, sessions);

    if (this.#scanRunning || this.#scan.due()) {
      const ticket = this.#scan.begin();
      const scan = scanState(await this.#api.tasks(signal));
      this.ctx.publishState(JellyfinState.scan, scan);
      // A scan that just ended has changed the library: read it now, not at the next slow round.
      if (this.#scanRunning && !scan.running) this.#library.force();
      this.#scanRunning = scan.running;
      this.#scan.done(ticket);
    }

    if (this.#library.due()) {
      const ticket = this.#library.begin();
      const info = await this.#api.systemInfo(signal);
      const counts = await this.#api.itemCounts(signal);
      const recent = await this.#api.recentlyAdded(cfg.list_limit, signal);
      this.version = info.Version ?? null;
      this.ctx.publishState(JellyfinState.server, serverState(info));
      this.ctx.publishState(JellyfinState.library, libraryState(counts));
      this.ctx.publishState(JellyfinState.recent, recentState(recent, cfg.list_limit));
      this.#library.done(ticket);
    }

    this.active = (sessions.count as number) > 0 || this.#scanRunning;
  }

  /** A push from the webhook plugin: mark what it made stale, then one coalesced refresh. */
  override async onWebhook(req: WebhookRequest): Promise<void> {
    const { type, refresh } = jellyfinWebhookRefresh(req.json);
    this.ctx.log.debug(`webhook ${type ?? '(no NotificationType)'}: refreshing ${refresh.join(', ') || 'nothing'}`);
    if (!refresh.length) return;
    if (refresh.includes('library')) this.#library.force();
    if (refresh.includes('scan')) this.#scan.force();
    await this.#push.trigger();
  }

  override async stop(): Promise<void> {
    this.#push.stop();
    await super.stop();
  }

  /**
   * The poll is the refresh (sessions always, plus whatever was forced): it runs in the
   * scheduler's queue, so it never races a regular poll. A push that landed while a poll was
   * already past the forced part gets a second run.
   */
  async #pushRefresh(): Promise<void> {
    await this.refresh();
    if (this.#library.forced || this.#scan.forced) await this.refresh();
  }
}
