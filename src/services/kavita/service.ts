import type { EntityDef } from '../../ha/entity.js';
import { UpstreamError } from '../../errors.js';
import type { LibrarySeries, LibrarySource } from '../../missing/types.js';
import { librariesState, type IncompleteSeries } from '../library.js';
import { PolledService, type ServiceContext } from '../service.js';
import type { BaseServiceConfig } from '../settings.js';
import { KavitaApi, filter } from './api.js';
import { KavitaState, kavitaEntities, type KavitaStates } from './entities.js';
import { incompleteEntry, libraryEntry, libraryState, toLibrarySeries } from './map.js';
import { PublicationStatus, type KavitaSeries } from './schemas.js';

/**
 * Kavita: series, volumes and the series with a known total that are incomplete, and a library
 * scan command. A poll is three requests plus at most `list_limit` pairs for series whose latest
 * chapter changed: the server statistics (series and volume counts), the library list, and one
 * page of the series Kavita marks "Ended" (a known total whose highest volume is missing; its
 * `Pagination` header gives their number). The listed ones' volumes and metadata are cached by
 * `lastChapterAdded`. Never one request per book.
 */
export class KavitaService extends PolledService<BaseServiceConfig, KavitaStates> implements LibrarySource {
  readonly type = 'kavita' as const;
  protected readonly manufacturer = 'Kavita';
  protected readonly model = 'Kavita';
  readonly #api: KavitaApi;
  /** Attribute entries of listed series, by id, valid while `lastChapterAdded` is unchanged. */
  #details = new Map<number, { changed: string; entry: IncompleteSeries | null }>();

  constructor(ctx: ServiceContext<BaseServiceConfig, KavitaStates>) {
    super(ctx);
    this.#api = new KavitaApi(ctx.http, ctx.id, ctx.cfg.api_key ?? '');
  }

  /** The API client, for the commands (commands.ts). */
  get api(): KavitaApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef<KavitaStates>[] {
    return kavitaEntities();
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    await this.#api.ensureToken(signal);
    this.version = this.#api.version;
    const stats = await this.#api.stats(signal);
    const libraries = await this.#api.libraries(signal);
    const ended = await this.#api.seriesPage(filter.status([PublicationStatus.Ended]), 1, this.ctx.cfg.list_limit, signal);
    const listed: IncompleteSeries[] = [];
    const keep = new Set<number>();
    for (const s of ended.series) {
      keep.add(s.id);
      const entry = await this.#detail(s, signal);
      if (entry) listed.push(entry);
    }
    for (const id of this.#details.keys()) if (!keep.has(id)) this.#details.delete(id);
    this.ctx.publishState(KavitaState.library, libraryState(stats, ended.pagination.totalItems, listed, this.ctx.cfg.list_limit));
    this.ctx.publishState(KavitaState.libraries, librariesState(libraries.map(libraryEntry), this.ctx.cfg.list_limit));
  }

  async seriesVolumes(seriesId: string, signal: AbortSignal): Promise<LibrarySeries> {
    if (!/^[1-9]\d{0,9}$/.test(seriesId)) throw new UpstreamError(this.id, `Kavita series ids are whole numbers, not "${seriesId.slice(0, 40)}"`, { code: 'NOT_FOUND' });
    const id = Number(seriesId);
    const series = await this.#api.series(id, signal);
    return toLibrarySeries(series, await this.#api.volumes(id, signal), await this.#api.metadata(id, signal));
  }

  /**
   * Every series (or the ones not "Completed": ongoing, hiatus, cancelled and ended), with their
   * volumes: paged lists, then volumes and metadata per series (Kavita has no bulk volume call).
   */
  async listSeries(options: { onlyIncomplete: boolean }, signal: AbortSignal): Promise<LibrarySeries[]> {
    const S = PublicationStatus;
    const body = options.onlyIncomplete ? filter.status([S.OnGoing, S.Hiatus, S.Cancelled, S.Ended]) : filter.all();
    const out: LibrarySeries[] = [];
    await this.#api.eachSeriesPage(body, signal, async (page) => {
      for (const s of page) out.push(toLibrarySeries(s, await this.#api.volumes(s.id, signal), await this.#api.metadata(s.id, signal)));
    });
    return out;
  }

  async #detail(s: KavitaSeries, signal: AbortSignal): Promise<IncompleteSeries | null> {
    const changed = s.lastChapterAdded ?? '';
    const cached = this.#details.get(s.id);
    if (cached && cached.changed === changed) return cached.entry;
    const entry = incompleteEntry(s, await this.#api.volumes(s.id, signal), await this.#api.metadata(s.id, signal));
    this.#details.set(s.id, { changed, entry });
    return entry;
  }
}
