import type { EntityDef } from '../ha/entity.js';
import type { FieldOf } from '../mqtt/contract.js';
import { SessionTopics, type NowPlaying, type SessionStates } from './publish.js';
import { PLAYBACK_EVENTS } from './tracker.js';

/** Keys of the fixed entities; a service may keep older keys (unique_ids never change). */
export type SessionEntityKey = 'streams' | 'transcodes' | 'direct_plays' | 'direct_streams' | 'bandwidth' | 'watching' | 'playback' | 'watch_time_today' | 'transcode_share';

export interface SessionEntityOptions {
  /** Users with a now-playing sensor right now: user key → display name. */
  users: ReadonlyMap<string, string>;
  /** Seconds after which counts go unavailable (≈3 idle polls); none for push-driven sources. */
  expireAfter?: number;
  /**
   * Entities a service already published under another key and name (Jellyfin/Plex had
   * `sessions` "Active sessions" and `transcoding` "Transcoding sessions"): unique_ids never change.
   */
  renamed?: Partial<Record<SessionEntityKey, { key: string; name: string }>>;
}

/** Jellyfin's and Plex's session counts from before the session feature, kept (unique_ids never change). */
export const LEGACY_SESSION_ENTITIES = {
  streams: { key: 'sessions', name: 'Active sessions' },
  transcodes: { key: 'transcoding', name: 'Transcoding sessions' },
} as const satisfies SessionEntityOptions['renamed'];

export const NOW_PLAYING_PREFIX = 'now_playing_';

/**
 * The Home Assistant side of playback sessions: counts and bandwidth from `sessions`, a
 * "someone is watching" binary sensor, an event entity, today's watch time and transcode share
 * from `stats`, and one now-playing sensor per user with an open session (created when they
 * start, removed when their last session ends).
 */
export function sessionEntities(o: SessionEntityOptions): EntityDef<SessionStates>[] {
  const key = (k: SessionEntityKey) => o.renamed?.[k]?.key ?? k;
  const named = (k: SessionEntityKey, name: string) => o.renamed?.[k]?.name ?? name;
  const expire = o.expireAfter !== undefined ? { expireAfter: o.expireAfter } : {};
  type SessionsField = FieldOf<SessionStates, typeof SessionTopics.sessions>;
  const count = (k: SessionEntityKey, name: string, field: SessionsField, icon: string, attributesField?: SessionsField): EntityDef<SessionStates> => ({
    key: key(k), platform: 'sensor', name: named(k, name), state: SessionTopics.sessions, field, stateClass: 'measurement', icon, ...expire,
    ...(attributesField === undefined ? {} : { attributesField }),
  });
  const fixed: EntityDef<SessionStates>[] = [
    count('streams', 'Active streams', 'count', 'mdi:play-network', 'list'),
    count('transcodes', 'Transcodes', 'transcoding', 'mdi:cog-transfer'),
    count('direct_plays', 'Direct plays', 'direct_play', 'mdi:play-circle'),
    count('direct_streams', 'Direct streams', 'direct_stream', 'mdi:play-circle-outline'),
    // kbit/s is a valid data_rate unit; every source reports bandwidth in kbps.
    { key: key('bandwidth'), platform: 'sensor', name: 'Streaming bandwidth', state: SessionTopics.sessions, field: 'bandwidth_kbps', deviceClass: 'data_rate', unit: 'kbit/s', stateClass: 'measurement', precision: 0, ...expire },
    { key: key('watching'), platform: 'binary_sensor', name: 'Someone watching', state: SessionTopics.sessions, field: 'watching', icon: 'mdi:television-play', ...expire },
    // Published not retained: HA's MQTT event entity ignores retained replays (mqtt/event.py).
    { key: key('playback'), platform: 'event', name: 'Playback', state: SessionTopics.event, eventTypes: [...PLAYBACK_EVENTS], icon: 'mdi:play-pause' },
    {
      key: key('watch_time_today'), platform: 'sensor', name: 'Watch time today', state: SessionTopics.stats, field: 'today_watch_time',
      deviceClass: 'duration', unit: 's', stateClass: 'total_increasing',
    },
    { key: key('transcode_share'), platform: 'sensor', name: 'Transcode share today', state: SessionTopics.stats, field: 'today_transcode_share', unit: '%', stateClass: 'measurement', precision: 1, icon: 'mdi:percent' },
  ];
  const users = [...o.users].map(([k, name]): EntityDef<SessionStates> => ({
    key: `${NOW_PLAYING_PREFIX}${k}`,
    platform: 'sensor',
    name: `Now playing ${name}`,
    state: SessionTopics.sessions,
    // The user may already be gone from the state when HA reads it, before the entity is removed.
    valueTemplate: `{% set p = value_json.now_playing.get('${k}') %}{{ p.title if p else 'idle' }}`,
    icon: 'mdi:account-play',
    // attributesField gives the attributes topic; the template (merged last) picks this user.
    attributesField: 'now_playing',
    attributesTemplate: `{{ value_json.now_playing.get('${k}', {}) | tojson }}`,
  }));
  return [...fixed, ...users];
}

/** User key → display name, from the now-playing map. */
export function activeUsers(nowPlaying: Record<string, NowPlaying>): Map<string, string> {
  return new Map(Object.entries(nowPlaying).map(([k, p]) => [k, p.user]));
}
