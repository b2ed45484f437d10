/**
 * Demo library of the Radarr simulator: real films with their real ids; release dates are day
 * offsets from now (negative = past), so the calendar and availability stay current.
 */
export type QualityName = 'Bluray-2160p' | 'Bluray-1080p' | 'WEBDL-1080p' | 'WEBDL-2160p';

export interface MovieSeed {
  title: string;
  year: number;
  tmdbId: number;
  imdbId: string;
  studio: string;
  runtime: number;
  genres: string[];
  certification: string;
  inCinemas: number;
  digital?: number;
  physical?: number;
  /** The file on disk, when there is one. */
  file?: { quality: QualityName; gb: number; group: string; cutoffNotMet?: boolean };
  monitored?: boolean;
  minimumAvailability?: 'announced' | 'inCinemas' | 'released';
  rootFolder?: string;
}

export const MOVIES: MovieSeed[] = [
  { title: 'Dune: Part Two', year: 2024, tmdbId: 693134, imdbId: 'tt15239678', studio: 'Legendary Pictures', runtime: 167, genres: ['Science Fiction', 'Adventure'], certification: 'PG-13', inCinemas: -640, digital: -610, physical: -570, file: { quality: 'Bluray-2160p', gb: 58.4, group: 'FraMeSToR' }, rootFolder: '/mnt/4k/movies/' },
  { title: 'Oppenheimer', year: 2023, tmdbId: 872585, imdbId: 'tt15398776', studio: 'Universal Pictures', runtime: 181, genres: ['Drama', 'History'], certification: 'R', inCinemas: -850, digital: -760, physical: -740, file: { quality: 'WEBDL-1080p', gb: 9.1, group: 'FLUX', cutoffNotMet: true } },
  { title: 'Poor Things', year: 2023, tmdbId: 792307, imdbId: 'tt14230458', studio: 'Searchlight Pictures', runtime: 141, genres: ['Comedy', 'Romance', 'Science Fiction'], certification: 'R', inCinemas: -720, digital: -650, physical: -620, file: { quality: 'Bluray-1080p', gb: 14.2, group: 'SPHD' } },
  { title: 'The Zone of Interest', year: 2023, tmdbId: 467244, imdbId: 'tt7160372', studio: 'A24', runtime: 105, genres: ['Drama', 'History', 'War'], certification: 'PG-13', inCinemas: -700, digital: -640, physical: -600 },
  { title: 'Past Lives', year: 2023, tmdbId: 666277, imdbId: 'tt13238346', studio: 'A24', runtime: 106, genres: ['Drama', 'Romance'], certification: 'PG-13', inCinemas: -880, digital: -830, physical: -800, file: { quality: 'WEBDL-1080p', gb: 6.3, group: 'NTb' } },
  { title: 'Killers of the Flower Moon', year: 2023, tmdbId: 466420, imdbId: 'tt5537002', studio: 'Apple Studios', runtime: 206, genres: ['Crime', 'Drama', 'History'], certification: 'R', inCinemas: -760, digital: -720, physical: -680 },
  { title: 'Everything Everywhere All at Once', year: 2022, tmdbId: 545611, imdbId: 'tt6710474', studio: 'A24', runtime: 139, genres: ['Action', 'Adventure', 'Science Fiction'], certification: 'R', inCinemas: -1200, digital: -1150, physical: -1120, file: { quality: 'WEBDL-1080p', gb: 7.8, group: 'EVO', cutoffNotMet: true } },
  { title: 'Arrival', year: 2016, tmdbId: 329865, imdbId: 'tt2543164', studio: 'Paramount Pictures', runtime: 116, genres: ['Drama', 'Science Fiction', 'Mystery'], certification: 'PG-13', inCinemas: -3300, digital: -3200, physical: -3180, file: { quality: 'Bluray-2160p', gb: 45.6, group: 'CtrlHD' }, rootFolder: '/mnt/4k/movies/' },
  { title: 'Blade Runner 2049', year: 2017, tmdbId: 335984, imdbId: 'tt1856101', studio: 'Alcon Entertainment', runtime: 164, genres: ['Science Fiction', 'Drama'], certification: 'R', inCinemas: -3000, digital: -2900, physical: -2880, file: { quality: 'Bluray-1080p', gb: 18.4, group: 'DON' } },
  { title: 'Mad Max: Fury Road', year: 2015, tmdbId: 76341, imdbId: 'tt1392190', studio: 'Warner Bros. Pictures', runtime: 121, genres: ['Action', 'Adventure', 'Science Fiction'], certification: 'R', inCinemas: -3800, digital: -3700, physical: -3680, file: { quality: 'Bluray-2160p', gb: 52.3, group: 'HQMUX' }, rootFolder: '/mnt/4k/movies/' },
  { title: 'The Holdovers', year: 2023, tmdbId: 840430, imdbId: 'tt14849194', studio: 'Focus Features', runtime: 133, genres: ['Comedy', 'Drama'], certification: 'R', inCinemas: -740, digital: -700, physical: -660, monitored: false },
  { title: 'Anatomy of a Fall', year: 2023, tmdbId: 915935, imdbId: 'tt17009710', studio: 'Les Films Pelléas', runtime: 152, genres: ['Drama', 'Mystery', 'Crime'], certification: 'R', inCinemas: -780, digital: -690, physical: -650 },
  { title: 'Project Hail Mary', year: 2026, tmdbId: 687163, imdbId: 'tt12042730', studio: 'Amazon MGM Studios', runtime: 0, genres: ['Science Fiction', 'Adventure'], certification: 'PG-13', inCinemas: 4 },
  { title: 'Avatar: Fire and Ash', year: 2025, tmdbId: 83533, imdbId: 'tt1757678', studio: '20th Century Studios', runtime: 0, genres: ['Science Fiction', 'Adventure', 'Fantasy'], certification: 'PG-13', inCinemas: 20 },
  { title: 'Nosferatu', year: 2024, tmdbId: 426063, imdbId: 'tt5040012', studio: 'Focus Features', runtime: 132, genres: ['Horror', 'Fantasy'], certification: 'R', inCinemas: -60, digital: 3, physical: 40 },
];

/** Downloads in progress at start: [movie title, release title, quality, GB, progress 0..1, ticks to finish]. */
export const QUEUED: [string, string, number, number, number][] = [
  ['The Zone of Interest', 'The.Zone.of.Interest.2023.1080p.BluRay.DDP5.1.x264-SPHD', 11.4, 0.5, 3],
  ['Killers of the Flower Moon', 'Killers.of.the.Flower.Moon.2023.1080p.ATVP.WEB-DL.DDP5.1.Atmos.H.264-FLUX', 12.7, 0.2, 5],
];
