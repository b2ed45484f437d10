import type { EntityDef } from '../../ha/entity.js';
import type { LiveConfig, SessionsConfig } from '../settings.js';
import { PolledService, type ServiceContext, type WebhookRequest } from '../service.js';
import { PlexApi } from './api.js';
import { Cadence } from '../cadence.js';
import { PlexState, plexEntities, type PlexStates } from './entities.js';
import { SECTION_COUNTS, libraryState, recentState, scanState, serverState, type SectionCount } from './map.js';
import { SessionFeature } from '../../sessions/feature.js';
import { LEGACY_SESSION_ENTITIES } from '../../sessions/entities.js';
import { normalisePlexSessions, plexSessionKey } from './sessions.js';
import { PushCoalescer } from '../push.js';
import { plexWebhookPayload, plexWebhookRefresh } from './webhook.js';
import { VERSION } from '../../version.js';
import type { LiveSocket } from '../live-socket.js';
import { activityConcernsScan, plexLiveSocket, timelineChangesLibrary, type PlexLiveEvent } from './live.js';

/** Library totals, recently added, version and update: every this many idle intervals (10 min at defaults). */
export const LIBRARY_EVERY_IDLE_INTERVALS = 5;
/** Pushes within this window share one refresh. */
const PUSH_COALESCE_MS = 1000;

/**
 * A Plex Media Server. Every poll reads /status/sessions (one request; streaming switches to the
 * fast interval); /activities every idle interval, or every poll while a section scan runs; the
 * library (per-section totals with zero-size pages, recently added, version, update) every
 * LIBRARY_EVERY_IDLE_INTERVALS idle intervals, right after a scan ends, and on `library.new`.
 *
 * With `live` on, the notification WebSocket (live.ts) says when to look. A playing notification
 * carries the session's state and position: a pause, resume, stop or progress report of a known
 * session is applied from it without a request; only a session not seen yet (a new playback, or
 * another item) refreshes the sessions for its details (user, title, stream decisions). Processed
 * or deleted library items refresh the library, scan activity the scan. While it is connected polls run at the idle interval; when it drops, a poll
 * runs at once and the normal cadence resumes while it reconnects with backoff.
 */
export class PlexService extends PolledService<LiveConfig & SessionsConfig, PlexStates> {
  readonly type = 'plex' as const;
  protected readonly manufacturer = 'Plex';
  protected readonly model = 'Plex Media Server';
  readonly #api: PlexApi;
  /** The scan every idle interval, the library every LIBRARY_EVERY_IDLE_INTERVALS; both at once when forced. */
  readonly #cadence: Cadence<'scan' | 'library'>;
  readonly #push: PushCoalescer;
  readonly #sessions: SessionFeature;
  #scanRunning = false;
  #socket: LiveSocket | null = null;

  constructor(ctx: ServiceContext<LiveConfig & SessionsConfig, PlexStates>) {
    super(ctx);
    // One client identifier per instance, so PMS lists the bridge as one device per instance.
    this.#api = new PlexApi(ctx.http, ctx.id, { 'X-Plex-Client-Identifier': `media2mqtt-${ctx.id}` });
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

  /** For the library-scan command (a later issue). */
  get api(): PlexApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef<PlexStates>[] {
    return [...this.#sessions.entities(), ...plexEntities()];
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const { cfg } = this.ctx;
    const requestedAt = Date.now();
    this.#sessions.snapshot(normalisePlexSessions(await this.#api.sessions(signal)), requestedAt);

    if (this.#scanRunning || this.#cadence.due('scan')) {
      const ticket = this.#cadence.begin('scan');
      const scan = scanState(await this.#api.activities(signal));
      this.ctx.publishState(PlexState.scan, scan);
      // A scan that just ended has changed the library: read it now, not at the next slow round.
      if (this.#scanRunning && !scan.running) this.#cadence.force('library');
      this.#scanRunning = scan.running;
      this.#cadence.done('scan', ticket);
    }

    if (this.#cadence.due('library')) {
      const ticket = this.#cadence.begin('library');
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
      this.#cadence.done('library', ticket);
    }

    this.active = this.#sessions.active || this.#scanRunning;
  }


  override async start(): Promise<void> {
    this.#sessions.start();
    await super.start();
    if (!this.ctx.cfg.live) return;
    const { cfg } = this.ctx;
    this.#socket = plexLiveSocket({
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
    this.#socket.start();
  }

  /** A Plex webhook (multipart, `payload` field): mark what it made stale, then one coalesced refresh. */
  override async onWebhook(req: WebhookRequest): Promise<void> {
    const { event, refresh } = plexWebhookRefresh(plexWebhookPayload(req));
    this.ctx.log.debug(`webhook ${event ?? '(no event)'}: refreshing ${refresh.join(', ')}`);
    if (refresh.includes('library')) this.#cadence.force('library');
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

  #onLive(e: PlexLiveEvent): void {
    this.liveActivity(); // a failing instance is polled at once (issue 14, item 13)
    let refresh = false;
    if (e.kind === 'playing' && e.notifications.length) {
      // A notification names the playback by key only: a key not seen yet needs a refresh for its
      // details (the tracker keeps its pushes meanwhile, so a stop that beats the refresh still counts).
      // Everything else it carries itself (state, position): no request for a pause, resume, stop
      // or progress report, so the channel never costs more than polling.
      let unknown = false;
      for (const n of e.notifications) {
        const state = n.state === 'paused' || n.state === 'buffering' || n.state === 'stopped' ? n.state : 'playing';
        const position = n.viewOffset !== undefined ? Math.max(0, Math.round(n.viewOffset / 1000)) : undefined;
        unknown = this.#sessions.push({ key: plexSessionKey(n.sessionKey, n.ratingKey), state, ...(position !== undefined ? { position } : {}) }).unknown || unknown;
      }
      refresh = unknown;
    }
    if (e.kind === 'timeline' && timelineChangesLibrary(e.entries)) {
      this.#cadence.force('library');
      refresh = true;
    }
    if (e.kind === 'activity' && activityConcernsScan(e.activities)) {
      this.#cadence.force('scan');
      refresh = true;
    }
    if (refresh) void this.#push.trigger().catch(() => undefined);
  }

  /** The poll is the refresh, in the scheduler's queue; a push that raced a running poll gets a second run. */
  async #pushRefresh(): Promise<void> {
    await this.refresh();
    if (this.#cadence.pending('library') || this.#cadence.pending('scan')) await this.refresh();
  }
}
