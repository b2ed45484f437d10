import { randomBytes, randomUUID } from 'node:crypto';

/**
 * The simulated Plex Media Server's world: three library sections (movies, TV, music) with the
 * show → season → episode and artist → album → track hierarchy, playback sessions that advance
 * and end, section scans that run for a few ticks and find new files, and an update PMS knows
 * of. Answers are rendered with the community spec's field names (everything inside
 * `MediaContainer`, epoch seconds for dates, milliseconds for durations).
 */

export type ItemType = 'movie' | 'show' | 'season' | 'episode' | 'artist' | 'album' | 'track';

export interface PlexItem {
  ratingKey: string;
  sectionKey: string;
  type: ItemType;
  title: string;
  addedAt: number;
  year?: number;
  index?: number;
  /** ms */
  duration?: number;
  parentRatingKey?: string;
}

export interface PlexSectionSim {
  key: string;
  title: string;
  type: 'movie' | 'show' | 'artist';
  uuid: string;
  agent: string;
  scanner: string;
  path: string;
  createdAt: number;
  scannedAt: number;
}

export type Decision = 'directplay' | 'copy' | 'transcode';

export interface PlexSessionSim {
  id: string;
  sessionKey: string;
  user: { id: string; title: string };
  player: { title: string; product: string; platform: string; machineIdentifier: string; address: string; local: boolean };
  ratingKey: string;
  viewOffset: number;
  state: 'playing' | 'paused' | 'buffering';
  decision: Decision;
  bandwidth: number;
}

export interface PlexScanSim {
  uuid: string;
  sectionKey: string;
  progress: number;
}

/** What changed, for the simulator's notification WebSocket (PMS's own events). */
export type WorldChange =
  | { kind: 'playing'; session: PlexSessionSim; state: PlexSessionSim['state'] | 'stopped' }
  | { kind: 'activity'; event: 'started' | 'updated' | 'ended'; scan: PlexScanSim }
  | { kind: 'timeline'; item: PlexItem; state: number };

/** Simulated playback per tick (ms). */
export const PLAYBACK_PER_TICK_MS = 60_000;
export const SCAN_STEP = 25;
/** Ticks in one cycle of the demo's playback script (demoStep). */
export const DEMO_CYCLE = 12;

/** PMS search types (python-plexapi utils.SEARCHTYPES). */
export const SEARCH_TYPES: Record<ItemType, number> = { movie: 1, show: 2, season: 3, episode: 4, artist: 8, album: 9, track: 10 };

const min = (m: number) => m * 60_000;
const epoch = (ms: number) => Math.floor(ms / 1000);

export class PlexWorld {
  readonly machineIdentifier = randomBytes(20).toString('hex');
  readonly friendlyName: string;
  readonly version = '1.41.3.9314-a0bfb8370';
  readonly sections: PlexSectionSim[] = [];
  readonly items: PlexItem[] = [];
  readonly sessions: PlexSessionSim[] = [];
  readonly scans: PlexScanSim[] = [];
  /** What a scan of a section finds, one item per completed scan. */
  readonly incoming: { sectionKey: string; add: (w: PlexWorld) => void }[] = [];
  updateVersion: string | null = '1.41.4.9463-630c9f557';
  #nextKey = 1000;
  #nextSession = 1;
  #demoTicks = 0;
  /** Change listeners (the simulator's sockets); none while the seed data is built. */
  readonly listeners = new Set<(change: WorldChange) => void>();

  constructor(friendlyName = 'Plex Demo', now = Date.now()) {
    this.friendlyName = friendlyName;
    this.#seed(now);
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

  startSession(s: { user: string; player: string; product: string; platform?: string; itemTitle: string; decision?: Decision; state?: PlexSessionSim['state']; bandwidth?: number; local?: boolean }): PlexSessionSim {
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

  // ---- rendering -----------------------------------------------------------------------------

  metadata(i: PlexItem): Record<string, unknown> {
    const parent = this.item(i.parentRatingKey);
    const grandparent = this.item(parent?.parentRatingKey);
    const section = this.section(i.sectionKey);
    const folder = i.type === 'show' || i.type === 'season' || i.type === 'artist' || i.type === 'album';
    const children = folder ? this.items.filter((c) => c.parentRatingKey === i.ratingKey) : [];
    const leaves = i.type === 'show' ? this.items.filter((e) => e.type === 'episode' && this.item(e.parentRatingKey)?.parentRatingKey === i.ratingKey).length : children.length;
    const m: Record<string, unknown> = {
      ratingKey: i.ratingKey,
      key: `/library/metadata/${i.ratingKey}${folder ? '/children' : ''}`,
      guid: `plex://${i.type}/${i.ratingKey.padStart(24, '0')}`,
      type: i.type,
      title: i.title,
      librarySectionID: Number(i.sectionKey),
      librarySectionTitle: section?.title,
      librarySectionKey: `/library/sections/${i.sectionKey}`,
      addedAt: i.addedAt,
      updatedAt: i.addedAt,
      thumb: `/library/metadata/${i.ratingKey}/thumb/${i.addedAt}`,
    };
    if (i.year !== undefined) m.year = i.year;
    if (i.index !== undefined) m.index = i.index;
    if (i.duration !== undefined) m.duration = i.duration;
    if (folder) {
      m.leafCount = leaves;
      m.childCount = children.length;
    }
    if (parent) {
      m.parentRatingKey = parent.ratingKey;
      m.parentKey = `/library/metadata/${parent.ratingKey}`;
      m.parentTitle = parent.title;
      if (parent.index !== undefined) m.parentIndex = parent.index;
    }
    if (grandparent) {
      m.grandparentRatingKey = grandparent.ratingKey;
      m.grandparentKey = `/library/metadata/${grandparent.ratingKey}`;
      m.grandparentTitle = grandparent.title;
    }
    if (i.type === 'movie' || i.type === 'episode' || i.type === 'track') {
      const video = i.type !== 'track';
      m.Media = [
        {
          id: Number(i.ratingKey) * 10,
          duration: i.duration,
          bitrate: video ? 10_500 : 320,
          container: video ? 'mkv' : 'flac',
          ...(video ? { videoCodec: 'hevc', videoResolution: '1080', width: 1920, height: 1080, audioCodec: 'eac3', audioChannels: 6 } : { audioCodec: 'flac', audioChannels: 2 }),
          Part: [{ id: Number(i.ratingKey) * 10 + 1, key: `/library/parts/${Number(i.ratingKey) * 10 + 1}/${i.addedAt}/file.${video ? 'mkv' : 'flac'}`, duration: i.duration, container: video ? 'mkv' : 'flac', size: video ? 4_200_000_000 : 32_000_000 }],
        },
      ];
    }
    return m;
  }

  sessionMetadata(s: PlexSessionSim): Record<string, unknown> {
    const item = this.item(s.ratingKey)!;
    const m = this.metadata(item);
    const media = (m.Media as Record<string, any>[] | undefined)?.[0];
    if (media) {
      media.selected = true;
      media.Part[0].decision = s.decision === 'transcode' ? 'transcode' : s.decision === 'copy' ? 'transcode' : 'directplay';
      media.Part[0].selected = true;
    }
    m.sessionKey = s.sessionKey;
    m.viewOffset = s.viewOffset;
    m.User = { id: s.user.id, title: s.user.title, thumb: `https://plex.tv/users/${s.user.id}/avatar` };
    m.Player = {
      title: s.player.title,
      address: s.player.address,
      local: s.player.local,
      machineIdentifier: s.player.machineIdentifier,
      platform: s.player.platform,
      product: s.player.product,
      relayed: false,
      secure: true,
      state: s.state,
      userID: Number(s.user.id),
      version: '4.145.1',
    };
    m.Session = { id: s.id, bandwidth: s.bandwidth, location: s.player.local ? 'lan' : 'wan' };
    if (s.decision !== 'directplay') {
      const video = item.type !== 'track';
      m.TranscodeSession = {
        key: `/transcode/sessions/${s.id}`,
        throttled: false,
        complete: false,
        progress: 12.5,
        size: -22,
        speed: 3.4,
        error: false,
        duration: item.duration,
        context: 'streaming',
        sourceVideoCodec: video ? 'hevc' : undefined,
        sourceAudioCodec: video ? 'eac3' : 'flac',
        videoDecision: video ? s.decision : undefined,
        audioDecision: s.decision === 'transcode' ? 'transcode' : 'copy',
        protocol: 'dash',
        transcodeHwRequested: true,
        transcodeHwFullPipeline: false,
      };
      for (const k of Object.keys(m.TranscodeSession as object)) if ((m.TranscodeSession as Record<string, unknown>)[k] === undefined) delete (m.TranscodeSession as Record<string, unknown>)[k];
    }
    return m;
  }

  sectionDirectory(s: PlexSectionSim): Record<string, unknown> {
    return {
      allowSync: true,
      art: `/:/resources/${s.type}-fanart.jpg`,
      composite: `/library/sections/${s.key}/composite/${s.scannedAt}`,
      filters: true,
      refreshing: this.scans.some((x) => x.sectionKey === s.key),
      thumb: `/:/resources/${s.type}.png`,
      key: s.key,
      type: s.type,
      title: s.title,
      agent: s.agent,
      scanner: s.scanner,
      language: 'en-US',
      uuid: s.uuid,
      updatedAt: s.scannedAt,
      createdAt: s.createdAt,
      scannedAt: s.scannedAt,
      content: true,
      directory: true,
      contentChangedAt: s.scannedAt,
      hidden: false,
      Location: [{ id: Number(s.key), path: s.path }],
    };
  }

  activity(scan: PlexScanSim): Record<string, unknown> {
    const section = this.section(scan.sectionKey);
    return {
      uuid: scan.uuid,
      type: 'library.update.section',
      cancellable: true,
      userID: 1,
      title: `Scanning ${section?.title ?? 'library'}`,
      subtitle: scan.progress < 50 ? 'Scanning files' : 'Updating metadata',
      progress: scan.progress,
      Context: { librarySectionID: scan.sectionKey },
    };
  }

  // ---- demo data -----------------------------------------------------------------------------

  #seed(now: number): void {
    const at = (hoursAgo: number) => epoch(now - hoursAgo * 3_600_000);
    const created = at(24 * 400);
    const section = (key: string, title: string, type: PlexSectionSim['type'], agent: string, scanner: string, path: string) =>
      this.sections.push({ key, title, type, uuid: randomUUID(), agent, scanner, path, createdAt: created, scannedAt: at(2) });
    section('1', 'Movies', 'movie', 'tv.plex.agents.movie', 'Plex Movie', '/data/movies');
    section('2', 'TV Shows', 'show', 'tv.plex.agents.series', 'Plex TV Series', '/data/tv');
    section('3', 'Music', 'artist', 'tv.plex.agents.music', 'Plex Music', '/data/music');

    this.addMovie('Spirited Away', 2001, 125, at(24 * 200));
    this.addMovie('The Matrix', 1999, 136, at(24 * 150));
    this.addMovie('Mad Max: Fury Road', 2015, 120, at(24 * 90));
    this.addMovie('Parasite', 2019, 132, at(24 * 40));
    this.addMovie('Everything Everywhere All at Once', 2022, 139, at(24 * 14));
    this.addMovie('Poor Things', 2023, 141, at(20));

    const eps = (show: string, season: number, titles: string[], minutes: number, hoursAgo: number) =>
      titles.forEach((t, n) => this.addEpisode(show, season, n + 1, t, minutes, at(hoursAgo - n)));
    eps('The Last of Us', 1, ['When You\u2019re Lost in the Darkness', 'Infected', 'Long, Long Time'], 60, 24 * 30);
    eps('Succession', 4, ['The Munsters', 'Rehearsal'], 60, 24 * 25);
    eps('Slow Horses', 3, ['Strange Games', 'Negotiating with Tigers', 'Hard Lines'], 48, 24 * 8);
    eps('Fallout', 1, ['The End', 'The Target'], 62, 60);

    const tracks = (artist: string, album: string, year: number, titles: string[], hoursAgo: number) =>
      titles.forEach((t, n) => this.addTrack(artist, album, year, n + 1, t, 4, at(hoursAgo)));
    tracks('Fleetwood Mac', 'Rumours', 1977, ['Second Hand News', 'Dreams', 'Go Your Own Way', 'The Chain'], 24 * 60);
    tracks('Kendrick Lamar', 'DAMN.', 2017, ['DNA.', 'HUMBLE.'], 24 * 20);
    tracks('Massive Attack', 'Mezzanine', 1998, ['Angel', 'Teardrop'], 36);

    this.incoming.push(
      { sectionKey: '2', add: (w) => w.addEpisode('Fallout', 1, 3, 'The Head', 56) },
      { sectionKey: '1', add: (w) => w.addMovie('Anatomy of a Fall', 2023, 151) },
      { sectionKey: '3', add: (w) => w.addTrack('Massive Attack', 'Mezzanine', 1998, 3, 'Inertia Creeps', 6) },
      { sectionKey: '2', add: (w) => w.addEpisode('Slow Horses', 4, 1, 'Identity Theft', 50) },
    );

    const alice = this.startSession({ user: 'alice', player: 'Living Room', product: 'Plex for Apple TV', platform: 'tvOS', itemTitle: 'Long, Long Time', decision: 'directplay' });
    alice.viewOffset = min(21);
    const bob = this.startSession({ user: 'bob', player: 'Chrome', product: 'Plex Web', platform: 'Chrome', itemTitle: 'Parasite', decision: 'transcode', local: false });
    bob.viewOffset = min(64);
    const carol = this.startSession({ user: 'carol', player: 'Pixel 8', product: 'Plexamp', platform: 'Android', itemTitle: 'Dreams', decision: 'directplay', state: 'paused' });
    carol.viewOffset = 90_000;
  }
}
