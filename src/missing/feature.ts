import type { Instance, InstanceContext } from '../core/instance.js';
import type { DeviceDef, EntityDef } from '../ha/entity.js';
import { CommandError, errorMessage } from '../errors.js';
import { VERSION } from '../version.js';
import { MissingActions, type MissingCore } from './actions.js';
import type { MissingConfig, SeriesDef } from './config.js';
import { ATTRIBUTE_MISSING_MAX, MissingState, missingEntities, type MissingEvent, type MissingEventData, type MissingEventPayload, type MissingStates } from './entities.js';
import type { Gaps } from './gaps.js';
import { warmUp } from './parse.js';
import type { PeerLookup } from './peers.js';
import { readLibrary, readSeries } from './sources.js';
import { MissingStore, type SeriesRecord } from './state.js';

export interface MissingDeps {
  /** Running instances by id; default: the instance context's `peers` (PEERS.md). */
  peers?: PeerLookup;
  now?: () => Date;
}

export interface CheckOutcome {
  checked: number;
  missing: number;
  series: Record<string, { missing_count: number; missing: number[]; error?: string }>;
  errors: Record<string, string>;
  /** What the auto-download sent (or would send with download.dry_run). */
  auto: unknown[];
}

/** A check of every series has at most this long (a large folder library or a slow Komga). */
const CHECK_TIMEOUT_MS = 15 * 60_000;

/**
 * The missing-volumes feature (instance `missing`, its own HA device): monitored series from the
 * config, from `libraries:` and from run-time `monitor` commands; scheduled and on-demand checks;
 * per-series topics and the summary. Search and download live in actions.ts.
 */
export class MissingInstance implements Instance, MissingCore {
  readonly type = 'missing';
  readonly id: string;
  readonly ctx: InstanceContext<MissingStates>;
  readonly cfg: MissingConfig;
  readonly peers: PeerLookup;
  readonly store: MissingStore;
  readonly actions: MissingActions;
  readonly #now: () => Date;
  /** Series found through `libraries:` at the last check. */
  #fromLibraries = new Map<string, SeriesDef>();
  #records: Record<string, SeriesRecord> = {};
  #lastCheck: string | null = null;
  /** The last check queued (checks run one after another). */
  #checking: Promise<CheckOutcome> | null = null;
  #checkingAll: Promise<CheckOutcome> | null = null;

  constructor(ctx: InstanceContext<MissingStates>, cfg: MissingConfig, deps: MissingDeps = {}) {
    this.ctx = ctx;
    this.id = ctx.id;
    this.cfg = cfg;
    this.peers = deps.peers ?? ctx.peers;
    this.#now = deps.now ?? (() => new Date());
    this.store = new MissingStore(ctx.storage);
    this.actions = new MissingActions(this);
  }

  device(): DeviceDef {
    return { instance: this.id, name: 'Missing volumes', manufacturer: 'media2mqtt', model: 'Missing volumes monitor', swVersion: VERSION, viaBridge: true, hasAvailability: true };
  }

  entities(): EntityDef<MissingStates>[] {
    return missingEntities(this.id, this.ctx.topics, this.series().map((s) => ({ id: s.id, title: s.title })));
  }

  async start(): Promise<void> {
    warmUp();
    this.#records = this.store.records;
    // Library series seen at the last check stay monitored until the next check says otherwise.
    for (const def of this.store.librarySeries) {
      if (this.cfg.libraries.some((l) => l.source === def.source && 'instance' in def && l.instance === def.instance)) this.#fromLibraries.set(def.id, def);
    }
    this.#lastCheck = Object.values(this.#records).reduce<string | null>((a, r) => (r.last_checked && (!a || r.last_checked > a) ? r.last_checked : a), null);
    // Topics exist at once after a restart: the last check's state, not nothing until the next one.
    for (const s of this.series()) if (this.#records[s.id]) this.#publishSeries(s.id);
    this.#publishSummary();
    this.actions.start();
    if (this.cfg.check_interval > 0) {
      this.ctx.scheduler.every('check', this.cfg.check_interval, (signal) => this.check(undefined, signal).then(() => undefined), { timeoutMs: CHECK_TIMEOUT_MS, jitter: 0.02 });
    }
  }

  async stop(): Promise<void> {
    await this.#checking?.catch(() => undefined);
  }

  /** Every monitored series: the config's (minus those unmonitored at run time), run-time ones, library ones. */
  series(): SeriesDef[] {
    const removed = new Set(this.store.removed);
    const out = new Map<string, SeriesDef>();
    for (const s of this.cfg.series) if (!removed.has(s.id)) out.set(s.id, s);
    for (const s of this.store.added) if (!removed.has(s.id)) out.set(s.id, s);
    for (const [id, s] of this.#fromLibraries) if (!out.has(id) && !removed.has(id)) out.set(id, s);
    return [...out.values()];
  }

  find(id: string): SeriesDef {
    const s = this.series().find((x) => x.id === id);
    if (!s) throw new CommandError('UNKNOWN_SERIES', `no monitored series "${id}"`);
    return s;
  }

  record(id: string): SeriesRecord | undefined {
    return this.#records[id];
  }

  /** One check at a time: a check of everything joins one of everything already under way. */
  check(ids: string[] | undefined, signal: AbortSignal, progress?: (percent: number, step: string) => void): Promise<CheckOutcome> {
    if (this.#checkingAll && !ids) return this.#checkingAll;
    const run = (this.#checking ?? Promise.resolve()).catch(() => undefined).then(() => this.#check(ids, signal, progress));
    const p = run.finally(() => {
      if (this.#checking === p) this.#checking = null;
      if (this.#checkingAll === p) this.#checkingAll = null;
    });
    this.#checking = p;
    if (!ids) this.#checkingAll = p;
    return p;
  }

  async #check(ids: string[] | undefined, signal: AbortSignal, progress?: (percent: number, step: string) => void): Promise<CheckOutcome> {
    const wanted = ids ? ids.map((id) => this.find(id)) : this.series().filter((s) => !this.#fromLibraries.has(s.id));
    const libraries = ids ? [] : this.cfg.libraries;
    const out: CheckOutcome = { checked: 0, missing: 0, series: {}, errors: {}, auto: [] };
    const steps = wanted.length + libraries.length || 1;
    let done = 0;
    const source = { peers: this.peers, maxDepth: this.cfg.max_depth, signal };
    for (const lib of libraries) {
      progress?.((done / steps) * 100, `library ${lib.instance}`);
      try {
        const found = await readLibrary(lib, source);
        const before = new Map([...this.#fromLibraries].filter(([, d]) => d.source === lib.source && 'instance' in d && d.instance === lib.instance));
        for (const k of before.keys()) this.#fromLibraries.delete(k);
        const removed = new Set(this.store.removed);
        // A series monitored by hand (same id, or the same upstream series) wins; an unmonitored one stays unmonitored.
        const own = [...this.cfg.series, ...this.store.added];
        const upstream = (d: SeriesDef) => ('series_id' in d ? `${d.source}/${d.instance}/${d.series_id}` : null);
        const taken = new Set(own.map(upstream).filter((k) => k !== null));
        for (const { def, gaps } of found) {
          if (own.some((s) => s.id === def.id) || taken.has(upstream(def)!) || removed.has(def.id)) continue;
          this.#fromLibraries.set(def.id, def);
          this.#update(def, gaps, null, out);
        }
        // A series the library no longer lists (complete now, or gone): its volumes were found, its topics go.
        for (const [id, def] of before) {
          if (this.#fromLibraries.has(id)) continue;
          const missing = this.#records[id]?.gaps?.missing ?? [];
          if (missing.length) this.emit('volume_found', { series: id, title: def.title, volumes: missing });
          this.forget(id);
        }
      } catch (err) {
        signal.throwIfAborted();
        out.errors[`library:${lib.instance}`] = this.#fail(`library ${lib.instance}`, err);
      }
      done++;
    }
    for (const def of wanted) {
      progress?.((done / steps) * 100, def.title);
      try {
        this.#update(def, await readSeries(def, source), null, out);
      } catch (err) {
        signal.throwIfAborted();
        this.#update(def, null, this.#fail(def.id, err), out);
      }
      done++;
    }
    this.#lastCheck = this.#now().toISOString();
    this.#publishSummary();
    this.ctx.entitiesChanged();
    await this.store.setRecords(this.#records);
    if (libraries.length) await this.store.setLibrarySeries([...this.#fromLibraries.values()]);
    if (this.cfg.download.auto) out.auto = await this.actions.autoDownload(Object.keys(out.series), signal);
    return out;
  }

  #fail(what: string, err: unknown): string {
    const msg = errorMessage(err);
    this.ctx.log.warn(`check of ${what} failed: ${msg}`);
    return msg;
  }

  /** Stores a series' new state (or its error, keeping the last good numbers), publishes it, emits changes. */
  #update(def: SeriesDef, gaps: Gaps | null, error: string | null, out: CheckOutcome): void {
    const before = this.#records[def.id];
    const now = this.#now().toISOString();
    this.#records[def.id] = { title: def.title, source: def.source, gaps: gaps ?? before?.gaps ?? null, last_checked: gaps ? now : (before?.last_checked ?? null), error };
    if (gaps && before?.gaps) {
      const was = new Set(before.gaps.missing);
      const is = new Set(gaps.missing);
      const found = before.gaps.missing.filter((v) => !is.has(v));
      const lost = gaps.missing.filter((v) => !was.has(v));
      if (lost.length) this.emit('volume_missing', { series: def.id, title: def.title, volumes: lost });
      if (found.length) this.emit('volume_found', { series: def.id, title: def.title, volumes: found });
    }
    this.#publishSeries(def.id);
    if (error) out.errors[def.id] = error;
    const g = this.#records[def.id]!.gaps;
    out.checked++;
    out.missing += g?.missing_count ?? 0;
    out.series[def.id] = { missing_count: g?.missing_count ?? 0, missing: g?.missing ?? [], ...(error ? { error } : {}) };
  }

  /** `<base>/missing/<id>` exactly as issue 10 shows it (plus `error` while the source fails). */
  #publishSeries(id: string): void {
    const r = this.#records[id];
    if (!r) return;
    const g = r.gaps;
    this.ctx.publishState(MissingState.series(id), {
      title: r.title,
      source: r.source,
      present: g?.present ?? [],
      missing: g?.missing ?? [],
      total: g?.total ?? null,
      missing_count: g?.missing_count ?? 0,
      next_expected: g?.next_expected ?? 1,
      last_checked: r.last_checked,
      ...(r.error ? { error: r.error } : {}),
    });
    this.actions.publishResults(id);
  }

  /** The HA attributes' source: missing numbers (bounded), the best result, the last error. */
  attributesOf(id: string): { missing: number[]; error: string | null } {
    const r = this.#records[id];
    return { missing: (r?.gaps?.missing ?? []).slice(0, ATTRIBUTE_MISSING_MAX), error: r?.error ?? null };
  }

  #publishSummary(): void {
    const list = this.series();
    const missing = list.reduce((n, s) => n + (this.#records[s.id]?.gaps?.missing_count ?? 0), 0);
    this.ctx.publishState(MissingState.summary, { series: list.length, missing, last_check: this.#lastCheck });
  }

  /** Forget a series' topics (unmonitor). */
  forget(id: string): void {
    delete this.#records[id];
    this.ctx.clearState(MissingState.series(id));
    this.ctx.clearState(MissingState.results(id));
    this.#publishSummary();
    this.ctx.entitiesChanged();
    void this.store.setRecords(this.#records);
  }

  /** After monitor/unmonitor. */
  changed(): void {
    this.#publishSummary();
    this.ctx.entitiesChanged();
  }

  /** An HA event on `<base>/missing/event`, never retained: an event entity must not replay it. */
  emit<T extends MissingEvent>(type: T, data: MissingEventData[T]): void {
    const payload: MissingEventPayload<T> = { event_type: type, ...data, at: this.#now().toISOString() };
    this.ctx.log.info(`${type}: ${JSON.stringify(data).slice(0, 300)}`);
    this.ctx.publishEvent(MissingState.event, payload);
  }
}
