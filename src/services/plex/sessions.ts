import { deviceKind, displayTitle, progressPercent, resolutionBucket, type MediaType, type PlaybackSession, type SessionState } from '../../sessions/model.js';
import { playMethod } from './map.js';
import type { PlexSession } from './schemas.js';

/**
 * `GET /status/sessions` → `MediaContainer.Metadata[]` (specs/plex/plex-api-spec.yaml,
 * listSessions) → the normalised model. Plex times are ms, `Session.bandwidth` kbps.
 *
 * The key is `sessionKey:ratingKey`, the same pair a `PlaySessionStateNotification` on the
 * notifications WebSocket carries, so pushes and polls name one playback alike.
 */
export function plexSessionKey(sessionKey: string | number | undefined, ratingKey: string | number | undefined): string {
  return `${sessionKey ?? ''}:${ratingKey ?? ''}`;
}

export function normalisePlexSessions(sessions: readonly PlexSession[]): PlaybackSession[] {
  return sessions.map(normalisePlexSession);
}

export function normalisePlexSession(s: PlexSession): PlaybackSession {
  const t = s.TranscodeSession;
  const media = s.Media?.[0];
  const method = playMethod(s);
  const episode = s.type === 'episode';
  const duration = s.duration && s.duration > 0 ? Math.round(s.duration / 1000) : null;
  const position = Math.max(0, Math.round((s.viewOffset ?? 0) / 1000));
  const videoOut = t?.videoDecision === 'transcode';
  const audioOut = t?.audioDecision === 'transcode';
  const base = {
    item_title: s.title,
    series: episode ? (s.grandparentTitle ?? null) : s.type === 'track' ? (s.grandparentTitle ?? null) : null,
    season: episode ? (s.parentIndex ?? null) : null,
    episode: episode ? (s.index ?? null) : null,
    year: s.year ?? null,
  };
  return {
    key: plexSessionKey(s.sessionKey ?? s.Session?.id, s.ratingKey),
    user: s.User?.title || 'unknown',
    title: displayTitle(base),
    ...base,
    media_type: mediaType(s.type),
    position,
    duration,
    progress: progressPercent(position, duration),
    state: state(s.Player?.state),
    play_method: method,
    transcode_reasons: method === 'transcode' || method === 'direct_stream' ? reasons(s) : [],
    video_codec: lower(videoOut ? t?.videoCodec : (media?.videoCodec ?? t?.videoCodec)),
    audio_codec: lower(audioOut ? t?.audioCodec : (media?.audioCodec ?? t?.audioCodec)),
    resolution: videoOut && t?.height ? resolutionBucket(t.height, t.width) : resolutionBucket(media?.videoResolution ?? media?.height ?? null, media?.width),
    device: s.Player?.title || s.Player?.device || s.Player?.product || 'unknown',
    device_kind: deviceKind(s.Player?.product, s.Player?.platform, s.Player?.device, s.Player?.title),
    client: s.Player?.product ?? '',
    location: s.Session?.location === 'lan' || s.Session?.location === 'wan' ? s.Session.location : s.Player?.local === undefined ? null : s.Player.local ? 'lan' : 'wan',
    bandwidth: Math.max(0, s.Session?.bandwidth ?? 0),
  };
}

function mediaType(type: string): MediaType {
  switch (type) {
    case 'movie':
    case 'episode':
    case 'track':
      return type;
    case 'clip':
      return 'video';
    default:
      return 'other';
  }
}

function state(v: string | undefined): SessionState {
  return v === 'paused' || v === 'buffering' ? v : 'playing';
}

/** Plex names no reasons, only which streams it re-encodes or copies: those become the reasons. */
function reasons(s: PlexSession): string[] {
  const t = s.TranscodeSession;
  if (!t) return [];
  const out: string[] = [];
  if (t.videoDecision === 'transcode') out.push('video_transcode');
  if (t.audioDecision === 'transcode') out.push('audio_transcode');
  if (t.subtitleDecision === 'burn') out.push('subtitle_burn');
  if (!out.length && (t.videoDecision === 'copy' || t.audioDecision === 'copy')) out.push('container_remux');
  return out;
}

function lower(v: string | null | undefined): string | null {
  return v ? v.toLowerCase() : null;
}
