import { randomBytes, randomUUID } from 'node:crypto';
import { DEMO_CYCLE, epoch, min, PLAYBACK_PER_TICK_MS, SCAN_STEP, seedDemo, type IncomingFile, type ItemType, type PlexItem, type PlexScanSim, type PlexSectionSim, type PlexSessionSim, type SeedWorld, type SessionStart, type WorldChange } from './sim-data.js';
import { activityView, metadataView, sectionView, sessionView, type ViewWorld } from './sim-views.js';

export { DEMO_CYCLE, PLAYBACK_PER_TICK_MS, SCAN_STEP, SEARCH_TYPES } from './sim-data.js';
export type { Decision, ItemType, PlexItem, PlexScanSim, PlexSectionSim, PlexSessionSim, WorldChange } from './sim-data.js';

/**
 * The simulated Plex Media Server's world: three library sections (movies, TV, music), playback
 * sessions that advance and end, section scans that run for a few ticks and find new files, and
 * an update PMS knows of. The shapes and the demo library are in sim-data.ts, the JSON renderings
 * in sim-views.ts (the methods below pass through, so callers keep one object to ask). Neither
 * imports this file: the seed and the views take the narrow SeedWorld and ViewWorld they declare,
 * which this class implements.
 */

export class PlexWorld implements SeedWorld, ViewWorld {
  readonly machineIdentifier = randomBytes(20).toString('hex');
  readonly friendlyName: string;
  readonly version = '1.41.3.9314-a0bfb8370';
  readonly sections: PlexSectionSim[] = [];
  readonly items: PlexItem[] = [];
  readonly sessions: PlexSessionSim[] = [];
  readonly scans: PlexScanSim[] = [];
  /** What a scan of a section finds, one item per completed scan. */
  readonly incoming: IncomingFile[] = [];
  updateVersion: string | null = '1.41.4.9463-630c9f557';
  #nextKey = 1000;
  #nextSession = 1;
  #demoTicks = 0;
  /** Change listeners (the simulator's sockets); none while the seed data is built. */
  readonly listeners = new Set<(change: WorldChange) => void>();

  constructor(friendlyName = 'Plex Demo', now = Date.now()) {
    this.friendlyName = friendlyName;
    seedDemo(this, now);
  }

  // ---- library -------------------------------------------------------------------------------

  section(key: string): PlexSectionSim | undefined {
    return this.sections.find((s) => s.key === key);
  }

  item(ratingKey: string | undefined): PlexItem | undefined {
    return ratingKey === undefined ? undefined : this.items.find((i) => i.ratingKey === ratingKey);
  }

  #add(item: Omit<PlexItem, 'ratingKey' | 'addedAt'> & { addedAt?: number }): PlexItem {
    const full: PlexItem = { ratingKey: String(this.#nextKey++), addedAt: epoch(Date.now()), ...item };
    this.items.push(full);
    // PMS reports a new item as created (0), then processed (5) once its metadata is in.
    this.#changed({ kind: 'timeline', item: full, state: 0 });
    this.#changed({ kind: 'timeline', item: full, state: 5 });
    return full;
  }

  #changed(change: WorldChange): void {
    for (const l of this.listeners) l(change);
  }

  addMovie(title: string, year: number, minutes: number, addedAt?: number): PlexItem {
    return this.#add({ sectionKey: '1', type: 'movie', title, year, duration: min(minutes), ...(addedAt ? { addedAt } : {}) });
  }

  /** An episode, creating its show and season when new. */
  addEpisode(show: string, season: number, index: number, title: string, minutes: number, addedAt?: number): PlexItem {
    const at = addedAt ? { addedAt } : {};
    const s = this.items.find((i) => i.type === 'show' && i.title === show) ?? this.#add({ sectionKey: '2', type: 'show', title: show, ...at });
    const se =
      this.items.find((i) => i.type === 'season' && i.parentRatingKey === s.ratingKey && i.index === season) ??
      this.#add({ sectionKey: '2', type: 'season', title: `Season ${season}`, index: season, parentRatingKey: s.ratingKey, ...at });
    return this.#add({ sectionKey: '2', type: 'episode', title, index, duration: min(minutes), parentRatingKey: se.ratingKey, ...at });
  }

  /** A track, creating its artist and album when new. */
  addTrack(artist: string, album: string, year: number, index: number, title: string, minutes: number, addedAt?: number): PlexItem {
    const at = addedAt ? { addedAt } : {};
    const a = this.items.find((i) => i.type === 'artist' && i.title === artist) ?? this.#add({ sectionKey: '3', type: 'artist', title: artist, ...at });
    const al =
      this.items.find((i) => i.type === 'album' && i.parentRatingKey === a.ratingKey && i.title === album) ??
      this.#add({ sectionKey: '3', type: 'album', title: album, year, parentRatingKey: a.ratingKey, ...at });
    return this.#add({ sectionKey: '3', type: 'track', title, index, year, duration: min(minutes), parentRatingKey: al.ratingKey, ...at });
  }

  /** Items of one search type in one section, newest first. */
  list(sectionKey: string, type: ItemType): PlexItem[] {
    return this.items.filter((i) => i.sectionKey === sectionKey && i.type === type).sort((a, b) => b.addedAt - a.addedAt || Number(b.ratingKey) - Number(a.ratingKey));
  }

  /** The totals media2mqtt should publish. */
  counts(): Record<'movies' | 'series' | 'episodes' | 'artists' | 'albums' | 'songs', number> {
    const n = (t: ItemType) => this.items.filter((i) => i.type === t).length;
    return { movies: n('movie'), series: n('show'), episodes: n('episode'), artists: n('artist'), albums: n('album'), songs: n('track') };
  }

  /**
   * `/library/recentlyAdded`: movies, and the seasons and albums that got new episodes or tracks
   * (PMS groups them), newest first.
   */
  recentlyAdded(): PlexItem[] {
    const out: PlexItem[] = [];
    for (const i of this.items) {
      if (i.type === 'movie') out.push(i);
      if (i.type === 'season' || i.type === 'album') {
        const children = this.items.filter((c) => c.parentRatingKey === i.ratingKey);
        if (children.length) out.push({ ...i, addedAt: Math.max(...children.map((c) => c.addedAt)) });
      }
    }
    return out.sort((a, b) => b.addedAt - a.addedAt || Number(b.ratingKey) - Number(a.ratingKey));
  }

  // ---- sessions ------------------------------------------------------------------------------

  startSession(s: SessionStart): PlexSessionSim {
    const item = this.items.find((i) => i.title === s.itemTitle && ['movie', 'episode', 'track'].includes(i.type));
    if (!item) throw new Error(`no playable item titled ${s.itemTitle}`);
    const n = this.#nextSession++;
    const session: PlexSessionSim = {
      id: randomBytes(12).toString('hex'),
      sessionKey: String(n),
      user: { id: String(n), title: s.user },
      player: { title: s.player, product: s.product, platform: s.platform ?? 'Linux', machineIdentifier: randomBytes(10).toString('hex'), address: `192.168.1.${40 + n}`, local: s.local ?? true },
      ratingKey: item.ratingKey,
      viewOffset: 0,
      state: s.state ?? 'playing',
      decision: s.decision ?? 'directplay',
      bandwidth: s.bandwidth ?? (item.type === 'track' ? 320 : s.decision === 'transcode' ? 4000 : 12_000),
    };
    this.sessions.push(session);
    this.#changed({ kind: 'playing', session, state: session.state });
    return session;
  }

  stopSession(user: string): void {
    for (let i = this.sessions.length - 1; i >= 0; i--) {
      const s = this.sessions[i]!;
      if (s.user.title !== user) continue;
      this.sessions.splice(i, 1);
      this.#changed({ kind: 'playing', session: s, state: 'stopped' });
    }
  }

  setState(user: string, state: PlexSessionSim['state']): void {
    for (const s of this.sessions) {
      if (s.user.title !== user) continue;
      s.state = state;
      this.#changed({ kind: 'playing', session: s, state });
    }
  }

  /** The next episode of the show or track of the album, by (season, index). */
  #next(item: PlexItem): PlexItem | undefined {
    if (item.type !== 'episode' && item.type !== 'track') return undefined;
    const parent = this.item(item.parentRatingKey);
    const siblings = this.items.filter((i) => i.type === item.type && this.item(i.parentRatingKey)?.parentRatingKey === parent?.parentRatingKey);
    const order = (i: PlexItem) => (this.item(i.parentRatingKey)?.index ?? 0) * 1000 + (i.index ?? 0);
    return siblings.filter((i) => order(i) > order(item)).sort((a, b) => order(a) - order(b))[0];
  }

  // ---- scans ---------------------------------------------------------------------------------

  /** POST /library/sections/{id}/refresh; a section already scanning keeps its scan. */
  startScan(sectionKey: string): boolean {
    if (!this.section(sectionKey)) return false;
    if (!this.scans.some((s) => s.sectionKey === sectionKey)) {
      const scan = { uuid: randomUUID(), sectionKey, progress: 0 };
      this.scans.push(scan);
      this.#changed({ kind: 'activity', event: 'started', scan });
    }
    return true;
  }

  // ---- time ----------------------------------------------------------------------------------

  /**
   * `media2mqtt demo` only (tests drive sessions themselves): a fourth user comes and goes, and
   * alice pauses and resumes, so every playback event shows within a minute of ticks. One cycle
   * of DEMO_CYCLE ticks: erin starts a transcode, alice pauses, alice resumes, erin pauses,
   * erin stops.
   */
  demoStep(): void {
    this.#demoTicks++;
    switch (this.#demoTicks % DEMO_CYCLE) {
      case 1:
        this.startSession({ user: 'erin', player: 'iPhone', product: 'Plex for iOS', platform: 'iOS', itemTitle: 'The Matrix', decision: 'transcode', local: false });
        break;
      case 3:
        this.setState('alice', 'paused');
        break;
      case 5:
        this.setState('alice', 'playing');
        break;
      case 7:
        this.setState('erin', 'paused');
        break;
      case 9:
        this.stopSession('erin');
        break;
    }
  }

  tick(): void {
    for (let i = this.sessions.length - 1; i >= 0; i--) {
      const s = this.sessions[i]!;
      if (s.state !== 'playing') continue;
      s.viewOffset += PLAYBACK_PER_TICK_MS;
      const item = this.item(s.ratingKey);
      if (!item?.duration || s.viewOffset < item.duration) continue;
      // Finished: an episode or track rolls on to the next one (autoplay), a movie ends the session.
      const next = this.#next(item);
      if (next) {
        s.ratingKey = next.ratingKey;
        s.viewOffset = 0;
      } else {
        this.sessions.splice(i, 1);
        this.#changed({ kind: 'playing', session: s, state: 'stopped' });
      }
    }
    // Progress reports of the sessions still playing (clients send one every ~10 s).
    for (const s of this.sessions) if (s.state === 'playing') this.#changed({ kind: 'playing', session: s, state: s.state });
    for (let i = this.scans.length - 1; i >= 0; i--) {
      const scan = this.scans[i]!;
      scan.progress = Math.min(100, scan.progress + SCAN_STEP);
      if (scan.progress < 100) {
        this.#changed({ kind: 'activity', event: 'updated', scan });
        continue;
      }
      this.scans.splice(i, 1);
      const section = this.section(scan.sectionKey);
      if (section) section.scannedAt = epoch(Date.now());
      const found = this.incoming.findIndex((x) => x.sectionKey === scan.sectionKey);
      if (found >= 0) this.incoming.splice(found, 1)[0]!.add(this);
      this.#changed({ kind: 'activity', event: 'ended', scan });
    }
  }

  // ---- rendering (sim-views.ts) --------------------------------------------------------------

  metadata(i: PlexItem): Record<string, unknown> {
    return metadataView(this, i);
  }

  sessionMetadata(s: PlexSessionSim): Record<string, unknown> {
    return sessionView(this, s);
  }

  sectionDirectory(s: PlexSectionSim): Record<string, unknown> {
    return sectionView(this, s);
  }

  activity(scan: PlexScanSim): Record<string, unknown> {
    return activityView(this, scan);
  }
}
