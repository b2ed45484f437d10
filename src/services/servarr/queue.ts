import type { QueueRecord } from './schemas.js';
import { finite, isoTime, round1, text } from './format.js';

/** One download as published in `<base>/<instance>/queue` (attributes.items). */
export interface QueueItem {
  title: string | null;
  status: string | null;
  /** TrackedDownloadState: downloading, importPending, importing, importBlocked, failedPending… */
  state: string | null;
  progress: number;
  size: number;
  size_left: number;
  /** Upstream `timeleft` (a .NET TimeSpan such as `00:12:34` or `1.02:03:04`). */
  timeleft: string | null;
  eta: string | null;
  download_client: string | null;
  protocol: string | null;
  indexer: string | null;
  error: string | null;
}

/** The queue's size and flags, from `/queue/status` or from a `/queue` page. */
export interface QueueSummary {
  /** Every item, unknown ones (not matched to a series/movie) included. */
  total: number;
  errors: boolean;
  warnings: boolean;
}

export interface QueueState {
  /** Every item in the queue, unknown items included. */
  count: number;
  downloading: number;
  /** Bytes still to download, over the items fetched (up to QUEUE_PAGE_SIZE). */
  size_left: number;
  errors: boolean;
  warnings: boolean;
  attributes: { total: number; items: QueueItem[] };
}

/** Most queue records fetched per poll; the published list is cut to `list_limit`. */
export const QUEUE_PAGE_SIZE = 100;

/** Download progress in %, from QueueResource size/sizeleft (bytes, doubles in the spec). */
export function progress(size: number | null | undefined, sizeleft: number | null | undefined): number {
  const s = finite(size) ?? 0;
  const left = finite(sizeleft) ?? 0;
  if (s <= 0) return 0;
  return Math.min(100, Math.max(0, round1(((s - left) / s) * 100)));
}

export function mapQueueItem(r: QueueRecord): QueueItem {
  return {
    title: text(r.title),
    status: r.status ?? null,
    state: r.trackedDownloadState ?? null,
    progress: progress(r.size, r.sizeleft),
    size: Math.max(0, finite(r.size) ?? 0),
    size_left: Math.max(0, finite(r.sizeleft) ?? 0),
    timeleft: r.timeleft ?? null,
    eta: isoTime(r.estimatedCompletionTime),
    download_client: text(r.downloadClient),
    protocol: r.protocol ?? null,
    indexer: text(r.indexer),
    error: text(r.errorMessage),
  };
}

/** The summary a `/queue` page gives by itself (TrackedDownloadStatus of its records). */
export function summarizePage(totalRecords: number, records: readonly QueueRecord[]): QueueSummary {
  return {
    total: totalRecords,
    errors: records.some((r) => r.trackedDownloadStatus === 'error'),
    warnings: records.some((r) => r.trackedDownloadStatus === 'warning'),
  };
}

/** The queue state: its summary plus the records (none when the queue is empty). */
export function mapQueue(summary: QueueSummary, records: readonly QueueRecord[], listLimit: number): QueueState {
  const items = records.map(mapQueueItem);
  return {
    count: summary.total,
    downloading: items.filter((i) => i.status === 'downloading').length,
    size_left: items.reduce((sum, i) => sum + i.size_left, 0),
    errors: summary.errors,
    warnings: summary.warnings,
    attributes: { total: summary.total, items: items.slice(0, listLimit) },
  };
}

/** Keys identifying queue records across polls (downloadId when known). */
export function queueKeys(records: readonly QueueRecord[]): Set<string> {
  return new Set(records.map((r) => r.downloadId ?? `id:${r.id}`));
}
