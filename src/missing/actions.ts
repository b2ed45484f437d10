import { CommandError, errorMessage } from '../errors.js';
import type { InstanceContext } from '../core/instance.js';
import type { MissingConfig, SeriesDef } from './config.js';
import { DownloadError, identity, linkOf, send, wasSent, type HistoryEntry, type Sendable } from './download.js';
import { parseName } from './parse.js';
import { MissingState, type MissingEvent, type MissingEventData, type MissingStates } from './entities.js';
import type { PeerLookup } from './peers.js';
import { magnetHash, rankReleases, type RankedResult } from './rank.js';
import { createSearcher, type Searcher } from './search.js';
import type { MissingStore, SearchRecord, SeriesRecord, StoredResult } from './state.js';

/** History entries on `<base>/missing/history` (the data file keeps more). */
const HISTORY_PUBLISHED = 20;
/**
 * Series searched by one auto-download round: a library of 2,000 incomplete series must not become
 * 2,000 searches on the indexers after every check. The next round starts where this one stopped.
 */
export const AUTO_SEARCHES_PER_CHECK = 20;

export interface SearchOutcome {
  series: string;
  wanted: number[];
  results: RankedResult[];
  rejected: Record<string, number>;
  duplicates: number;
}

export interface DownloadRequest {
  series: string;
  volume?: number;
  guid?: string;
  url?: string;
  force?: boolean;
}

/**
 * What the actions use of the feature (MissingInstance implements it): its context, settings,
 * store and peers, the monitored series and their last check, and its event.
 */
export interface MissingCore {
  readonly ctx: InstanceContext<MissingStates>;
  readonly cfg: MissingConfig;
  readonly peers: PeerLookup;
  readonly store: MissingStore;
  find(id: string): SeriesDef;
  record(id: string): SeriesRecord | undefined;
  check(ids: string[] | undefined, signal: AbortSignal): Promise<unknown>;
  attributesOf(id: string): { missing: number[]; error: string | null };
  emit<T extends MissingEvent>(type: T, data: MissingEventData[T]): void;
  /** After monitor/unmonitor: summary and entities again. */
  changed(): void;
  /** Drops an unmonitored series' topics. */
  forget(id: string): void;
}

/** Search, download, auto-download, history and the monitored list: what the commands call. */
export class MissingActions {
  readonly #f: MissingCore;
  #searcher: Promise<Searcher> | null = null;
  /** Where the next auto-download round starts in the list of series with missing volumes. */
  #autoCursor = 0;
  #searches: Record<string, SearchRecord> = {};

  constructor(feature: MissingCore) {
    this.#f = feature;
  }

  start(): void {
    this.#searches = this.#f.store.searches;
    this.publishHistory();
  }

  #searcherOf(): Promise<Searcher> {
    this.#searcher ??= createSearcher(this.#f.cfg.search, this.#f.peers);
    // A failed set-up (no indexer configured) is retried on the next search, not cached.
    this.#searcher.catch(() => (this.#searcher = null));
    return this.#searcher;
  }

  /** Searches the wanted volumes (one, or every missing one) and ranks the results. */
  async search(seriesId: string, volume: number | undefined, signal: AbortSignal): Promise<SearchOutcome> {
    const def = this.#f.find(seriesId);
    let record = this.#f.record(seriesId);
    if (!record?.gaps) {
      await this.#f.check([seriesId], signal);
      record = this.#f.record(seriesId);
    }
    if (record?.error && !record.gaps) throw new CommandError('SOURCE_FAILED', `series ${seriesId} could not be checked: ${record.error}`);
    const wanted = volume !== undefined ? [volume] : (record?.gaps?.missing ?? []);
    if (wanted.length === 0) return { series: seriesId, wanted, results: [], rejected: {}, duplicates: 0 };
    const searcher = await this.#searcherOf();
    const releases = await searcher(def.title, signal);
    const s = this.#f.cfg.search;
    const ranking = rankReleases(releases, {
      title: def.title,
      wanted,
      language: s.language,
      minSizeMb: s.min_size_mb,
      maxSizeMb: s.max_size_mb,
      blocklist: s.blocklist,
      preferredGroups: s.preferred_groups,
      limit: s.limit,
      unit: def.source === 'sonarr' ? 'episode' : 'volume',
    });
    // Links stay in the data file for `download`; the published results carry none.
    const byKey = new Map(releases.map((r) => [r.guid ?? r.title, r]));
    const stored: StoredResult[] = ranking.results.map((r) => {
      const src = byKey.get(r.guid ?? r.title);
      return { ...r, guid: r.guid ?? r.info_hash ?? r.title, magnetUrl: src?.magnetUrl ?? null, downloadUrl: src?.downloadUrl ?? null };
    });
    this.#searches[seriesId] = { searched_at: new Date().toISOString(), wanted, results: stored };
    await this.#f.store.setSearches(this.#searches);
    this.publishResults(seriesId);
    return { series: seriesId, wanted, results: stored.map(publicResult), rejected: ranking.rejected, duplicates: ranking.duplicates };
  }

  /** `<base>/missing/results/<id>`: the last search's results (no links) and the HA attributes' fields. */
  publishResults(seriesId: string): void {
    const search = this.#searches[seriesId];
    const results = (search?.results ?? []).map(publicResult);
    const best = results[0] ? { title: results[0].title, score: results[0].score, covers: results[0].covers, seeders: results[0].seeders, size: results[0].size, guid: results[0].guid } : null;
    this.#f.ctx.publishState(MissingState.results(seriesId), {
      series: seriesId,
      ...this.#f.attributesOf(seriesId),
      searched_at: search?.searched_at ?? null,
      wanted: search?.wanted ?? [],
      count: results.length,
      best,
      results,
    });
  }

  /** Sends a result of the last search (by guid) or a given link; idempotent per series + volume + hash. */
  async download(req: DownloadRequest, signal: AbortSignal, mode: 'send' | 'dry_run' = 'send'): Promise<Record<string, unknown>> {
    const def = this.#f.find(req.series);
    const client = this.#f.cfg.download.client;
    if (!client) throw new DownloadError('NO_CLIENT', 'missing.download.client is not configured (a qbittorrent or sabnzbd instance)');
    const release = this.#release(def, req);
    const link = linkOf(release);
    if (!link) throw new DownloadError('NO_LINK', `result "${release.title}" has no magnet or download link`);
    if (req.volume !== undefined && req.guid !== undefined && !release.volumes.includes(req.volume)) {
      throw new DownloadError('VOLUME_NOT_IN_RESULT', `"${release.title}" holds volume${release.volumes.length === 1 ? '' : 's'} ${release.volumes.join(', ') || 'none'}, not ${req.volume}`);
    }
    const volumes = req.volume !== undefined ? [req.volume] : release.covers;
    const id = identity(release, link);
    if (!req.force && wasSent(this.#f.store.history, def.id, id, volumes)) {
      return { status: 'already_sent', series: def.id, volumes, release: release.title, info_hash: id };
    }
    // The same release already went to the client for another entry of the same series (a Komga
    // and a Kavita library both holding it): the client has it, and would refuse it again.
    const elsewhere = req.force ? undefined : this.#f.store.history.find((h) => h.status === 'sent' && h.info_hash === id && h.series !== def.id);
    if (elsewhere) return { status: 'already_sent', series: def.id, volumes, release: release.title, info_hash: id, sent_for: elsewhere.series };
    const entry: HistoryEntry = { at: new Date().toISOString(), series: def.id, title: def.title, release: release.title, volumes, client, info_hash: id, status: mode === 'dry_run' ? 'dry_run' : 'sent', forced: !!req.force, error: null };
    if (mode === 'send') {
      try {
        await send(this.#f.peers, client, this.#f.cfg.download.category, release, signal);
      } catch (err) {
        await this.#record({ ...entry, status: 'failed', error: errorMessage(err) });
        throw err;
      }
    }
    await this.#record(entry);
    if (mode === 'send') this.#f.emit('download_sent', { series: def.id, title: def.title, volumes, release: release.title, client });
    return { ...entry };
  }

  #release(def: SeriesDef, req: DownloadRequest): Sendable & { covers: number[]; volumes: number[] } {
    if (req.url) {
      const magnet = req.url.startsWith('magnet:');
      const usenet = !magnet && (/\.nzb(?:$|\?)/i.test(req.url) || this.#f.peers.get(this.#f.cfg.download.client ?? '')?.type === 'sabnzbd');
      const title = linkName(req.url);
      // The link's name (a magnet's dn, a file name) says which volumes it brings, when it says.
      const volumes = parseName(title).volumes;
      return { title, protocol: usenet ? 'usenet' : 'torrent', info_hash: magnetHash(req.url), magnetUrl: magnet ? req.url : null, downloadUrl: magnet ? null : req.url, covers: volumes, volumes };
    }
    const results = this.#searches[def.id]?.results ?? [];
    const r = results.find((x) => x.guid === req.guid || (x.info_hash !== null && x.info_hash === req.guid?.toLowerCase()));
    if (!r) throw new CommandError('UNKNOWN_RESULT', `no result "${req.guid}" in the last search of ${def.id}; run search first`);
    return r;
  }

  async #record(entry: HistoryEntry): Promise<void> {
    await this.#f.store.addHistory(entry);
    this.publishHistory();
  }

  publishHistory(): void {
    const all = this.#f.store.history;
    this.#f.ctx.publishState(MissingState.history, { count: all.length, recent: all.slice(-HISTORY_PUBLISHED).reverse() });
  }

  history(series: string | undefined, limit: number): HistoryEntry[] {
    return this.#f.store.history.filter((h) => !series || h.series === series).slice(-limit).reverse();
  }

  /**
   * After a check: for each series with missing volumes, the best result at or above
   * `search.min_score` that was not sent yet goes to the client (or is only recorded, with
   * `download.dry_run`). A failing series is reported and the others go on.
   */
  async autoDownload(seriesIds: string[], signal: AbortSignal): Promise<unknown[]> {
    const out: unknown[] = [];
    const mode = this.#f.cfg.download.dry_run ? 'dry_run' : 'send';
    const due = seriesIds.filter((id) => this.#f.record(id)?.gaps?.missing_count);
    const start = due.length ? this.#autoCursor % due.length : 0;
    const round = [...due.slice(start), ...due.slice(0, start)].slice(0, AUTO_SEARCHES_PER_CHECK);
    this.#autoCursor = start + round.length;
    if (due.length > round.length) this.#f.ctx.log.info(`auto-download searches ${round.length} of ${due.length} series this round; the others follow at the next checks`);
    for (const id of round) {
      try {
        await this.search(id, undefined, signal);
        const history = this.#f.store.history;
        const best = (this.#searches[id]?.results ?? []).find((r) => {
          const link = linkOf(r);
          return r.score >= this.#f.cfg.search.min_score && link !== null && !wasSent(history, id, identity(r, link), r.covers, mode === 'dry_run' ? ['sent', 'dry_run'] : ['sent']);
        });
        if (!best) continue;
        out.push(await this.download({ series: id, guid: best.guid ?? undefined }, signal, mode));
      } catch (err) {
        signal.throwIfAborted();
        this.#f.ctx.log.warn(`auto-download for ${id} failed: ${errorMessage(err)}`);
        out.push({ series: id, status: 'failed', error: errorMessage(err) });
      }
    }
    return out;
  }

  /** Adds (or replaces) a run-time series; a config series unmonitored before is monitored again. */
  async monitor(def: SeriesDef): Promise<{ series: string; monitored: true }> {
    const f = this.#f;
    await f.store.setAdded([...f.store.added.filter((s) => s.id !== def.id), def]);
    if (f.store.removed.includes(def.id)) await f.store.setRemoved(f.store.removed.filter((x) => x !== def.id));
    f.changed();
    return { series: def.id, monitored: true };
  }

  async unmonitor(id: string): Promise<{ series: string; monitored: false }> {
    const f = this.#f;
    f.find(id);
    await f.store.setAdded(f.store.added.filter((s) => s.id !== id));
    if (!f.store.removed.includes(id)) await f.store.setRemoved([...f.store.removed, id]);
    delete this.#searches[id];
    await f.store.setSearches(this.#searches);
    f.forget(id);
    return { series: id, monitored: false };
  }
}

/** A name for a link given by hand, without its query (an indexer's download URL carries its API key). */
function linkName(url: string): string {
  if (url.startsWith('magnet:')) {
    const dn = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('dn');
    return (dn ?? `magnet ${magnetHash(url) ?? ''}`).slice(0, 200);
  }
  try {
    const u = new URL(url);
    return decodeURIComponent(u.pathname.split('/').filter(Boolean).at(-1) ?? u.hostname).slice(0, 200) || u.hostname;
  } catch {
    return 'link';
  }
}

function publicResult(r: StoredResult | RankedResult): RankedResult {
  const { magnetUrl: _m, downloadUrl: _d, ...rest } = r as StoredResult;
  return rest;
}
