import type { EntityDef } from '../../ha/entity.js';
import { PolledService, type ServiceContext, type WebhookRequest } from '../service.js';
import { PlexApi } from './api.js';
import { Cadence } from '../cadence.js';
import { PlexState, plexEntities } from './entities.js';
import { SECTION_COUNTS, libraryState, recentState, scanState, serverState, sessionsState, type SectionCount } from './map.js';
import { PushCoalescer } from '../push.js';
import { plexWebhookPayload, plexWebhookRefresh } from './webhook.js';

/** Library totals, recently added, version and update: every this many idle intervals (10 min at defaults). */
export const LIBRARY_EVERY_IDLE_INTERVALS = 5;
/** Pushes within this window share one refresh. */
const PUSH_COALESCE_MS = 1000;

/**
 * A Plex Media Server. Every poll reads /status/sessions (one request; streaming switches to the
 * fast interval); /activities every idle interval, or every poll while a section scan runs; the
 * library (per-section totals with zero-size pages, recently added, version, update) every
 * LIBRARY_EVERY_IDLE_INTERVALS idle intervals, right after a scan ends, and on `library.new`.
 */
export class PlexService extends PolledService {
  readonly type = 'plex' as const;
  protected readonly manufacturer = 'Plex';
  protected readonly model = 'Plex Media Server';
  readonly #api: PlexApi;
  readonly #scan: Cadence;
  readonly #library: Cadence;
  readonly #push: PushCoalescer;
  #scanRunning = false;

  constructor(ctx: ServiceContext) {
    super(ctx);
    // One client identifier per instance, so PMS lists the bridge as one device per instance.
    this.#api = new PlexApi(ctx.http, ctx.id, { 'X-Plex-Client-Identifier': `media2mqtt-${ctx.id}` });
    this.#scan = new Cadence(() => ctx.cfg.idle_interval);
    this.#library = new Cadence(() => ctx.cfg.idle_interval * LIBRARY_EVERY_IDLE_INTERVALS);
    this.#push = new PushCoalescer(() => this.#pushRefresh(), PUSH_COALESCE_MS);
  }

  /** For the library-scan command (a later issue). */
  get api(): PlexApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef[] {
    return plexEntities();
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const { cfg } = this.ctx;
    const sessions = sessionsState(await this.#api.sessions(signal), cfg.list_limit);
    this.ctx.publishState(PlexState.sessions, sessions);

    if (this.#scanRunning || this.#scan.due()) {
      const ticket = this.#scan.begin();
      const scan = scanState(await this.#api.activities(signal));
      this.ctx.publishState(PlexState.scan, scan);
      // A scan that just ended has changed the library: read it now, not at the next slow round.
      if (this.#scanRunning && !scan.running) this.#library.force();
      this.#scanRunning = scan.running;
      this.#scan.done(ticket);
    }

    if (this.#library.due()) {
      const ticket = this.#library.begin();
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
      this.#library.done(ticket);
    }

    this.active = (sessions.count as number) > 0 || this.#scanRunning;
  }

  /** A Plex webhook (multipart, `payload` field): mark what it made stale, then one coalesced refresh. */
  override async onWebhook(req: WebhookRequest): Promise<void> {
    const { event, refresh } = plexWebhookRefresh(plexWebhookPayload(req));
    this.ctx.log.debug(`webhook ${event ?? '(no event)'}: refreshing ${refresh.join(', ')}`);
    if (refresh.includes('library')) this.#library.force();
    await this.#push.trigger();
  }

  override async stop(): Promise<void> {
    this.#push.stop();
    await super.stop();
  }

  /** The poll is the refresh, in the scheduler's queue; a push that raced a running poll gets a second run. */
  async #pushRefresh(): Promise<void> {
    await this.refresh();
    if (this.#library.forced) await this.refresh();
  }
}
