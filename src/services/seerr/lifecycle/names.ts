/**
 * Names the request lifecycle and the services agree on. The services import only this file: one
 * `ctx.share(SHARED.x, records)` line where the records are already in hand.
 */
import type { LifecyclePayload, RequestPayload, StageEventPayload } from './payload.js';

/** Names of what services share for the lifecycle (`ctx.share`), one per place the data is in hand. */
export const SHARED = {
  /** Sonarr/Radarr: the records of every GET /queue read (QueueResource[]). */
  servarrQueue: 'servarr_queue',
  /** Sonarr/Radarr: the full series/movie list when it is read (SeriesResource[] / MovieResource[]). */
  servarrLibrary: 'servarr_library',
  /** Sonarr/Radarr: each webhook body received. */
  servarrWebhook: 'servarr_webhook',
  /** qBittorrent: the torrents merged from sync/maindata, by hash. */
  qbitTorrents: 'qbittorrent_torrents',
  /** SABnzbd: mode=queue slots, and the mode=history slots looked up. */
  sabQueue: 'sabnzbd_queue',
  sabHistory: 'sabnzbd_history',
  /** Every service: a poll failed (the lifecycle marks what depends on it stale at once). */
  pollFailed: 'poll_failed',
  /** Every service publishes `status` after each successful poll (not stale any more). */
  status: 'status',
} as const;

/** What the lifecycle publishes under the Seerr instance's `<base>/<instance>/` (README, "Request lifecycle"). */
export const LifecycleState = {
  list: 'lifecycle',
  stageEvent: 'stage_event',
  request: (id: number) => `requests/${id}` as const,
} as const;

/**
 * The lifecycle's part of the Seerr instance's MQTT contract: the list, the (not retained) stage
 * event, and one retained topic per followed request.
 */
export type LifecycleStates = {
  lifecycle: LifecyclePayload;
  stage_event: StageEventPayload;
  [name: `requests/${number}`]: RequestPayload;
};

export const REQUEST_STAGE_EVENT = 'request_stage';
