import { createHash } from 'node:crypto';
import { demoTorrents, ETA_INFINITE, GIB, hashOf, MIB, newTorrent, SIM_CATEGORIES, stoppedState, type Major, type SimEntry, type SimTorrent } from './sim-data.js';
import type { Snapshot } from './sim-sync.js';

/** The global transfer state the simulator keeps (the `server_state` / `/transfer/info` fields). */
export interface SimServerState {
  dl_info_speed: number;
  dl_info_data: number;
  up_info_speed: number;
  up_info_data: number;
  dl_rate_limit: number;
  up_rate_limit: number;
  dht_nodes: number;
  connection_status: 'connected' | 'firewalled' | 'disconnected';
  queueing: boolean;
  use_alt_speed_limits: boolean;
  refresh_interval: number;
  free_space_on_disk: number;
}

const NORMAL_LIMITS = { dl: 0, up: 5 * MIB };
const ALT_LIMITS = { dl: 10 * MIB, up: 1 * MIB };
/** Queueing: at most this many torrents download at once; the others wait as queuedDL. */
const MAX_ACTIVE_DOWNLOADS = 2;

const DOWNLOADING = new Set(['downloading', 'forcedDL', 'metaDL', 'forcedMetaDL', 'stalledDL']);
const STOPPED = new Set(['pausedDL', 'pausedUP', 'stoppedDL', 'stoppedUP']);
const COMPLETE_STATES = new Set(['uploading', 'stalledUP', 'checkingUP', 'pausedUP', 'stoppedUP', 'queuedUP', 'forcedUP']);

/**
 * The simulated qBittorrent's world: torrents that download, finish and seed on tick(), the
 * actions of the API (stop/start, add, alternative speed), and the `torrents/info` filters.
 */
export class SimWorld {
  readonly major: Major;
  readonly tickSeconds: number;
  #entries = new Map<string, SimEntry>();
  /** Hashes removed with `deleteFiles=true` (their data is gone). */
  readonly deletedFiles: string[] = [];
  #ticks = 0;
  #now: () => number;
  server: SimServerState;

  constructor(major: Major, tickSeconds: number, now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.major = major;
    this.tickSeconds = tickSeconds;
    this.#now = now;
    for (const e of demoTorrents(major, now())) this.#entries.set(e.t.hash, e);
    this.server = {
      dl_info_speed: 0,
      dl_info_data: Math.round(48.2 * GIB),
      up_info_speed: 0,
      up_info_data: Math.round(12.7 * GIB),
      dl_rate_limit: NORMAL_LIMITS.dl,
      up_rate_limit: NORMAL_LIMITS.up,
      dht_nodes: 412,
      connection_status: 'connected',
      queueing: true,
      use_alt_speed_limits: false,
      refresh_interval: 1500,
      free_space_on_disk: 1_837_000_000_000,
    };
    this.#settle();
  }

  get torrents(): SimTorrent[] {
    return [...this.#entries.values()].map((e) => e.t);
  }

  torrent(hash: string): SimTorrent | undefined {
    return this.#entries.get(hash)?.t;
  }

  /** A torrent as the API shows it (`isPrivate` exists since 5.0). */
  view(hash: string): Record<string, unknown> | undefined {
    const e = this.#entries.get(hash);
    if (!e) return undefined;
    return this.major >= 5 ? { ...e.t, isPrivate: e.isPrivate } : { ...e.t };
  }

  views(): Record<string, unknown>[] {
    return [...this.#entries.keys()].map((h) => this.view(h)!);
  }

  /** Copies of everything `/sync/maindata` reports, for the rid bookkeeping. */
  snapshot(): Snapshot {
    const torrents = new Map<string, Record<string, unknown>>();
    for (const h of this.#entries.keys()) {
      const { hash: _hash, ...rest } = this.view(h)!;
      torrents.set(h, rest);
    }
    return { torrents, server: { ...this.server }, categories: structuredClone(SIM_CATEGORIES), tags: [] };
  }

  /** `/transfer/info`: the documented fields only (the extras belong to partial data). */
  transferInfo(): Record<string, unknown> {
    const s = this.server;
    return {
      dl_info_speed: s.dl_info_speed,
      dl_info_data: s.dl_info_data,
      up_info_speed: s.up_info_speed,
      up_info_data: s.up_info_data,
      dl_rate_limit: s.dl_rate_limit,
      up_rate_limit: s.up_rate_limit,
      dht_nodes: s.dht_nodes,
      connection_status: s.connection_status,
    };
  }

  /** One step of `tickSeconds`: checks end, downloads progress and finish, queued ones start, seeds upload. */
  tick(): void {
    this.#ticks++;
    const dt = this.tickSeconds;
    const now = this.#now();
    let downloaded = 0;
    let uploaded = 0;
    for (const e of this.#entries.values()) {
      const t = e.t;
      // A finished check or fetched metadata joins the download queue.
      if (t.state === 'checkingDL' || t.state === 'metaDL') t.state = 'queuedDL';
      if (DOWNLOADING.has(t.state) && t.dlspeed > 0) {
        const got = Math.min(t.amount_left, t.dlspeed * dt);
        downloaded += got;
        t.completed += got;
        t.downloaded += got;
        t.downloaded_session += got;
        t.amount_left -= got;
        t.progress = t.amount_left <= 0 ? 1 : Math.floor((t.completed / t.size) * 1e6) / 1e6;
        t.last_activity = now;
        if (t.amount_left <= 0) this.#finish(e, now);
      }
      if (t.upspeed > 0) {
        const sent = t.upspeed * dt;
        uploaded += sent;
        t.uploaded += sent;
        t.uploaded_session += sent;
        t.ratio = Math.round((t.uploaded / Math.max(1, t.downloaded)) * 1000) / 1000;
        t.last_activity = now;
      }
      if (!STOPPED.has(t.state) && t.state !== 'missingFiles' && t.state !== 'error') {
        t.time_active += dt;
        if (COMPLETE_STATES.has(t.state)) t.seeding_time += dt;
      }
    }
    this.server.dl_info_data += downloaded;
    this.server.up_info_data += uploaded;
    this.server.free_space_on_disk = Math.max(0, this.server.free_space_on_disk - downloaded);
    this.server.dht_nodes = 400 + ((this.#ticks * 7) % 30);
    this.#settle();
  }

  /** `torrents/pause` (4.x) / `torrents/stop` (5.x). */
  stop(hashes: string): void {
    for (const e of this.#select(hashes)) {
      const t = e.t;
      if (t.state === 'missingFiles' || t.state === 'error' || STOPPED.has(t.state)) continue;
      t.state = stoppedState(this.major, t.progress >= 1);
    }
    this.#settle();
  }

  /** `torrents/resume` (4.x) / `torrents/start` (5.x). */
  start(hashes: string): void {
    for (const e of this.#select(hashes)) {
      const t = e.t;
      if (!STOPPED.has(t.state)) continue;
      t.state = t.progress >= 1 ? (e.upBase > 0 ? 'uploading' : 'stalledUP') : 'queuedDL';
    }
    this.#settle();
  }

  toggleAltSpeed(): void {
    const on = !this.server.use_alt_speed_limits;
    this.server.use_alt_speed_limits = on;
    const limits = on ? ALT_LIMITS : NORMAL_LIMITS;
    this.server.dl_rate_limit = limits.dl;
    this.server.up_rate_limit = limits.up;
    this.#settle();
  }

  /** `torrents/add` with `urls`; returns how many were new. */
  add(urls: string[], options: AddOptions): number {
    let added = 0;
    for (const url of urls) if (this.#addOne(describeUrl(url), url.startsWith('magnet:'), options)) added++;
    this.#settle();
    return added;
  }

  /** `torrents/add` with `torrents` file parts; returns how many were new. */
  addFiles(files: Buffer[], options: AddOptions): number {
    let added = 0;
    for (const data of files) if (this.#addOne(describeTorrentFile(data), false, options)) added++;
    this.#settle();
    return added;
  }

  /** `torrents/delete`; the hashes whose data was deleted with them are kept in `deletedFiles`. */
  remove(hashes: string, deleteFiles: boolean): void {
    for (const e of this.#select(hashes)) {
      this.#entries.delete(e.t.hash);
      if (deleteFiles) this.deletedFiles.push(e.t.hash);
    }
    this.#settle();
  }

  #addOne({ hash, name }: { hash: string; name: string }, magnet: boolean, options: AddOptions): boolean {
    if (this.#entries.has(hash)) return false;
    const state = options.stopped ? stoppedState(this.major, false) : magnet ? 'metaDL' : 'queuedDL';
    const t = newTorrent({ name, hash, category: options.category ?? '', size: Math.round(1.4 * GIB), progress: 0, state, addedOn: this.#now(), ...(options.savepath ? { savePath: options.savepath } : {}) });
    if (options.tags) t.tags = options.tags;
    this.#entries.set(hash, { t, dlBase: Math.round(5 * MIB), upBase: 100_000, isPrivate: false });
    return true;
  }


  #select(hashes: string): SimEntry[] {
    if (hashes.trim() === 'all') return [...this.#entries.values()];
    return hashes
      .split('|')
      .map((h) => this.#entries.get(h.trim().toLowerCase()))
      .filter((e): e is SimEntry => e !== undefined);
  }

  #finish(e: SimEntry, now: number): void {
    const t = e.t;
    t.progress = 1;
    t.amount_left = 0;
    t.completed = t.size;
    t.completion_on = now;
    t.seen_complete = now;
    t.priority = 0;
    t.availability = -1;
    t.state = e.upBase > 0 ? 'uploading' : 'stalledUP';
  }

  /** Derived fields: queue slots, per-torrent speeds and ETA, the global rates. */
  #settle(): void {
    const running = () => [...this.#entries.values()].filter((e) => ['downloading', 'forcedDL', 'metaDL'].includes(e.t.state)).length;
    for (const e of this.#entries.values()) {
      if (e.t.state === 'queuedDL' && (!this.server.queueing || running() < MAX_ACTIVE_DOWNLOADS)) e.t.state = 'downloading';
    }
    const wobble = 0.85 + ((this.#ticks * 3) % 7) * 0.05; // deterministic ±15 %
    let dl = 0;
    let up = 0;
    for (const e of this.#entries.values()) {
      const t = e.t;
      t.dlspeed = t.state === 'downloading' || t.state === 'forcedDL' ? Math.round(e.dlBase * wobble) : 0;
      t.upspeed = t.state === 'uploading' || t.state === 'forcedUP' || t.state === 'downloading' ? Math.round(e.upBase * wobble) : 0;
      t.eta = t.progress >= 1 ? ETA_INFINITE : t.dlspeed > 0 ? Math.ceil(t.amount_left / t.dlspeed) : ETA_INFINITE;
      dl += t.dlspeed;
      up += t.upspeed;
    }
    this.server.dl_info_speed = dl;
    this.server.up_info_speed = up;
  }
}

/** Hash and display name of a magnet link or a .torrent URL. */
export interface AddOptions {
  category?: string;
  savepath?: string;
  stopped?: boolean;
  tags?: string;
}

/**
 * Hash and name of a .torrent file. The sim hashes the whole file, not the bencoded info
 * dictionary as BitTorrent does: stable per file, which is all the simulated world needs.
 */
export function describeTorrentFile(data: Buffer): { hash: string; name: string } {
  const m = /4:name(\d{1,4}):/.exec(data.toString('latin1'));
  const at = m ? m.index + m[0].length : -1;
  const name = m ? data.subarray(at, at + Number(m[1])).toString('utf8') : 'torrent';
  return { hash: createHash('sha1').update(data).digest('hex'), name };
}

export function describeUrl(url: string): { hash: string; name: string } {
  if (url.startsWith('magnet:')) {
    const q = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    const xt = q.get('xt') ?? '';
    const m = /urn:btih:([0-9a-fA-F]{40})/.exec(xt);
    const hash = m ? m[1]!.toLowerCase() : hashOf(url);
    return { hash, name: q.get('dn') ?? hash };
  }
  const last = decodeURIComponent(url.split(/[?#]/)[0]!.split('/').pop() ?? '') || url;
  return { hash: hashOf(url), name: last.replace(/\.torrent$/i, '') };
}

/** `torrents/info?filter=`: the documented filters of each version (unknown ones mean all). */
export function matchesFilter(t: SimTorrent, filter: string, major: Major): boolean {
  const stopped = STOPPED.has(t.state);
  const complete = COMPLETE_STATES.has(t.state);
  const active = t.dlspeed > 0 || t.upspeed > 0;
  switch (filter) {
    case 'downloading':
      return !complete && !['error', 'missingFiles', 'moving', 'unknown'].includes(t.state);
    case 'seeding':
      return complete && !stopped;
    case 'completed':
      return complete;
    case 'stopped':
      return major >= 5 ? stopped : true;
    case 'paused':
      return major < 5 ? stopped : true;
    case 'running':
      return major >= 5 ? !stopped : true;
    case 'resumed':
      return major < 5 ? !stopped : true;
    case 'active':
      return active;
    case 'inactive':
      return !active;
    case 'stalled':
      return t.state === 'stalledUP' || t.state === 'stalledDL';
    case 'stalled_uploading':
      return t.state === 'stalledUP';
    case 'stalled_downloading':
      return t.state === 'stalledDL';
    case 'errored':
      return t.state === 'error' || t.state === 'missingFiles';
    default:
      return true;
  }
}
