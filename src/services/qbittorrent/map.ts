import type { Torrent } from './maindata.js';
import type { ServerStatePatch } from './schemas.js';

/**
 * Pure mapping from qBittorrent's state to the JSON published on MQTT. Field names are ours,
 * flat and numeric where possible (Grafana charts them); values are qBittorrent's own units
 * (bytes, bytes/s, seconds).
 */

/** Exclusive groups of torrent states: every torrent is in exactly one, so they sum to `total`. */
export const BUCKETS = ['downloading', 'seeding', 'paused', 'stalled', 'queued', 'checking', 'errored', 'other'] as const;
export type Bucket = (typeof BUCKETS)[number];

/**
 * The `state` values of [WebUI API, Get torrent list] (4.x) plus the 5.x names (`stoppedDL`,
 * `stoppedUP`, `forcedMetaDL`; the 5.0 page still prints the 4.x table). A seed with no peers
 * (`stalledUP`) is seeding as usual; only a download with no peers (`stalledDL`) counts as stalled.
 */
const STATE_BUCKET: Readonly<Record<string, Bucket>> = {
  downloading: 'downloading',
  forcedDL: 'downloading',
  metaDL: 'downloading',
  forcedMetaDL: 'downloading',
  allocating: 'downloading',
  uploading: 'seeding',
  forcedUP: 'seeding',
  stalledUP: 'seeding',
  pausedDL: 'paused',
  pausedUP: 'paused',
  stoppedDL: 'paused',
  stoppedUP: 'paused',
  stalledDL: 'stalled',
  queuedDL: 'queued',
  queuedUP: 'queued',
  checkingDL: 'checking',
  checkingUP: 'checking',
  checkingResumeData: 'checking',
  error: 'errored',
  missingFiles: 'errored',
};

export function torrentBucket(state: string | undefined): Bucket {
  return (state !== undefined && STATE_BUCKET[state]) || 'other';
}

/** qBittorrent's ETA for "never" (MAX_ETA, 100 days). */
export const ETA_INFINITE = 8_640_000;

export type TorrentCounts = Record<Bucket, number> & { total: number; active: number };

/** Counts per bucket, the total, and `active` (transferring right now, as qBittorrent's "Active" filter). */
export function countTorrents(torrents: Iterable<Torrent>): TorrentCounts {
  const counts = Object.fromEntries(BUCKETS.map((b) => [b, 0])) as Record<Bucket, number>;
  let total = 0;
  let active = 0;
  for (const t of torrents) {
    counts[torrentBucket(t.state)]++;
    total++;
    if ((t.dlspeed ?? 0) > 0 || (t.upspeed ?? 0) > 0) active++;
  }
  return { ...counts, total, active };
}

const CONNECTION_STATUSES = ['connected', 'firewalled', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];
export const CONNECTION_STATUS_OPTIONS: readonly string[] = CONNECTION_STATUSES;

export interface TransferPayload {
  download_rate: number;
  upload_rate: number;
  download_rate_limit: number;
  upload_rate_limit: number;
  session_downloaded: number;
  session_uploaded: number;
  dht_nodes: number;
  connection_status: ConnectionStatus | null;
  alt_speed_limits: boolean;
  free_space: number | null;
}

/** `server_state` → the `transfer` topic. A missing number is 0 (never NaN); an unknown status is null. */
export function transferPayload(s: Readonly<ServerStatePatch>): TransferPayload {
  const status = s.connection_status as ConnectionStatus | undefined;
  return {
    download_rate: s.dl_info_speed ?? 0,
    upload_rate: s.up_info_speed ?? 0,
    download_rate_limit: s.dl_rate_limit ?? 0,
    upload_rate_limit: s.up_rate_limit ?? 0,
    session_downloaded: s.dl_info_data ?? 0,
    session_uploaded: s.up_info_data ?? 0,
    dht_nodes: s.dht_nodes ?? 0,
    connection_status: status && CONNECTION_STATUSES.includes(status) ? status : null,
    alt_speed_limits: s.use_alt_speed_limits === true,
    free_space: s.free_space_on_disk ?? null,
  };
}

/** A torrent that still downloads (or waits to): incomplete and neither paused nor failed. */
export function isActiveDownload(t: Torrent): boolean {
  if ((t.progress ?? 0) >= 1) return false;
  const b = torrentBucket(t.state);
  return b === 'downloading' || b === 'stalled' || b === 'queued' || b === 'checking';
}

export interface DownloadItem {
  hash: string;
  name: string;
  /** Percent, one decimal. */
  progress: number;
  /** bytes/s */
  dlspeed: number;
  /** Seconds, null when qBittorrent has no estimate. */
  eta: number | null;
  state: string;
  category: string;
  /** bytes (selected files) */
  size: number;
}

/** Names are cut here so the attribute list stays well under HA's 16 KB. */
const NAME_MAX = 160;

export function downloadItem(t: Torrent): DownloadItem {
  const eta = t.eta ?? ETA_INFINITE;
  const name = t.name ?? '';
  return {
    hash: t.hash,
    name: name.length > NAME_MAX ? `${name.slice(0, NAME_MAX - 1)}…` : name,
    progress: Math.round(Math.min(1, Math.max(0, t.progress ?? 0)) * 1000) / 10,
    dlspeed: t.dlspeed ?? 0,
    eta: eta >= 0 && eta < ETA_INFINITE ? eta : null,
    state: t.state ?? 'unknown',
    category: t.category ?? '',
    size: t.size ?? 0,
  };
}

export interface DownloadsPayload {
  count: number;
  download_rate: number;
  remaining: number;
  /** HA attributes: the first `limit` downloads and how many there are. */
  list: { total: number; torrents: DownloadItem[] };
}

/**
 * The `downloads` topic: torrents still downloading, fastest first (then furthest along, then by
 * name, so the order is stable), at most `limit` of them in the list.
 */
export function downloadsPayload(torrents: Iterable<Torrent>, limit: number): DownloadsPayload {
  const active = [...torrents].filter(isActiveDownload);
  active.sort((a, b) => (b.dlspeed ?? 0) - (a.dlspeed ?? 0) || (b.progress ?? 0) - (a.progress ?? 0) || (a.name ?? '').localeCompare(b.name ?? ''));
  let rate = 0;
  let remaining = 0;
  for (const t of active) {
    rate += t.dlspeed ?? 0;
    remaining += t.amount_left ?? Math.round((t.size ?? 0) * (1 - (t.progress ?? 0)));
  }
  return {
    count: active.length,
    download_rate: rate,
    remaining,
    list: { total: active.length, torrents: active.slice(0, limit).map(downloadItem) },
  };
}

/** A torrent that finished between two syncs: known before with progress < 1, now at 1. */
export function finishedSince(before: ReadonlyMap<string, number>, torrents: Iterable<Torrent>): Torrent[] {
  const done: Torrent[] = [];
  for (const t of torrents) {
    const was = before.get(t.hash);
    if (was !== undefined && was < 1 && (t.progress ?? 0) >= 1) done.push(t);
  }
  return done;
}
