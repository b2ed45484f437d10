/**
 * Demo catalogue for the Jellyseerr/Overseerr simulator: real TMDB ids and titles, a few users,
 * requests in every state (MediaRequest.status 1 pending, 2 approved, 3 declined; MediaInfo.status
 * 2 pending, 3 processing, 5 available) and some issues (issueType 1 video, 2 audio, 3 subtitles,
 * 4 other; status 1 open, 2 resolved).
 */
export interface SimTitle {
  tmdbId: number;
  tvdbId: number | null;
  kind: 'movie' | 'tv';
  title: string;
  /** releaseDate (movies) or firstAirDate (tv). */
  date: string;
  overview: string;
}

export const SIM_TITLES: readonly SimTitle[] = [
  { tmdbId: 872585, tvdbId: null, kind: 'movie', title: 'Oppenheimer', date: '2023-07-19', overview: 'The story of J. Robert Oppenheimer and the atomic bomb.' },
  { tmdbId: 136315, tvdbId: 412270, kind: 'tv', title: 'The Bear', date: '2022-06-23', overview: 'A young chef returns to Chicago to run his family sandwich shop.' },
  { tmdbId: 792307, tvdbId: null, kind: 'movie', title: 'Poor Things', date: '2023-12-07', overview: 'Bella Baxter is brought back to life by an unorthodox scientist.' },
  { tmdbId: 126308, tvdbId: 392573, kind: 'tv', title: 'Shōgun', date: '2024-02-27', overview: 'Lord Yoshii Toranaga fights for his life in feudal Japan.' },
  { tmdbId: 929590, tvdbId: null, kind: 'movie', title: 'Civil War', date: '2024-04-10', overview: 'Journalists race across a dystopian future America.' },
  { tmdbId: 95396, tvdbId: 371980, kind: 'tv', title: 'Severance', date: '2022-02-17', overview: 'Office workers whose memories are surgically divided.' },
  { tmdbId: 693134, tvdbId: null, kind: 'movie', title: 'Dune: Part Two', date: '2024-02-27', overview: 'Paul Atreides unites with the Fremen.' },
  { tmdbId: 106379, tvdbId: 416744, kind: 'tv', title: 'Fallout', date: '2024-04-10', overview: 'Two hundred years after the apocalypse, vault dwellers return to the surface.' },
  // Not requested at start: tick() and tests request these.
  { tmdbId: 1022789, tvdbId: null, kind: 'movie', title: 'Inside Out 2', date: '2024-06-11', overview: 'Riley’s mind headquarters gets new emotions.' },
  { tmdbId: 100088, tvdbId: 392256, kind: 'tv', title: 'The Last of Us', date: '2023-01-15', overview: 'Joel and Ellie cross a post-pandemic United States.' },
  { tmdbId: 533535, tvdbId: null, kind: 'movie', title: 'Deadpool & Wolverine', date: '2024-07-24', overview: 'A listless Wade Wilson is pulled back into action.' },
  { tmdbId: 94997, tvdbId: 371572, kind: 'tv', title: 'House of the Dragon', date: '2022-08-21', overview: 'The Targaryen civil war, two hundred years before Game of Thrones.' },
  { tmdbId: 945961, tvdbId: null, kind: 'movie', title: 'Alien: Romulus', date: '2024-08-13', overview: 'Young colonists face the most terrifying life form in the universe.' },
  { tmdbId: 1184918, tvdbId: null, kind: 'movie', title: 'The Wild Robot', date: '2024-09-12', overview: 'A robot is shipwrecked on an uninhabited island.' },
];

export interface SimUser {
  id: number;
  name: string;
  email: string;
  admin: boolean;
}

export const SIM_USERS: readonly SimUser[] = [
  { id: 1, name: 'Admin', email: 'admin@example.com', admin: true },
  { id: 2, name: 'Ned', email: 'ned@example.com', admin: false },
  { id: 3, name: 'Catelyn', email: 'catelyn@example.com', admin: false },
  { id: 4, name: 'Robb', email: 'robb@example.com', admin: false },
];

/** Requests at start: [tmdbId, request status, media status, user id, is4k]. */
export const SIM_INITIAL_REQUESTS: readonly [number, 1 | 2 | 3, number, number, boolean][] = [
  [872585, 2, 5, 2, false],
  [136315, 2, 5, 3, false],
  [792307, 3, 1, 4, false],
  [126308, 2, 3, 2, false],
  [929590, 1, 2, 3, false],
  [95396, 1, 2, 4, false],
  [693134, 1, 2, 2, true],
  [106379, 2, 3, 1, false],
];

/** Issues at start: [issueType, status, tmdbId of the media]. */
export const SIM_INITIAL_ISSUES: readonly [1 | 2 | 3 | 4, 1 | 2, number][] = [
  [1, 1, 126308],
  [3, 2, 872585],
  [2, 1, 136315],
];

/** The simulated world's records (sim.ts holds and serves them, sim-webhook.ts renders them). */
export interface SimMedia {
  id: number;
  title: SimTitle;
  /** MediaInfo.status / status4k: 1 unknown, 2 pending, 3 processing, 4 partially available, 5 available. */
  status: number;
  status4k: number;
  createdAt: string;
  updatedAt: string;
}

export interface SimMediaRequest {
  id: number;
  /** 1 pending approval, 2 approved, 3 declined. */
  status: number;
  media: SimMedia;
  user: SimUser;
  modifiedBy: SimUser | null;
  is4k: boolean;
  createdAt: string;
  updatedAt: string;
  /** Ticks left until an approved request's media becomes available. */
  processingTicks: number;
}

export interface SimIssue {
  id: number;
  /** 1 video, 2 audio, 3 subtitles, 4 other. */
  issueType: number;
  /** 1 open, 2 resolved. */
  status: number;
  media: SimMedia;
  user: SimUser;
  createdAt: string;
  updatedAt: string;
}
