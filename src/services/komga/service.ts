import type { EntityDef } from '../../ha/entity.js';
import type { LibrarySeries, LibrarySource } from '../../missing/types.js';
import { PolledService, type ServiceContext } from '../service.js';
import type { BaseServiceConfig } from '../settings.js';
import { KomgaApi, cond, type Condition } from './api.js';
import { KomgaState, komgaEntities, type KomgaStates } from './entities.js';
import { booksBySeries, incompleteKnown, libraryEntry, libraryState, toLibrarySeries } from './map.js';
import { librariesState, type IncompleteSeries } from '../library.js';

/** The version changes on upgrades only. */
const VERSION_EVERY_MS = 60 * 60_000;

/**
 * Komga: series, books and the series with a known total that are incomplete, and a library scan
 * command. A poll is four or five small requests whatever the library's size: the library list,
 * one-element pages of the series and book lists (their `totalElements` are the counts), and the
 * pages of the incomplete series (200 a page). Never one request per book or per series.
 *
 * It is also a missing-volumes LibrarySource: the volumes of a page of series come from one
 * `books/list` call whose condition names every series of the page.
 */
export class KomgaService extends PolledService<BaseServiceConfig, KomgaStates> implements LibrarySource {
  readonly type = 'komga' as const;
  protected readonly manufacturer = 'Komga';
  protected readonly model = 'Komga';
  readonly #api: KomgaApi;
  #versionAt = -Infinity;

  constructor(ctx: ServiceContext<BaseServiceConfig, KomgaStates>) {
    super(ctx);
    this.#api = new KomgaApi(ctx.http, ctx.id);
  }

  /** The API client, for the commands (commands.ts). */
  get api(): KomgaApi {
    return this.#api;
  }

  protected serviceEntities(): EntityDef<KomgaStates>[] {
    return komgaEntities();
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    // Always the same first request: a failing Komga fails every poll with the same message (logged once).
    const libraries = await this.#api.libraries(signal);
    const counts = await this.counts(signal);
    const incomplete: IncompleteSeries[] = [];
    await this.#api.eachSeriesPage(cond.incomplete(), signal, async (page) => void incomplete.push(...incompleteKnown(page)));
    this.ctx.publishState(KomgaState.library, libraryState(counts, incomplete, this.ctx.cfg.list_limit));
    this.ctx.publishState(KomgaState.libraries, librariesState(libraries.map(libraryEntry), this.ctx.cfg.list_limit));
    if (Date.now() - this.#versionAt >= VERSION_EVERY_MS) {
      this.version = await this.#api.version(signal);
      this.#versionAt = Date.now();
    }
  }

  /** After an outage Komga may have been upgraded: the next successful poll reads the version again. */
  protected override onOffline(): void {
    this.#versionAt = -Infinity;
  }

  /** Series and books in the library: the `totalElements` of one-element pages. */
  async counts(signal: AbortSignal): Promise<{ series: number; books: number }> {
    const series = await this.#api.seriesPage(cond.notDeleted(), 0, 1, signal);
    const books = await this.#api.booksPage(cond.notDeleted(), 0, 1, signal);
    return { series: series.totalElements, books: books.totalElements };
  }

  async seriesVolumes(seriesId: string, signal: AbortSignal): Promise<LibrarySeries> {
    const series = await this.#api.series(seriesId, signal);
    const books = await this.#api.allBooks(cond.booksOf([seriesId]), signal);
    return toLibrarySeries(series, books);
  }

  async listSeries(options: { onlyIncomplete: boolean }, signal: AbortSignal): Promise<LibrarySeries[]> {
    const out: LibrarySeries[] = [];
    const condition: Condition = options.onlyIncomplete ? cond.incomplete() : cond.notDeleted();
    await this.#api.eachSeriesPage(condition, signal, async (page) => {
      if (!page.length) return;
      const books = booksBySeries(await this.#api.allBooks(cond.booksOf(page.map((s) => s.id)), signal));
      for (const s of page) out.push(toLibrarySeries(s, books.get(s.id) ?? []));
    });
    return out;
  }
}
