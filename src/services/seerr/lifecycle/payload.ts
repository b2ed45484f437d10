import { ENDED, type MediaType, type Stage, type TrackedRequest } from './model.js';

/**
 * Pure builders of what the lifecycle publishes (README, "Request lifecycle"). Key names avoid
 * `items`/`keys`/`values`/`get`/`update`: Home Assistant's Jinja2 resolves those to dict methods.
 */

/** One entry of `<base>/<instance>/lifecycle` (the exact shape). */
export interface LifecycleEntry {
  id: number;
  title: string;
  media_type: MediaType | 'unknown';
  requested_by: string;
  stage: Stage;
  progress: number | null;
  eta: string | null;
  instance: string | null;
  download_client: string | null;
  updated_at: string;
}

/** Home Assistant's recorder keeps attributes up to 16,384 bytes; the list stays well under. */
export const ATTRIBUTES_BUDGET = 14_000;
/** At most this many requests in the list, newest first. */
export const LIST_LIMIT = 25;

/** In progress: not ended and not failed (a failed one waits for someone, it does not move). */
export function inProgress(r: TrackedRequest): boolean {
  return !ENDED.has(r.stage) && r.stage !== 'failed';
}

export function lifecycleEntry(r: TrackedRequest): LifecycleEntry {
  return {
    id: r.id,
    title: r.title,
    media_type: r.mediaType,
    requested_by: r.requestedBy,
    stage: r.stage,
    progress: r.progress,
    eta: r.eta,
    instance: r.instance,
    download_client: r.downloadClient,
    updated_at: r.updatedAt,
  };
}

/** `<base>/<instance>/lifecycle`: the number in progress and the newest entries. */
export interface LifecyclePayload {
  active: number;
  requests: LifecycleEntry[];
}

/** `<base>/<instance>/lifecycle`: `{active, requests}`, newest change first, bounded in count and bytes. */
export function lifecyclePayload(all: readonly TrackedRequest[]): LifecyclePayload {
  const sorted = [...all].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : b.id - a.id));
  const requests: LifecycleEntry[] = [];
  let bytes = 30;
  for (const r of sorted.slice(0, LIST_LIMIT)) {
    const e = lifecycleEntry(r);
    bytes += Buffer.byteLength(JSON.stringify(e)) + 1;
    if (bytes > ATTRIBUTES_BUDGET) break;
    requests.push(e);
  }
  return { active: all.filter(inProgress).length, requests };
}

/** `<base>/<instance>/requests/<id>`: the list entry and the rest of what is known of the request. */
export interface RequestPayload extends LifecycleEntry {
  reason: string | null;
  is4k: boolean;
  tmdb_id: number | null;
  tvdb_id: number | null;
  downloads: number;
  stale: boolean;
  ended_at: string | null;
}

/** `<base>/<instance>/requests/<id>`: everything known of one request. */
export function requestPayload(r: TrackedRequest): RequestPayload {
  return {
    ...lifecycleEntry(r),
    reason: r.reason,
    is4k: r.is4k,
    tmdb_id: r.tmdbId,
    tvdb_id: r.tvdbId,
    downloads: r.downloads,
    stale: r.stale,
    ended_at: r.endedAt,
  };
}

/**
 * The `request_stage` event's data: the change and the request as published. A `type` (not an
 * interface): emitEvent takes it as a `Record<string, unknown>`.
 */
export type StageEventData = {
  /** null: the first stage of a request seen for the first time. */
  from: Stage | null;
  to: Stage;
  request: RequestPayload;
};

/** `<base>/<instance>/stage_event` (not retained): HA's event entity fires `event_type`, the stage reached. */
export type StageEventPayload = { event_type: Stage } & StageEventData;

/** The `request_stage` event's data: the change and the request as published. */
export function stageEventData(from: Stage | null, to: Stage, r: TrackedRequest): StageEventData {
  return { from, to, request: requestPayload(r) };
}
