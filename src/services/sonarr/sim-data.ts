/**
 * Demo library of the Sonarr simulator: real shows with their real ids, a simplified episode list
 * (episodes per season), some episodes missing, some below the quality cutoff, a few airing in the
 * coming days, and two downloads in progress.
 */
export interface SeriesSeed {
  title: string;
  year: number;
  tvdbId: number;
  tvMazeId: number;
  tmdbId: number;
  imdbId: string;
  network: string;
  status: 'continuing' | 'ended';
  genres: string[];
  runtime: number;
  certification: string;
  /** Episodes per season (season 1 first). */
  seasons: number[];
  /** The last episodes of the last season air in the future, this many days from now. */
  future?: number[];
  /** Days since the last aired episode. */
  lastAired?: number;
  /** Aired episodes without a file (`S01E02`). */
  missing?: string[];
  /** Episodes whose file is below the profile's cutoff. */
  cutoff?: string[];
  monitored?: boolean;
  rootFolder?: string;
}

export const SERIES: SeriesSeed[] = [
  { title: 'Breaking Bad', year: 2008, tvdbId: 81189, tvMazeId: 169, tmdbId: 1396, imdbId: 'tt0903747', network: 'AMC', status: 'ended', genres: ['Crime', 'Drama', 'Thriller'], runtime: 47, certification: 'TV-MA', seasons: [7, 13, 13, 13, 16], lastAired: 4000 },
  { title: 'The Expanse', year: 2015, tvdbId: 280619, tvMazeId: 1825, tmdbId: 63639, imdbId: 'tt3230854', network: 'Amazon', status: 'ended', genres: ['Drama', 'Science Fiction'], runtime: 45, certification: 'TV-14', seasons: [10, 13, 13, 10, 10, 6], lastAired: 1100, missing: ['S06E05', 'S06E06'], cutoff: ['S01E01', 'S01E02'] },
  { title: 'Severance', year: 2022, tvdbId: 371980, tvMazeId: 44933, tmdbId: 95396, imdbId: 'tt11280740', network: 'Apple TV+', status: 'continuing', genres: ['Drama', 'Mystery', 'Science Fiction'], runtime: 50, certification: 'TV-MA', seasons: [9, 10], future: [2, 9], lastAired: 5, missing: ['S02E07', 'S02E08'] },
  { title: 'The Bear', year: 2022, tvdbId: 403245, tvMazeId: 60093, tmdbId: 136315, imdbId: 'tt14452776', network: 'FX', status: 'continuing', genres: ['Comedy', 'Drama'], runtime: 32, certification: 'TV-MA', seasons: [8, 10, 10], lastAired: 40, missing: ['S03E09', 'S03E10'] },
  { title: 'Slow Horses', year: 2022, tvdbId: 393199, tvMazeId: 51598, tmdbId: 95480, imdbId: 'tt5875444', network: 'Apple TV+', status: 'continuing', genres: ['Drama', 'Thriller'], runtime: 45, certification: 'TV-MA', seasons: [6, 6, 6, 6], future: [5], lastAired: 2 },
  { title: 'Andor', year: 2022, tvdbId: 393189, tvMazeId: 53525, tmdbId: 83867, imdbId: 'tt9253284', network: 'Disney+', status: 'ended', genres: ['Action', 'Adventure', 'Science Fiction'], runtime: 45, certification: 'TV-14', seasons: [12, 12], lastAired: 120 },
  { title: 'The Last of Us', year: 2023, tvdbId: 392256, tvMazeId: 46562, tmdbId: 100088, imdbId: 'tt3581920', network: 'HBO', status: 'continuing', genres: ['Drama', 'Horror'], runtime: 55, certification: 'TV-MA', seasons: [9, 7], lastAired: 150, missing: ['S02E07'] },
  { title: 'Shōgun', year: 2024, tvdbId: 418137, tvMazeId: 43687, tmdbId: 126308, imdbId: 'tt2788316', network: 'FX', status: 'continuing', genres: ['Adventure', 'Drama', 'History'], runtime: 60, certification: 'TV-MA', seasons: [10], lastAired: 400 },
  { title: 'Fargo', year: 2014, tvdbId: 269613, tvMazeId: 2, tmdbId: 60622, imdbId: 'tt2802850', network: 'FX', status: 'continuing', genres: ['Crime', 'Drama', 'Thriller'], runtime: 53, certification: 'TV-MA', seasons: [10, 10, 10, 11, 10], lastAired: 600, cutoff: ['S05E01'] },
  { title: 'Succession', year: 2018, tvdbId: 338186, tvMazeId: 19436, tmdbId: 76331, imdbId: 'tt7660850', network: 'HBO', status: 'ended', genres: ['Drama'], runtime: 62, certification: 'TV-MA', seasons: [10, 10, 9, 10], lastAired: 700, monitored: false, missing: ['S04E10'] },
  { title: 'Stranger Things', year: 2016, tvdbId: 305288, tvMazeId: 2993, tmdbId: 66732, imdbId: 'tt4574334', network: 'Netflix', status: 'continuing', genres: ['Drama', 'Fantasy', 'Horror'], runtime: 55, certification: 'TV-14', seasons: [8, 9, 8, 9], lastAired: 900, missing: ['S04E08', 'S04E09'] },
  { title: 'Only Murders in the Building', year: 2021, tvdbId: 383275, tvMazeId: 47286, tmdbId: 107113, imdbId: 'tt11691774', network: 'Hulu', status: 'continuing', genres: ['Comedy', 'Crime', 'Mystery'], runtime: 33, certification: 'TV-MA', seasons: [10, 10, 10, 10], future: [1, 8, 15], lastAired: 6 },
  { title: 'Frieren: Beyond Journey\'s End', year: 2023, tvdbId: 424536, tvMazeId: 67224, tmdbId: 209867, imdbId: 'tt22248376', network: 'Nippon TV', status: 'continuing', genres: ['Adventure', 'Animation', 'Anime', 'Fantasy'], runtime: 24, certification: 'TV-14', seasons: [28], lastAired: 500, rootFolder: '/data/anime/' },
];

/** Downloads in progress at start: [series title, episode code, release title, progress 0..1, ticks to finish]. */
export const QUEUED: [string, string, string, number, number][] = [
  ['Severance', 'S02E08', 'Severance.S02E08.Sweet.Vitriol.1080p.ATVP.WEB-DL.DDP5.1.Atmos.H.264-FLUX', 0.35, 3],
  ['The Bear', 'S03E10', 'The.Bear.S03E10.Forever.1080p.DSNP.WEB-DL.DDP5.1.H.264-NTb', 0.6, 5],
];

/** Episode titles known for the demo (the rest are called "Episode N"). */
export const EPISODE_TITLES: Record<string, string> = {
  'Severance S02E07': 'Chikhai Bardo',
  'Severance S02E08': 'Sweet Vitriol',
  'Severance S02E09': 'The After Hours',
  'Severance S02E10': 'Cold Harbor',
  'The Bear S03E09': 'Apologies',
  'The Bear S03E10': 'Forever',
  'Slow Horses S04E06': 'Hello Goodbye',
  'Breaking Bad S05E16': 'Felina',
};
