import type { EntityDef } from '../../ha/entity.js';
import { PolledService, type ServiceContext } from '../service.js';
import type { BaseServiceConfig } from '../settings.js';
import { displayVersion } from './api-version.js';
import { QbitClient } from './api.js';
import { qbittorrentEntities, STATE, type QbittorrentStates } from './entities.js';
import { MainDataState, type Torrent } from './maindata.js';
import { countTorrents, downloadsPayload, finishedSince, transferPayload } from './map.js';
import { SHARED } from '../seerr/lifecycle/names.js';

/**
 * One qBittorrent instance. Each poll is a single `/sync/maindata?rid=N` request: qBittorrent
 * answers with only what changed since the last answer, merged into our own copy, so a poll costs
 * the same whether there are 5 torrents or 5000. Login happens once per session, the version is
 * read once per session (and again after qBittorrent restarted).
 */
export class QbittorrentService extends PolledService<BaseServiceConfig, QbittorrentStates> {
  readonly type = 'qbittorrent' as const;
  protected readonly manufacturer = 'qBittorrent';
  protected readonly model = 'qBittorrent';
  /** The API client; the commands (pause, resume, alternative speed, add) use it too. */
  readonly client: QbitClient;
  readonly #sync = new MainDataState();
  /** Progress per hash at the previous sync, to see downloads finish. */
  #progress = new Map<string, number>();

  constructor(ctx: ServiceContext<BaseServiceConfig, QbittorrentStates>) {
    super(ctx);
    this.client = new QbitClient({ service: ctx.id, http: ctx.http, username: ctx.cfg.username, password: ctx.cfg.password });
  }

  protected serviceEntities(): EntityDef<QbittorrentStates>[] {
    return qbittorrentEntities();
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const asked = this.#sync.rid;
    const data = await this.client.mainData(asked, signal);
    const { full } = this.#sync.apply(data);
    // A full answer to a rid we had is a new session or a restarted qBittorrent (maybe upgraded).
    if (full && asked !== 0) this.client.forgetVersion();
    if (!this.client.version) this.version = displayVersion((await this.client.detectVersion(signal)).app);

    const torrents = [...this.#sync.torrents.values()];
    this.ctx.share(SHARED.qbitTorrents, this.#sync.torrents);
    this.#announceFinished(torrents);
    const { cfg } = this.ctx;
    const downloads = downloadsPayload(torrents, cfg.list_limit);
    const transfer = transferPayload(this.#sync.serverState);
    this.ctx.publishState(STATE.transfer, transfer);
    this.ctx.publishState(STATE.torrents, countTorrents(torrents));
    this.ctx.publishState(STATE.downloads, downloads);
    this.active = downloads.count > 0 || transfer.download_rate > 0;
  }

  #announceFinished(torrents: Torrent[]): void {
    // Only transitions seen live: the first sync after start has nothing to compare with.
    for (const t of finishedSince(this.#progress, torrents)) {
      this.ctx.log.info(`download finished: ${t.name ?? t.hash}`);
      this.ctx.emitEvent('download_finished', { name: t.name ?? '', category: t.category ?? '', size: t.size ?? 0, hash: t.hash });
    }
    this.#progress = new Map(torrents.map((t) => [t.hash, t.progress ?? 0]));
  }
}
