import { createHash } from 'node:crypto';

/**
 * The simulated qBittorrent's torrents: every field of [WebUI API, Get torrent list], with the
 * types the table gives, for a handful of realistic torrents (the categories Sonarr and Radarr
 * use by default). The simulator keeps these objects and changes them on tick() and on commands.
 */

export type Major = 4 | 5;

export interface SimTorrent {
  hash: string;
  name: string;
  state: string;
  progress: number;
  size: number;
  total_size: number;
  amount_left: number;
  completed: number;
  downloaded: number;
  downloaded_session: number;
  uploaded: number;
  uploaded_session: number;
  dlspeed: number;
  upspeed: number;
  eta: number;
  ratio: number;
  category: string;
  tags: string;
  added_on: number;
  completion_on: number;
  last_activity: number;
  seen_complete: number;
  time_active: number;
  seeding_time: number;
  num_seeds: number;
  num_leechs: number;
  num_complete: number;
  num_incomplete: number;
  priority: number;
  availability: number;
  save_path: string;
  content_path: string;
  magnet_uri: string;
  tracker: string;
  dl_limit: number;
  up_limit: number;
  max_ratio: number;
  max_seeding_time: number;
  ratio_limit: number;
  seeding_time_limit: number;
  auto_tmm: boolean;
  force_start: boolean;
  seq_dl: boolean;
  f_l_piece_prio: boolean;
  super_seeding: boolean;
  reannounce: number;
}

/** What the simulation needs besides the API fields: how fast this torrent goes when it runs. */
export interface SimEntry {
  t: SimTorrent;
  /** bytes/s while downloading / seeding with peers. */
  dlBase: number;
  upBase: number;
  isPrivate: boolean;
}

export const GIB = 1_073_741_824;
export const MIB = 1_048_576;
export const ETA_INFINITE = 8_640_000;

/** "paused" names up to 4.6, "stopped" names since 5.0. */
export function stoppedState(major: Major, complete: boolean): string {
  return `${major >= 5 ? 'stopped' : 'paused'}${complete ? 'UP' : 'DL'}`;
}

export function hashOf(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

interface Seed {
  name: string;
  category: string;
  size: number;
  progress: number;
  /** A state name, or 'stopped' (becomes pausedXX/stoppedXX by version). */
  state: string;
  dl: number;
  up: number;
  seeds: number;
  leechs: number;
  isPrivate?: boolean;
}

const TRACKER = 'udp://tracker.opentrackr.org:1337/announce';

const SEEDS: Seed[] = [
  { name: 'Severance.S02E05.Trojans.Horse.1080p.ATVP.WEB-DL.DDP5.1.H.264-NTb', category: 'tv-sonarr', size: Math.round(2.3 * GIB), progress: 0.42, state: 'downloading', dl: Math.round(6.2 * MIB), up: 150_000, seeds: 38, leechs: 12 },
  { name: 'Dune.Part.Two.2024.2160p.UHD.BluRay.REMUX.HDR.HEVC.Atmos-FGT', category: 'radarr', size: Math.round(62.4 * GIB), progress: 0.18, state: 'downloading', dl: Math.round(11.5 * MIB), up: 420_000, seeds: 71, leechs: 40, isPrivate: true },
  { name: 'The.Expanse.S06E03.Force.Projection.1080p.AMZN.WEB-DL.DDP5.1.H.264-NOSiViD', category: 'tv-sonarr', size: Math.round(1.6 * GIB), progress: 0.66, state: 'stalledDL', dl: 0, up: 0, seeds: 0, leechs: 2 },
  { name: 'Andor.S02E01.One.Year.Later.1080p.DSNP.WEB-DL.DDP5.1.H.264-FLUX', category: 'tv-sonarr', size: Math.round(3.1 * GIB), progress: 0, state: 'queuedDL', dl: Math.round(4.8 * MIB), up: 90_000, seeds: 54, leechs: 20 },
  { name: 'Foundation.S02E10.Creation.Myths.2160p.ATVP.WEB-DL.DDP5.1.Atmos.DV.H.265-FLUX', category: 'tv-sonarr', size: Math.round(7.9 * GIB), progress: 0.8, state: 'checkingDL', dl: Math.round(3.9 * MIB), up: 60_000, seeds: 22, leechs: 9 },
  { name: 'Oppenheimer.2023.1080p.BluRay.x264-SPARKS', category: 'radarr', size: Math.round(14.6 * GIB), progress: 1, state: 'uploading', dl: 0, up: 820_000, seeds: 140, leechs: 31 },
  { name: 'ubuntu-24.04.1-desktop-amd64.iso', category: '', size: Math.round(5.7 * GIB), progress: 1, state: 'stalledUP', dl: 0, up: 0, seeds: 310, leechs: 0 },
  { name: 'debian-12.7.0-amd64-netinst.iso', category: '', size: 631 * MIB, progress: 1, state: 'stopped', dl: 0, up: 0, seeds: 0, leechs: 0 },
  { name: 'archlinux-2024.10.01-x86_64.iso', category: '', size: Math.round(1.1 * GIB), progress: 0.35, state: 'stopped', dl: Math.round(2.5 * MIB), up: 0, seeds: 0, leechs: 0 },
  { name: 'Shogun.2024.S01E04.The.Eightfold.Fence.1080p.DSNP.WEB-DL.DDP5.1.H.264-NTb', category: 'tv-sonarr', size: Math.round(2.8 * GIB), progress: 0.91, state: 'missingFiles', dl: 0, up: 0, seeds: 0, leechs: 0 },
];

export const SIM_CATEGORIES: Record<string, { name: string; savePath: string }> = {
  'tv-sonarr': { name: 'tv-sonarr', savePath: '/downloads/tv-sonarr' },
  radarr: { name: 'radarr', savePath: '/downloads/radarr' },
};

export function newTorrent(init: { name: string; hash?: string; category: string; size: number; progress: number; state: string; addedOn: number; savePath?: string }): SimTorrent {
  const hash = init.hash ?? hashOf(init.name);
  const completed = Math.round(init.size * init.progress);
  const save = init.savePath ?? (init.category ? (SIM_CATEGORIES[init.category]?.savePath ?? `/downloads/${init.category}`) : '/downloads');
  const done = init.progress >= 1;
  return {
    hash,
    name: init.name,
    state: init.state,
    progress: init.progress,
    size: init.size,
    total_size: init.size,
    amount_left: init.size - completed,
    completed,
    downloaded: completed,
    downloaded_session: 0,
    uploaded: 0,
    uploaded_session: 0,
    dlspeed: 0,
    upspeed: 0,
    eta: ETA_INFINITE,
    ratio: 0,
    category: init.category,
    tags: '',
    added_on: init.addedOn,
    completion_on: done ? init.addedOn + 3600 : -1,
    last_activity: init.addedOn,
    seen_complete: done ? init.addedOn + 3600 : 0,
    time_active: 0,
    seeding_time: 0,
    num_seeds: 0,
    num_leechs: 0,
    num_complete: 0,
    num_incomplete: 0,
    priority: done ? 0 : 1,
    availability: done ? -1 : 1,
    save_path: save,
    content_path: `${save}/${init.name}`,
    magnet_uri: `magnet:?xt=urn:btih:${hash}&dn=${encodeURIComponent(init.name)}&tr=${encodeURIComponent(TRACKER)}`,
    tracker: TRACKER,
    dl_limit: -1,
    up_limit: -1,
    max_ratio: -1,
    max_seeding_time: -1,
    ratio_limit: -2,
    seeding_time_limit: -2,
    auto_tmm: true,
    force_start: false,
    seq_dl: false,
    f_l_piece_prio: false,
    super_seeding: false,
    reannounce: 1200,
  };
}

/** The demo torrents, as a freshly started qBittorrent of that major version shows them. */
export function demoTorrents(major: Major, nowSeconds: number): SimEntry[] {
  return SEEDS.map((s, i) => {
    const complete = s.progress >= 1;
    const state = s.state === 'stopped' ? stoppedState(major, complete) : s.state;
    const t = newTorrent({ name: s.name, category: s.category, size: s.size, progress: s.progress, state, addedOn: nowSeconds - 86_400 * (i + 1) });
    t.num_seeds = s.seeds;
    t.num_leechs = s.leechs;
    t.num_complete = s.seeds * 3;
    t.num_incomplete = s.leechs * 2;
    t.uploaded = complete ? Math.round(t.size * (0.4 + i / 10)) : Math.round(t.downloaded * 0.05);
    t.ratio = Math.round((t.uploaded / Math.max(1, t.downloaded)) * 1000) / 1000;
    t.time_active = 3600 * (i + 2);
    t.seeding_time = complete ? 3600 * (i + 1) : 0;
    return { t, dlBase: s.dl, upBase: s.up, isPrivate: s.isPrivate === true };
  });
}
