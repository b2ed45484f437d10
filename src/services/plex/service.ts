import type { EntityDef } from '../../ha/entity.js';
import type { LiveConfig, SessionsConfig } from '../settings.js';
import type { ServiceContext, WebhookRequest } from '../service.js';
import { MediaServerService } from '../media-server.js';
import { PlexApi } from './api.js';
import { PlexState, plexEntities, type PlexStates } from './entities.js';
import { SECTION_COUNTS, libraryState, recentState, scanState, serverState, type PlexScanState, type SectionCount } from './map.js';
import { normalisePlexSessions, plexSessionKey } from './sessions.js';
import { plexWebhookPayload, plexWebhookRefresh } from './webhook.js';
import { VERSION } from '../../version.js';
import type { LiveSocket } from '../live-socket.js';
import { activityConcernsScan, plexLiveSocket, timelineChangesLibrary, type PlexLiveEvent } from './live.js';
import type { PlaybackSession } from '../../sessions/model.js';

/**
 * A Plex Media Server (schedule, sessions and pushes: MediaServerService). Its reads:
 * /status/sessions, /activities for the section scans, and the library (per-section totals with
 * zero-size pages, recently added, version, update), which `library.new` also refreshes.
 *
 * With `live` on, the notification WebSocket (live.ts) says when to look. A playing notification
 * carries the session's state and position: a pause, resume, stop or progress report of a known
 * session is applied from it without a request; only a session not seen yet (a new playback, or
 * another item) refreshes the sessions for its details (user, title, stream decisions). Processed
 * or deleted library items refresh the library, scan activity the scan. While it is connected
 * polls run at the idle interval; when it drops, a poll runs at once and the normal cadence
 * resumes while it reconnects with backoff.
 */
export class PlexService extends MediaServerService<PlexStates> {
  readonly type = 'plex' as const;
  protected readonly manufacturer = 'Plex';
  protected readonly model = 'Plex Media Server';
  readonly #api: PlexApi;

  constructor(ctx: ServiceContext<LiveConfig & SessionsConfig, PlexStates>) {
    super(ctx);
    // One client identifier per instance, so PMS lists the bridge as one device per instance.
    this.#api = new PlexApi(ctx.http, ctx.id, { 'X-Plex-Client-Identifier': `media2mqtt-${ctx.id}` });
  }

  /** For the library-scan command. */
  get api(): PlexApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef<PlexStates>[] {
    return plexEntities();
  }

  protected async readSessions(signal: AbortSignal): Promise<PlaybackSession[]> {
    return normalisePlexSessions(await this.#api.sessions(signal));
  }

  protected async readScan(signal: AbortSignal): Promise<PlexScanState> {
    return scanState(await this.#api.activities(signal));
  }

  protected async readLibrary(signal: AbortSignal): Promise<void> {
    const { cfg } = this.ctx;
    const info = await this.#api.serverInfo(signal);
    const updater = await this.#api.updaterStatus(signal);
    const sections: SectionCount[] = [];
    for (const section of await this.#api.sections(signal)) {
      const kinds = SECTION_COUNTS[section.type];
      if (!kinds) continue; // photo and other libraries are not counted
      const counts: SectionCount['counts'] = {};
      for (const k of kinds) counts[k.field] = await this.#api.count(section.key, k.type, signal);
      sections.push({ section, counts });
    }
    const recent = await this.#api.recentlyAdded(cfg.list_limit, signal);
    this.version = info.version;
    this.ctx.publishState(PlexState.server, serverState(info.version, info.friendlyName ?? null, updater));
    this.ctx.publishState(PlexState.library, libraryState(sections, cfg.list_limit));
    this.ctx.publishState(PlexState.recent, recentState(recent, cfg.list_limit));
  }

  protected openLiveSocket(): LiveSocket {
    const { cfg } = this.ctx;
    return plexLiveSocket({
      baseUrl: cfg.url,
      headers: {
        'X-Plex-Token': cfg.token ?? '',
        'X-Plex-Client-Identifier': `media2mqtt-${this.id}`,
        'X-Plex-Product': 'media2mqtt',
        'X-Plex-Version': VERSION,
      },
      log: this.ctx.log,
      connectTimeoutMs: cfg.timeout * 1000,
      verifyTls: cfg.verify_tls,
      onEvent: (e) => this.#onLive(e),
      onState: (state) => this.liveChanged(state),
    });
  }

  /** A Plex webhook (multipart, `payload` field): mark what it made stale, then one coalesced refresh. */
  override async onWebhook(req: WebhookRequest): Promise<void> {
    const { event, refresh } = plexWebhookRefresh(plexWebhookPayload(req));
    this.ctx.log.debug(`webhook ${event ?? '(no event)'}: refreshing ${refresh.join(', ')}`);
    await this.refreshFor(refresh);
  }

  #onLive(e: PlexLiveEvent): void {
    this.liveActivity(); // a failing instance is polled at once (issue 14, item 13)
    if (e.kind === 'playing' && e.notifications.length) {
      // A notification names the playback by key only: a key not seen yet needs a refresh for its
      // details (the tracker keeps its pushes meanwhile, so a stop that beats the refresh still counts).
      // Everything else it carries itself (state, position): no request for a pause, resume, stop
      // or progress report, so the channel never costs more than polling.
      let unknown = false;
      for (const n of e.notifications) {
        const state = n.state === 'paused' || n.state === 'buffering' || n.state === 'stopped' ? n.state : 'playing';
        const position = n.viewOffset !== undefined ? Math.max(0, Math.round(n.viewOffset / 1000)) : undefined;
        unknown = this.sessions.push({ key: plexSessionKey(n.sessionKey, n.ratingKey), state, ...(position !== undefined ? { position } : {}) }).unknown || unknown;
      }
      if (unknown) this.pushed();
    }
    if (e.kind === 'timeline' && timelineChangesLibrary(e.entries)) this.pushed('library');
    if (e.kind === 'activity' && activityConcernsScan(e.activities)) this.pushed('scan');
  }
}
