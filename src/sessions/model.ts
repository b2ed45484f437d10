/**
 * One playback session, whatever the source (Jellyfin `/Sessions`, Plex `/status/sessions`,
 * Tautulli `get_activity`). Each source folder has a pure normaliser to this shape
 * (`src/services/<type>/sessions.ts`); everything after that (tracking, events, analytics,
 * entities) is shared and knows nothing about the source.
 */

export const SESSION_STATES = ['playing', 'paused', 'buffering'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export const PLAY_METHODS = ['direct_play', 'direct_stream', 'transcode'] as const;
export type PlayMethod = (typeof PLAY_METHODS)[number];

export const DEVICE_KINDS = ['tv', 'mobile', 'tablet', 'desktop', 'browser', 'console', 'other'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export type ResolutionBucket = 'SD' | '720p' | '1080p' | '4K';
export type MediaType = 'movie' | 'episode' | 'track' | 'live' | 'video' | 'other';
export type Location = 'lan' | 'wan';

export interface PlaybackSession {
  /** Unique within its instance only (instances never share a tracker); a new item is a new key. */
  key: string;
  user: string;
  /** Display title: "Series – S01E02 – Episode" or "Movie (Year)". */
  title: string;
  /** The item's own title (episode or movie name). */
  item_title: string;
  series: string | null;
  season: number | null;
  episode: number | null;
  year: number | null;
  media_type: MediaType;
  /** Seconds into the item. */
  position: number;
  /** Seconds; null when the source does not know (live TV). */
  duration: number | null;
  /** 0–100 with one decimal; null without a duration. */
  progress: number | null;
  state: SessionState;
  play_method: PlayMethod;
  /** Why the server transcodes (source vocabulary in snake_case); empty for direct play. */
  transcode_reasons: string[];
  /** Codecs reaching the player (after transcoding), lower case. */
  video_codec: string | null;
  audio_codec: string | null;
  resolution: ResolutionBucket | null;
  device: string;
  device_kind: DeviceKind;
  /** The client application (“Jellyfin Web”, “Plex for iOS”). */
  client: string;
  location: Location | null;
  /** kbit/s; 0 when the source does not say. */
  bandwidth: number;
}

/** Display title shared by every source. */
export function displayTitle(s: { item_title: string; series: string | null; season: number | null; episode: number | null; year: number | null }): string {
  if (s.series) {
    const se = s.season !== null && s.episode !== null ? `S${pad(s.season)}E${pad(s.episode)}` : null;
    return [s.series, se, s.item_title].filter(Boolean).join(' – ');
  }
  return s.year ? `${s.item_title} (${s.year})` : s.item_title;
}

/**
 * What is known of a playback a push reported by key only and that ended before any poll could
 * bring its details: enough to announce it and count its time, nothing invented.
 */
export function minimalSession(key: string, over: Partial<PlaybackSession> = {}): PlaybackSession {
  return {
    key, user: 'unknown', title: 'unknown', item_title: 'unknown', series: null, season: null, episode: null, year: null,
    media_type: 'other', position: 0, duration: null, progress: null, state: 'playing', play_method: 'direct_play',
    transcode_reasons: [], video_codec: null, audio_codec: null, resolution: null, device: 'unknown', device_kind: 'other',
    client: '', location: null, bandwidth: 0, ...over,
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Resolution bucket from a height in pixels or a label ("4k", "1080", "720p", "sd", "480").
 * Heights use the lower edge of each class (a 1920×800 scope film is 1080p, as Plex and
 * Jellyfin label it), so a width is taken into account when given.
 */
export function resolutionBucket(value: number | string | null | undefined, width?: number | null): ResolutionBucket | null {
  if (value === null || value === undefined || value === '') {
    return width ? resolutionBucket(Math.round((width * 9) / 16)) : null;
  }
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === '4k' || v === 'uhd' || v === '2160p' || v === '2160') return '4K';
    if (v === 'sd') return 'SD';
    const n = Number.parseInt(v, 10);
    return Number.isFinite(n) ? resolutionBucket(n, width) : null;
  }
  const h = Math.max(value, width ? Math.round((width * 9) / 16) : 0);
  if (h >= 1500) return '4K';
  if (h >= 900) return '1080p';
  if (h >= 600) return '720p';
  return h > 0 ? 'SD' : null;
}

/**
 * Device kind from whatever the source names (device, platform, client/product). Order matters:
 * "Android TV" is a TV before it is Android, "iPad" a tablet before it is iOS.
 */
const KIND_RULES: [DeviceKind, RegExp][] = [
  ['console', /\b(xbox|playstation|ps[345]|nintendo|switch)\b/i],
  ['tv', /\b(tv|roku|shield|chromecast|webos|tizen|vizio|firetv|fire tv|aftv|apple ?tv|tvos|kodi|lg|samsung|smart ?tv|android ?tv|google ?tv|hisense|vidaa|sonos)\b|tv\)/i],
  ['tablet', /\b(ipad|tablet|kindle|fire hd)\b/i],
  ['mobile', /\b(iphone|ios|android|mobile|phone|pixel|galaxy|swiftfin)\b/i],
  ['browser', /\b(web|chrome|firefox|safari|edge|opera|browser|chromium)\b/i],
  ['desktop', /\b(windows|mac|macos|osx|linux|desktop|media player|htpc|pc|jellyfin media player|plexamp|mpv|vlc)\b/i],
];

export function deviceKind(...hints: (string | null | undefined)[]): DeviceKind {
  const texts = hints.filter((h): h is string => typeof h === 'string' && h.length > 0);
  for (const [kind, re] of KIND_RULES) if (texts.some((t) => re.test(t))) return kind;
  return 'other';
}

/** Percentage with one decimal, clamped; null without a positive duration. */
export function progressPercent(position: number, duration: number | null): number | null {
  if (!duration || duration <= 0) return null;
  return Math.round(Math.min(100, Math.max(0, (position / duration) * 100)) * 10) / 10;
}

/** "VideoCodecNotSupported" → "video_codec_not_supported". */
export function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** A finite number from a value that may be a numeric string, else null. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}
