import { randomUUID } from 'node:crypto';

/**
 * The simulated Plex Media Server's data: the shapes the world keeps (items in the show → season
 * → episode and artist → album → track hierarchy, sections, sessions, scans), the constants its
 * clock runs on, and the demo library it starts with. The world (sim-world.ts) changes these on
 * tick() and on commands; sim-views.ts renders them. The seed fills a SeedWorld (below), which the
 * world is, so this file needs nothing of the world's and the imports run one way:
 * world -> views -> data.
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

/** A session to start: who plays what on which player, and how it is delivered. */
export interface SessionStart {
  user: string;
  player: string;
  product: string;
  platform?: string;
  itemTitle: string;
  decision?: Decision;
  state?: PlexSessionSim['state'];
  bandwidth?: number;
  local?: boolean;
}

/** What a scan of a section finds: `add` puts it in the world when the scan ends. */
export interface IncomingFile {
  sectionKey: string;
  add: (w: SeedWorld) => void;
}

/** What the demo seed (and a file a scan finds) needs of the world (sim-world.ts), which has all of it. */
export interface SeedWorld {
  readonly sections: PlexSectionSim[];
  readonly incoming: IncomingFile[];
  addMovie(title: string, year: number, minutes: number, addedAt?: number): PlexItem;
  addEpisode(show: string, season: number, index: number, title: string, minutes: number, addedAt?: number): PlexItem;
  addTrack(artist: string, album: string, year: number, index: number, title: string, minutes: number, addedAt?: number): PlexItem;
  startSession(s: SessionStart): PlexSessionSim;
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

export const min = (m: number): number => m * 60_000;
export const epoch = (ms: number): number => Math.floor(ms / 1000);

/** The demo library: three sections, a few movies, shows and albums, what scans will find, three sessions. */
export function seedDemo(world: SeedWorld, now: number): void {
  const at = (hoursAgo: number) => epoch(now - hoursAgo * 3_600_000);
  const created = at(24 * 400);
  const section = (key: string, title: string, type: PlexSectionSim['type'], agent: string, scanner: string, path: string) =>
    world.sections.push({ key, title, type, uuid: randomUUID(), agent, scanner, path, createdAt: created, scannedAt: at(2) });
  section('1', 'Movies', 'movie', 'tv.plex.agents.movie', 'Plex Movie', '/data/movies');
  section('2', 'TV Shows', 'show', 'tv.plex.agents.series', 'Plex TV Series', '/data/tv');
  section('3', 'Music', 'artist', 'tv.plex.agents.music', 'Plex Music', '/data/music');

  world.addMovie('Spirited Away', 2001, 125, at(24 * 200));
  world.addMovie('The Matrix', 1999, 136, at(24 * 150));
  world.addMovie('Mad Max: Fury Road', 2015, 120, at(24 * 90));
  world.addMovie('Parasite', 2019, 132, at(24 * 40));
  world.addMovie('Everything Everywhere All at Once', 2022, 139, at(24 * 14));
  world.addMovie('Poor Things', 2023, 141, at(20));

  const eps = (show: string, season: number, titles: string[], minutes: number, hoursAgo: number) =>
    titles.forEach((t, n) => world.addEpisode(show, season, n + 1, t, minutes, at(hoursAgo - n)));
  eps('The Last of Us', 1, ['When You\u2019re Lost in the Darkness', 'Infected', 'Long, Long Time'], 60, 24 * 30);
  eps('Succession', 4, ['The Munsters', 'Rehearsal'], 60, 24 * 25);
  eps('Slow Horses', 3, ['Strange Games', 'Negotiating with Tigers', 'Hard Lines'], 48, 24 * 8);
  eps('Fallout', 1, ['The End', 'The Target'], 62, 60);

  const tracks = (artist: string, album: string, year: number, titles: string[], hoursAgo: number) =>
    titles.forEach((t, n) => world.addTrack(artist, album, year, n + 1, t, 4, at(hoursAgo)));
  tracks('Fleetwood Mac', 'Rumours', 1977, ['Second Hand News', 'Dreams', 'Go Your Own Way', 'The Chain'], 24 * 60);
  tracks('Kendrick Lamar', 'DAMN.', 2017, ['DNA.', 'HUMBLE.'], 24 * 20);
  tracks('Massive Attack', 'Mezzanine', 1998, ['Angel', 'Teardrop'], 36);

  world.incoming.push(
    { sectionKey: '2', add: (w) => w.addEpisode('Fallout', 1, 3, 'The Head', 56) },
    { sectionKey: '1', add: (w) => w.addMovie('Anatomy of a Fall', 2023, 151) },
    { sectionKey: '3', add: (w) => w.addTrack('Massive Attack', 'Mezzanine', 1998, 3, 'Inertia Creeps', 6) },
    { sectionKey: '2', add: (w) => w.addEpisode('Slow Horses', 4, 1, 'Identity Theft', 50) },
  );

  const alice = world.startSession({ user: 'alice', player: 'Living Room', product: 'Plex for Apple TV', platform: 'tvOS', itemTitle: 'Long, Long Time', decision: 'directplay' });
  alice.viewOffset = min(21);
  const bob = world.startSession({ user: 'bob', player: 'Chrome', product: 'Plex Web', platform: 'Chrome', itemTitle: 'Parasite', decision: 'transcode', local: false });
  bob.viewOffset = min(64);
  const carol = world.startSession({ user: 'carol', player: 'Pixel 8', product: 'Plexamp', platform: 'Android', itemTitle: 'Dreams', decision: 'directplay', state: 'paused' });
  carol.viewOffset = 90_000;
}
