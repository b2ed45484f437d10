import { deviceKind, displayTitle, progressPercent, resolutionBucket, snakeCase, type MediaType, type PlaybackSession } from '../../sessions/model.js';
import { lanOrWan } from '../../sessions/network.js';
import { playMethod } from './map.js';
import type { Item, Session } from './schemas.js';

/** Jellyfin ticks are 100 ns (`PositionTicks`, `RunTimeTicks`). */
const TICKS_PER_SECOND = 10_000_000;

/**
 * `GET /Sessions` (`SessionInfoDto[]`, specs/jellyfin/openapi.json) → the sessions playing
 * something. A Jellyfin session is a device connection that lives across items, so the key is
 * the session id plus the item: the next episode is a new playback.
 */
export function normaliseJellyfinSessions(sessions: readonly Session[]): PlaybackSession[] {
  return sessions.filter((s) => s.NowPlayingItem && s.Id).map(normaliseJellyfinSession);
}

export function normaliseJellyfinSession(s: Session): PlaybackSession {
  const item = s.NowPlayingItem!;
  const t = s.TranscodingInfo ?? null;
  const method = playMethod(s) ?? 'direct_play';
  const video = item.MediaStreams?.find((m) => m.Type === 'Video');
  const audio = item.MediaStreams?.find((m) => m.Type === 'Audio');
  const episode = item.Type === 'Episode';
  const duration = item.RunTimeTicks && item.RunTimeTicks > 0 ? Math.round(item.RunTimeTicks / TICKS_PER_SECOND) : null;
  const position = Math.max(0, Math.round((s.PlayState?.PositionTicks ?? 0) / TICKS_PER_SECOND));
  // What reaches the player: the transcoder's output where it re-encodes, else the file's streams.
  const videoOut = method === 'transcode' && t && !t.IsVideoDirect;
  const audioOut = method === 'transcode' && t && !t.IsAudioDirect;
  const base = {
    item_title: item.Name ?? 'Unknown',
    // A song's artist stands where a series would, as Plex's normaliser does: "Daft Punk – Instant Crush".
    series: episode ? (item.SeriesName ?? null) : item.Type === 'Audio' ? (item.AlbumArtist ?? null) : null,
    season: episode ? (item.ParentIndexNumber ?? null) : null,
    episode: episode ? (item.IndexNumber ?? null) : null,
    year: item.ProductionYear ?? null,
  };
  // Bitrates are bit/s in the spec; bandwidth is kbit/s everywhere in media2mqtt.
  const bps = t?.Bitrate ?? ((video?.BitRate ?? 0) + (audio?.BitRate ?? 0));
  return {
    key: `${s.Id}:${item.Id ?? item.Name ?? ''}`,
    user: s.UserName ?? 'unknown',
    title: displayTitle(base),
    ...base,
    media_type: mediaType(item),
    position,
    duration,
    progress: progressPercent(position, duration),
    state: s.PlayState?.IsPaused ? 'paused' : 'playing',
    play_method: method,
    transcode_reasons: method === 'transcode' || method === 'direct_stream' ? (t?.TranscodeReasons ?? []).map(snakeCase) : [],
    video_codec: lower(videoOut ? t?.VideoCodec : (video?.Codec ?? t?.VideoCodec)),
    audio_codec: lower(audioOut ? t?.AudioCodec : (audio?.Codec ?? t?.AudioCodec)),
    resolution: videoOut
      ? resolutionBucket(t?.Height ?? null, t?.Width)
      : resolutionBucket(video?.Height ?? item.Height ?? null, video?.Width ?? item.Width),
    device: s.DeviceName ?? s.Client ?? 'unknown',
    device_kind: deviceKind(s.Client, s.DeviceName, s.DeviceType),
    client: s.Client ?? '',
    location: lanOrWan(s.RemoteEndPoint),
    bandwidth: Math.round(Math.max(0, bps) / 1000),
  };
}

/** `BaseItemKind` → media type. */
function mediaType(item: Item): MediaType {
  switch (item.Type) {
    case 'Movie':
      return 'movie';
    case 'Episode':
      return 'episode';
    case 'Audio':
    case 'AudioBook':
      return 'track';
    case 'TvChannel':
    case 'LiveTvChannel':
    case 'LiveTvProgram':
    case 'Program':
    case 'TvProgram':
      return 'live';
    case 'MusicVideo':
    case 'Video':
    case 'Trailer':
    case 'Recording':
      return 'video';
    default:
      return 'other';
  }
}

function lower(v: string | null | undefined): string | null {
  return v ? v.toLowerCase() : null;
}
