import type { TautulliActivity, TautulliSession } from './schemas.js';

/** How a stream reaches the player, from Tautulli's `transcode_decision` ("copy" is a direct stream). */
export type PlayDecision = 'direct_play' | 'direct_stream' | 'transcode' | 'unknown';

export function playDecision(transcodeDecision: string): PlayDecision {
  switch (transcodeDecision.toLowerCase()) {
    case 'direct play':
      return 'direct_play';
    case 'copy':
    case 'direct stream':
      return 'direct_stream';
    case 'transcode':
      return 'transcode';
    default:
      return 'unknown';
  }
}

/** One playback session as published in the activity list (HA attributes, Node-RED). */
export interface SessionItem {
  session_key: string;
  user: string;
  title: string;
  media_type: string;
  state: string;
  /** 0–100. */
  progress: number;
  decision: PlayDecision;
  quality: string;
  resolution: string;
  player: string;
  product: string;
  location: string;
  /** kbit/s, as Tautulli reports it. */
  bandwidth: number;
}

/** `<base>/<instance>/activity`: flat numbers for Grafana, the capped session list for HA. */
export interface ActivityState {
  stream_count: number;
  transcodes: number;
  direct_plays: number;
  direct_streams: number;
  /** kbit/s. */
  total_bandwidth: number;
  lan_bandwidth: number;
  wan_bandwidth: number;
  list: { total: number; sessions: SessionItem[] };
}

export function mapSession(s: TautulliSession): SessionItem {
  return {
    session_key: s.session_key,
    user: s.friendly_name || s.user,
    title: s.full_title || s.title,
    media_type: s.media_type,
    state: s.state,
    progress: clamp(s.progress_percent ?? 0, 0, 100),
    decision: playDecision(s.transcode_decision),
    quality: s.quality_profile,
    resolution: s.stream_video_full_resolution || s.video_full_resolution,
    player: s.player,
    product: s.product,
    location: s.location,
    bandwidth: Math.max(0, s.bandwidth ?? 0),
  };
}

/**
 * `get_activity` → the activity state. Counts and bandwidths come from Tautulli's own totals when
 * it sends them (webserve `get_activity` adds them) and are derived from the sessions otherwise.
 */
export function mapActivity(a: TautulliActivity, listLimit: number): ActivityState {
  const sessions = a.sessions.map(mapSession);
  const count = (d: PlayDecision) => sessions.filter((s) => s.decision === d).length;
  const band = (where?: string) => sessions.filter((s) => !where || s.location === where).reduce((sum, s) => sum + s.bandwidth, 0);
  return {
    stream_count: a.stream_count,
    transcodes: a.stream_count_transcode ?? count('transcode'),
    direct_plays: a.stream_count_direct_play ?? count('direct_play'),
    direct_streams: a.stream_count_direct_stream ?? count('direct_stream'),
    total_bandwidth: a.total_bandwidth ?? band(),
    lan_bandwidth: a.lan_bandwidth ?? band('lan'),
    wan_bandwidth: a.wan_bandwidth ?? band('wan'),
    list: { total: sessions.length, sessions: sessions.slice(0, listLimit) },
  };
}

/** `<base>/<instance>/server`: the Plex Media Server Tautulli watches (`get_server_info`, `server_status`). */
export interface TautulliServerState {
  /** Empty when Tautulli does not know (schemas.ts `optStr`). */
  plex_name: string;
  plex_version: string;
  plex_platform: string;
  plex_connected: boolean;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
