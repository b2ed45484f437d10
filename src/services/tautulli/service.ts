import type { EntityDef } from '../../ha/entity.js';
import type { SessionsConfig } from '../settings.js';
import { Cadence } from '../cadence.js';
import { PolledService, type ServiceContext } from '../service.js';
import { mapActivity } from './map.js';
import { TautulliApi } from './api.js';
import { tautulliEntities, TautulliState, type TautulliStates } from './entities.js';
import { activitySchema, serverInfoSchema, serverStatusSchema, tautulliInfoSchema } from './schemas.js';
import { SessionFeature } from '../../sessions/feature.js';
import { normaliseTautulliSession } from './sessions.js';

/**
 * Server name/version, the Plex connection and Tautulli's own version change rarely: fetched on the
 * first poll and then every 10 minutes, so a poll is normally the one `get_activity` call.
 */
const INFO_EVERY_MS = 10 * 60_000;

/**
 * Tautulli: playback activity of a Plex server. Home Assistant's integration makes three calls every
 * 10 s (18/min); this makes one `get_activity` per poll, every `interval` while something streams and
 * every `idle_interval` otherwise, plus three calls every 10 minutes.
 */
export class TautulliService extends PolledService<SessionsConfig, TautulliStates> {
  readonly type = 'tautulli' as const;
  protected readonly manufacturer = 'Tautulli';
  protected readonly model = 'Tautulli';
  readonly #api: TautulliApi;
  readonly #sessions: SessionFeature;
  readonly #cadence = new Cadence({ info: { every: INFO_EVERY_MS } });

  constructor(ctx: ServiceContext<SessionsConfig, TautulliStates>) {
    super(ctx);
    this.#api = new TautulliApi(ctx.http, ctx.id);
    // Same keys as the activity counts had before sessions existed: unique_ids never change.
    this.#sessions = new SessionFeature(ctx, { expireAfter: ctx.cfg.idle_interval * 3 });
  }

  /** The API client, for the commands (commands.ts). */
  get api(): TautulliApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef<TautulliStates>[] {
    return [...this.#sessions.entities(), ...tautulliEntities(this.ctx.cfg)];
  }

  override async start(): Promise<void> {
    this.#sessions.start();
    await super.start();
  }

  override async stop(): Promise<void> {
    await this.#sessions.stop();
    await super.stop();
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const requestedAt = Date.now();
    const activity = await this.#api.call('get_activity', activitySchema, signal);
    const state = mapActivity(activity, this.ctx.cfg.list_limit);
    this.ctx.publishState(TautulliState.activity, state);
    this.#sessions.snapshot(activity.sessions.map(normaliseTautulliSession), requestedAt);
    this.active = state.stream_count > 0 || this.#sessions.active;
    if (this.#cadence.due('info')) await this.#refreshInfo(signal);
  }

  async #refreshInfo(signal: AbortSignal): Promise<void> {
    const ticket = this.#cadence.begin('info');
    const info = await this.#api.call('get_tautulli_info', tautulliInfoSchema, signal);
    const server = await this.#api.call('get_server_info', serverInfoSchema, signal);
    const status = await this.#api.call('server_status', serverStatusSchema, signal);
    this.version = info.tautulli_version;
    this.ctx.publishState(TautulliState.server, {
      plex_name: server.pms_name,
      plex_version: server.pms_version,
      plex_platform: server.pms_platform,
      plex_connected: status.connected,
    });
    this.#cadence.done('info', ticket);
  }
}
