import { VERSION } from '../../version.js';
import type { EntityDef } from '../../ha/entity.js';
import type { LiveConfig, SessionsConfig } from '../settings.js';
import type { ServiceContext, WebhookRequest } from '../service.js';
import { MediaServerService } from '../media-server.js';
import { JellyfinApi } from './api.js';
import { jellyfinAuthorization, jellyfinIdentity } from './auth.js';
import { JellyfinState, jellyfinEntities, type JellyfinStates } from './entities.js';
import { LIBRARY_SCAN_TASK_KEY, libraryState, recentState, scanState, serverState, type JellyfinScanState } from './map.js';
import { normaliseJellyfinSessions } from './sessions.js';
import { jellyfinWebhookRefresh } from './webhook.js';
import type { LiveSocket } from '../live-socket.js';
import { jellyfinLiveSocket, type JellyfinLiveEvent } from './live.js';
import type { PlaybackSession } from '../../sessions/model.js';

/** Sessions seen within this window count; the Jellyfin dashboard asks for the same 960 s. */
export const ACTIVE_WITHIN_SECONDS = 960;

/**
 * A Jellyfin server (schedule, sessions and pushes: MediaServerService). Its reads: the sessions,
 * the "Scan Media Library" task, and the library (counts, recently added, version), which the
 * webhook plugin's added or deleted items also refresh.
 *
 * With `live` on, the WebSocket (live.ts) pushes the session list and the task list, which are
 * published as they come (no request), and library changes, which trigger the same targeted
 * refresh as a webhook. While it is connected polls run at the idle interval; when it drops,
 * a poll runs at once and the normal cadence resumes while it reconnects with backoff.
 */
export class JellyfinService extends MediaServerService<JellyfinStates> {
  readonly type = 'jellyfin' as const;
  protected readonly manufacturer = 'Jellyfin';
  protected readonly model = 'Jellyfin Server';
  readonly #api: JellyfinApi;
  readonly #authorization: string;

  constructor(ctx: ServiceContext<LiveConfig & SessionsConfig, JellyfinStates>) {
    super(ctx);
    const identity = jellyfinIdentity(ctx.cfg.api_key ?? '', ctx.id, VERSION);
    this.#authorization = jellyfinAuthorization(identity);
    this.#api = new JellyfinApi(ctx.http, ctx.id, { authorization: this.#authorization });
  }

  /** For the library-scan command: starts a scan and watches it on every poll. */
  get api(): JellyfinApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef<JellyfinStates>[] {
    return jellyfinEntities();
  }

  protected async readSessions(signal: AbortSignal): Promise<PlaybackSession[]> {
    return normaliseJellyfinSessions(await this.#api.sessions(ACTIVE_WITHIN_SECONDS, signal));
  }

  protected async readScan(signal: AbortSignal): Promise<JellyfinScanState> {
    return scanState(await this.#api.tasks(signal));
  }

  protected async readLibrary(signal: AbortSignal): Promise<void> {
    const { cfg } = this.ctx;
    const info = await this.#api.systemInfo(signal);
    const counts = await this.#api.itemCounts(signal);
    const recent = await this.#api.recentlyAdded(cfg.list_limit, signal);
    this.version = info.Version ?? null;
    this.ctx.publishState(JellyfinState.server, serverState(info));
    this.ctx.publishState(JellyfinState.library, libraryState(counts));
    this.ctx.publishState(JellyfinState.recent, recentState(recent, cfg.list_limit));
  }

  protected openLiveSocket(): LiveSocket {
    const { cfg } = this.ctx;
    return jellyfinLiveSocket({
      baseUrl: cfg.url,
      authorization: this.#authorization,
      deviceId: `media2mqtt-${this.id}`,
      log: this.ctx.log,
      connectTimeoutMs: cfg.timeout * 1000,
      verifyTls: cfg.verify_tls,
      onEvent: (e) => this.#onLive(e),
      onState: (state) => this.liveChanged(state),
    });
  }

  /** A push from the webhook plugin: mark what it made stale, then one coalesced refresh. */
  override async onWebhook(req: WebhookRequest): Promise<void> {
    const { type, refresh } = jellyfinWebhookRefresh(req.json);
    this.ctx.log.debug(`webhook ${type ?? '(no NotificationType)'}: refreshing ${refresh.join(', ') || 'nothing'}`);
    await this.refreshFor(refresh);
  }

  #onLive(e: JellyfinLiveEvent): void {
    this.liveActivity(); // a failing instance is polled at once (issue 14, item 13)
    switch (e.kind) {
      case 'sessions':
        // The full list as of now (idle device connections too: the normaliser keeps what plays).
        this.sessions.pushedList(normaliseJellyfinSessions(e.sessions));
        return;
      case 'tasks':
        this.publishScan(scanState(e.tasks), true);
        return;
      case 'task-ended':
        if (e.key === LIBRARY_SCAN_TASK_KEY) this.pushed('scan', 'library');
        return;
      case 'shutdown':
        // Jellyfin stops or restarts: its sessions end now, not after the orphan timeout.
        this.sessions.endAll('server_shutdown');
        this.pushed('library');
        return;
      case 'library':
      case 'server':
        this.pushed('library');
        return;
      default:
        return;
    }
  }
}
