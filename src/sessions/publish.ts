import type { StatsState } from './analytics.js';
import type { PlaybackSession } from './model.js';
import type { PlaybackEvent, PlaybackEventType, StopReason } from './tracker.js';

/** State object names under `<base>/<instance>/` (README, "Playback sessions"). */
export const SessionTopics = {
  sessions: 'sessions',
  stats: 'stats',
  event: 'playback_event',
} as const;

/**
 * What the playback-sessions feature publishes under `<base>/<instance>/` of the service that runs
 * it (Jellyfin, Plex, Tautulli): each of those services intersects this into its own StateMap, so
 * the feature's topics and entities are checked against the same contract as the service's own.
 */
export type SessionStates = {
  sessions: SessionsState;
  stats: StatsState;
  /** Not retained (publishEvent): the HA event entity reads it. */
  playback_event: PlaybackEventPayload;
};

/**
 * HA keeps at most 16 KB of attributes per entity (recorder drops bigger ones): the list is also
 * cut by size, well under that, after `list_limit`.
 */
export const MAX_LIST_BYTES = 12_000;

/** What the per-user now-playing sensor shows. */
export interface NowPlaying {
  user: string;
  title: string;
  /** Not `state`: Home Assistant drops an attribute of that name without a word (STYLE.md). */
  playback_state: PlaybackSession['state'];
  progress: number | null;
  media_type: PlaybackSession['media_type'];
  device: string;
  device_kind: PlaybackSession['device_kind'];
  client: string;
  play_method: PlaybackSession['play_method'];
  /** Sessions this user has open (the sensor shows the one playing, else the newest). */
  sessions: number;
}

/** `<base>/<instance>/sessions`. */
export interface SessionsState {
  count: number;
  playing: number;
  paused: number;
  buffering: number;
  transcoding: number;
  direct_play: number;
  direct_stream: number;
  /** kbit/s. */
  bandwidth_kbps: number;
  lan_bandwidth_kbps: number;
  wan_bandwidth_kbps: number;
  watching: boolean;
  /** Distinct users with a session. */
  users: number;
  /** By user key (see userKey): read by the per-user sensors. */
  now_playing: Record<string, NowPlaying>;
  list: { total: number; items: PlaybackSession[] };
}

/** A user name as an entity key and template key: `[a-z0-9_]`, never empty. */
export function userKey(user: string): string {
  const k = user
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return k || `user_${[...user].reduce((h, c) => (h * 31 + c.codePointAt(0)!) >>> 0, 7).toString(36)}`;
}

export function sessionsState(sessions: readonly PlaybackSession[], limit: number, maxUsers = limit): SessionsState {
  const by = (f: (s: PlaybackSession) => boolean) => sessions.filter(f).length;
  const band = (f: (s: PlaybackSession) => boolean) => sessions.filter(f).reduce((n, s) => n + s.bandwidth, 0);
  return {
    count: sessions.length,
    playing: by((s) => s.state === 'playing'),
    paused: by((s) => s.state === 'paused'),
    buffering: by((s) => s.state === 'buffering'),
    transcoding: by((s) => s.play_method === 'transcode'),
    direct_play: by((s) => s.play_method === 'direct_play'),
    direct_stream: by((s) => s.play_method === 'direct_stream'),
    bandwidth_kbps: band(() => true),
    lan_bandwidth_kbps: band((s) => s.location === 'lan'),
    wan_bandwidth_kbps: band((s) => s.location === 'wan'),
    watching: sessions.some((s) => s.state !== 'paused'),
    users: new Set(sessions.map((s) => userKey(s.user))).size,
    now_playing: nowPlaying(sessions, maxUsers),
    list: { total: sessions.length, items: capList(sessions.slice(0, limit), MAX_LIST_BYTES) },
  };
}

/** Users with open sessions, each with the session that best says what they watch. */
export function nowPlaying(sessions: readonly PlaybackSession[], maxUsers: number): Record<string, NowPlaying> {
  const groups = new Map<string, PlaybackSession[]>();
  for (const s of sessions) {
    const k = userKey(s.user);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const out: Record<string, NowPlaying> = {};
  for (const [k, list] of [...groups].slice(0, maxUsers)) {
    const s = list.find((x) => x.state === 'playing') ?? list.at(-1)!;
    out[k] = {
      user: s.user,
      title: s.title,
      playback_state: s.state,
      progress: s.progress,
      media_type: s.media_type,
      device: s.device,
      device_kind: s.device_kind,
      client: s.client,
      play_method: s.play_method,
      sessions: list.length,
    };
  }
  return out;
}

/** The first items whose JSON fits in `maxBytes`. */
export function capList<T>(items: readonly T[], maxBytes: number): T[] {
  const out: T[] = [];
  let size = 2;
  for (const item of items) {
    size += Buffer.byteLength(JSON.stringify(item)) + 1;
    if (size > maxBytes) break;
    out.push(item);
  }
  return out;
}

/**
 * `<base>/<instance>/playback_event`: the session's fields flat, so HA shows them as the event's
 * attributes. A `type` of mapped members (not an interface): the same object goes to
 * `<base>/bridge/event`, whose data is a plain record.
 */
export type PlaybackEventPayload = { event_type: PlaybackEventType; time: string } & Pick<PlaybackSession, keyof PlaybackSession> & {
  /** Playing time so far (whole session), seconds. */
  watched: number;
  /** Only on `stopped`. */
  reason?: StopReason;
};

/**
 * The payload of the playback event (HA event entity and `<base>/bridge/event`): the session's
 * fields flat, so HA shows them as the event's attributes.
 */
export function eventPayload(e: PlaybackEvent): PlaybackEventPayload {
  return {
    event_type: e.type,
    time: new Date(e.time).toISOString(),
    ...e.session,
    watched: Math.round(e.watched_ms / 1000),
    ...(e.reason ? { reason: e.reason } : {}),
  };
}
