import type { HistorySlot, Queue, Warning } from './schemas.js';

/**
 * Pure mappings from SABnzbd answers to the state objects published on MQTT. Units follow
 * SABnzbd's own: its "MB" are MiB and its disk "GB" are GiB (misc.py to_units, base 1024), and
 * `kbpersec` is KiB/s; the topics say so in their field names, and speeds are in bytes/s.
 */

export const STATUS_OPTIONS = ['downloading', 'paused', 'idle'] as const;
export type SabStatus = (typeof STATUS_OPTIONS)[number];

export interface QueueJob {
  nzo_id: string;
  filename: string;
  status: string;
  category: string | null;
  percentage: number;
  size_mib: number;
  left_mib: number;
  timeleft: string;
}

export interface QueueState {
  status: SabStatus;
  paused: boolean;
  /** bytes/s */
  speed: number;
  /** bytes/s; null when no limit is in force. */
  speed_limit: number | null;
  /** Percentage of the configured maximum line speed (100 = no limit). */
  speed_limit_pct: number | null;
  size_mib: number;
  left_mib: number;
  timeleft_s: number | null;
  /** When the queue will be done at the current speed; null when nothing is downloading. */
  eta: string | null;
  jobs: number;
  disk_free_gib: number | null;
  disk_total_gib: number | null;
  complete_disk_free_gib: number | null;
  warnings: number;
  job_list: { total: number; jobs: QueueJob[] };
}

export interface WarningsState {
  count: number;
  /** Not `items`: a template reading `value_json.items` gets the dict method in Jinja2 (STYLE.md). */
  attributes: { total: number; warnings: { text: string; type: string; time: string | null }[] };
}

export interface FinishedJob {
  nzo_id: string;
  name: string;
  category: string | null;
  status: string;
  size_bytes: number;
  download_time_s: number | null;
  postproc_time_s: number | null;
  completed: string | null;
  storage: string | null;
  fail_message: string | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** SABnzbd's time left: "H:MM:SS", or "D:HH:MM:SS" beyond a day (misc.py calc_timeleft / format_time_left). */
export function parseTimeleft(text: string): number | null {
  const parts = text.trim().split(':');
  if (parts.length < 3 || parts.length > 4 || parts.some((p) => !/^\d+$/.test(p))) return null;
  const n = parts.map(Number);
  const [d, h, m, s] = n.length === 4 ? n : [0, ...n];
  return d! * 86_400 + h! * 3_600 + m! * 60 + s!;
}

/**
 * The queue header status is Downloading, Paused or Idle (api.py build_queue_header); a global
 * pause wins. Anything else a future release may add falls back on whether bytes are flowing.
 */
export function normalizeStatus(status: string, paused: boolean, bytesPerSecond: number): SabStatus {
  if (paused || status === 'Paused') return 'paused';
  if (status === 'Downloading') return 'downloading';
  if (status === 'Idle') return 'idle';
  return bytesPerSecond > 0 ? 'downloading' : 'idle';
}

export function summarizeQueue(q: Queue, now: Date, limit: number): QueueState {
  const speed = Math.round(q.kbpersec * 1024);
  const status = normalizeStatus(q.status, q.paused, speed);
  const timeleft = parseTimeleft(q.timeleft);
  // With no limit SABnzbd reports 100 % (and the maximum line speed, or nothing, as the absolute value).
  const limited = q.speedlimit !== null && q.speedlimit < 100 && q.speedlimit_abs !== null && q.speedlimit_abs > 0;
  return {
    status,
    paused: q.paused,
    speed,
    speed_limit: limited ? Math.round(q.speedlimit_abs!) : null,
    speed_limit_pct: q.speedlimit,
    size_mib: round2(q.mb),
    left_mib: round2(q.mbleft),
    timeleft_s: status === 'downloading' ? timeleft : null,
    eta: status === 'downloading' && timeleft !== null ? new Date(now.getTime() + timeleft * 1000).toISOString() : null,
    jobs: q.noofslots_total,
    disk_free_gib: q.diskspace1,
    disk_total_gib: q.diskspacetotal1,
    complete_disk_free_gib: q.diskspace2,
    warnings: Math.max(0, Math.round(q.have_warnings ?? 0)),
    job_list: {
      total: q.noofslots_total,
      jobs: q.slots.slice(0, limit).map((s) => ({
        nzo_id: s.nzo_id,
        filename: s.filename,
        status: s.status,
        category: s.cat ?? null,
        percentage: s.percentage,
        size_mib: round2(s.mb),
        left_mib: round2(s.mbleft),
        timeleft: s.timeleft,
      })),
    },
  };
}

export function summarizeWarnings(count: number, warnings: readonly Warning[], limit: number): WarningsState {
  const list = warnings.map((w) =>
    typeof w === 'string' ? { text: w, type: 'WARNING', time: null } : { text: w.text, type: w.type ?? 'WARNING', time: w.time ? new Date(w.time * 1000).toISOString() : null },
  );
  // Newest first: what the user wants to read when the list is capped.
  list.sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''));
  return { count, attributes: { total: list.length, warnings: list.slice(0, limit) } };
}

/** History states after which nothing more happens to a job (the rest are post-processing stages). */
export function isFinal(status: string): boolean {
  return status === 'Completed' || status === 'Failed';
}

/** Jobs we saw in the queue last time that are not in it now (finished, deleted, or moved past `limit`). */
export function leftQueue(before: ReadonlySet<string>, now: readonly { nzo_id: string }[]): string[] {
  const current = new Set(now.map((s) => s.nzo_id));
  return [...before].filter((id) => !current.has(id));
}

export function finishedJob(h: HistorySlot): FinishedJob {
  return {
    nzo_id: h.nzo_id,
    name: h.name,
    category: h.category ?? null,
    status: h.status,
    size_bytes: h.bytes,
    download_time_s: h.download_time ?? null,
    postproc_time_s: h.postproc_time ?? null,
    completed: h.completed ? new Date(h.completed * 1000).toISOString() : null,
    storage: h.storage || null,
    fail_message: h.fail_message || null,
  };
}
