import { VERSION } from '../../version.js';
import type { EntityDef } from '../../ha/entity.js';
import type { LiveConfig, SessionsConfig } from '../settings.js';
import { PolledService, type ServiceContext, type WebhookRequest } from '../service.js';
import { JellyfinApi } from './api.js';
import { jellyfinAuthorization, jellyfinIdentity } from './auth.js';
import { Cadence } from '../cadence.js';
import { JellyfinState, jellyfinEntities, type JellyfinStates } from './entities.js';
import { LIBRARY_SCAN_TASK_KEY, libraryState, recentState, scanState, serverState } from './map.js';
import { SessionFeature } from '../../sessions/feature.js';
import { LEGACY_SESSION_ENTITIES } from '../../sessions/entities.js';
import { normaliseJellyfinSessions } from './sessions.js';
import { PushCoalescer } from '../push.js';
import { jellyfinWebhookRefresh } from './webhook.js';
import type { LiveSocket } from '../live-socket.js';
import { jellyfinLiveSocket, type JellyfinLiveEvent } from './live.js';
import type { Task } from './schemas.js';

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
 *
 * With `live` on, the WebSocket (live.ts) pushes the session list and the task list, which are
 * published as they come (no request), and library changes, which trigger the same targeted
 * refresh as a webhook. While it is connected polls run at the idle interval; when it drops,
 * a poll runs at once and the normal cadence resumes while it reconnects with backoff.
 */
export class JellyfinService extends PolledService<LiveConfig & SessionsConfig, JellyfinStates> {
  readonly type = 'jellyfin' as const;
  protected readonly manufacturer = 'Jellyfin';
  protected readonly model = 'Jellyfin Server';
  readonly #api: JellyfinApi;
  /** The scan every idle interval, the library every LIBRARY_EVERY_IDLE_INTERVALS; both at once when forced. */
  readonly #cadence: Cadence<'scan' | 'library'>;
  readonly #push: PushCoalescer;
  readonly #authorization: string;
  readonly #sessions: SessionFeature;
  #scanRunning = false;
  #socket: LiveSocket | null = null;

  constructor(ctx: ServiceContext<LiveConfig & SessionsConfig, JellyfinStates>) {
    super(ctx);
    const identity = jellyfinIdentity(ctx.cfg.api_key ?? '', ctx.id, VERSION);
    this.#authorization = jellyfinAuthorization(identity);
    this.#api = new JellyfinApi(ctx.http, ctx.id, { authorization: this.#authorization });
    // 10 % slack: polls land on the scheduler's jittered interval, not exactly on the period.
    this.#cadence = new Cadence(
      { scan: { every: () => ctx.cfg.idle_interval * 1000 }, library: { every: () => ctx.cfg.idle_interval * LIBRARY_EVERY_IDLE_INTERVALS * 1000 } },
      { slack: 0.1 },
    );
    this.#push = new PushCoalescer(() => this.#pushRefresh(), PUSH_COALESCE_MS);
    // The session counts under the keys and names they had before the session feature.
    this.#sessions = new SessionFeature(ctx, { renamed: LEGACY_SESSION_ENTITIES });
    this.setLive(ctx.cfg.live ? 'disconnected' : 'off');
  }

  /** For the library-scan command (a later issue): starts a scan and watches it on every poll. */
  get api(): JellyfinApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef<JellyfinStates>[] {
    return [...this.#sessions.entities(), ...jellyfinEntities()];
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const { cfg } = this.ctx;
    const requestedAt = Date.now();
    this.#sessions.snapshot(normaliseJellyfinSessions(await this.#api.sessions(ACTIVE_WITHIN_SECONDS, signal)), requestedAt);

    if (this.#scanRunning || this.#cadence.due('scan')) {
      const ticket = this.#cadence.begin('scan');
      this.#publishTasks(await this.#api.tasks(signal), false);
      this.#cadence.done('scan', ticket);
    }

    if (this.#cadence.due('library')) {
      const ticket = this.#cadence.begin('library');
      const info = await this.#api.systemInfo(signal);
      const counts = await this.#api.itemCounts(signal);
      const recent = await this.#api.recentlyAdded(cfg.list_limit, signal);
      this.version = info.Version ?? null;
      this.ctx.publishState(JellyfinState.server, serverState(info));
      this.ctx.publishState(JellyfinState.library, libraryState(counts));
      this.ctx.publishState(JellyfinState.recent, recentState(recent, cfg.list_limit));
      this.#cadence.done('library', ticket);
    }

    this.active = this.#sessions.active || this.#scanRunning;
  }


  override async start(): Promise<void> {
    this.#sessions.start();
    await super.start();
    if (!this.ctx.cfg.live) return;
    const { cfg } = this.ctx;
    this.#socket = jellyfinLiveSocket({
      baseUrl: cfg.url,
      authorization: this.#authorization,
      deviceId: `media2mqtt-${this.id}`,
      log: this.ctx.log,
      connectTimeoutMs: cfg.timeout * 1000,
      verifyTls: cfg.verify_tls,
      onEvent: (e) => this.#onLive(e),
      onState: (state) => this.liveChanged(state),
    });
    this.#socket.start();
  }

  /** A push from the webhook plugin: mark what it made stale, then one coalesced refresh. */
  override async onWebhook(req: WebhookRequest): Promise<void> {
    const { type, refresh } = jellyfinWebhookRefresh(req.json);
    this.ctx.log.debug(`webhook ${type ?? '(no NotificationType)'}: refreshing ${refresh.join(', ') || 'nothing'}`);
    if (!refresh.length) return;
    if (refresh.includes('library')) this.#cadence.force('library');
    if (refresh.includes('scan')) this.#cadence.force('scan');
    await this.#push.trigger();
  }

  override async stop(): Promise<void> {
    this.#push.stop();
    await this.#socket?.stop();
    this.#socket = null;
    await this.#sessions.stop();
    await super.stop();
  }

  /** Unreachable: nothing it showed can be seen playing any more. */
  protected override onOffline(): void {
    this.#sessions.endAll('offline');
  }

  #onLive(e: JellyfinLiveEvent): void {
    this.liveActivity(); // a failing instance is polled at once (issue 14, item 13)
    switch (e.kind) {
      case 'sessions':
        // The full list as of now (idle device connections too: the normaliser keeps what plays).
        this.#sessions.pushedList(normaliseJellyfinSessions(e.sessions));
        return;
      case 'tasks':
        this.#publishTasks(e.tasks, true);
        return;
      case 'task-ended':
        if (e.key !== LIBRARY_SCAN_TASK_KEY) return;
        this.#cadence.force('scan');
        this.#cadence.force('library');
        void this.#push.trigger().catch(() => undefined);
        return;
      case 'shutdown':
        // Jellyfin stops or restarts: its sessions end now, not after the orphan timeout.
        this.#sessions.endAll('server_shutdown');
        this.#cadence.force('library');
        void this.#push.trigger().catch(() => undefined);
        return;
      case 'library':
      case 'server':
        this.#cadence.force('library');
        void this.#push.trigger().catch(() => undefined);
        return;
      default:
        return;
    }
  }

  /** `pushed`: from the socket, so nothing else will read the library the scan changed. */
  #publishTasks(tasks: Task[], pushed: boolean): void {
    const scan = scanState(tasks);
    this.ctx.publishState(JellyfinState.scan, scan);
    // A scan that just ended has changed the library: read it now, not at the next slow round.
    if (this.#scanRunning && !scan.running) {
      this.#cadence.force('library');
      if (pushed) void this.#push.trigger().catch(() => undefined);
    }
    this.#scanRunning = scan.running;
  }

  /**
   * The poll is the refresh (sessions always, plus whatever was forced): it runs in the
   * scheduler's queue, so it never races a regular poll. A push that landed while a poll was
   * already past the forced part gets a second run.
   */
  async #pushRefresh(): Promise<void> {
    await this.refresh();
    if (this.#cadence.pending('library') || this.#cadence.pending('scan')) await this.refresh();
  }
}
