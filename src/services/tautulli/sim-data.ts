/**
 * Demo playback for the Tautulli simulator: real-looking titles, users and players. Field names
 * and string-typed numbers follow the `get_activity` example in specs/tautulli/api-reference.md.
 */
export interface SimPlayback {
  user: string;
  user_id: number;
  media_type: 'movie' | 'episode';
  title: string;
  grandparent_title: string;
  year: number;
  /** Minutes. */
  duration_min: number;
  transcode_decision: 'direct play' | 'copy' | 'transcode';
  quality_profile: string;
  resolution: '4k' | '1080p' | '720p' | '480p';
  player: string;
  product: string;
  platform: string;
  location: 'lan' | 'wan';
  /** kbps. */
  bandwidth: number;
  /** Episodes: season and episode number. */
  season?: number;
  episode?: number;
  /** Source codecs (the stream's are the same unless transcoded). */
  video_codec: string;
  audio_codec: string;
}

export const SIM_PLAYBACKS: readonly SimPlayback[] = [
  { user: 'Jon', user_id: 1001, media_type: 'episode', title: 'Long, Long Time', grandparent_title: 'The Last of Us', year: 2023, duration_min: 75, transcode_decision: 'direct play', quality_profile: 'Original', resolution: '1080p', player: 'Living Room TV', product: 'Plex for LG', platform: 'webOS', location: 'lan', bandwidth: 12400 , season: 1, episode: 3, video_codec: 'h264', audio_codec: 'eac3' },
  { user: 'Sansa', user_id: 1002, media_type: 'movie', title: 'Dune: Part Two', grandparent_title: '', year: 2024, duration_min: 166, transcode_decision: 'transcode', quality_profile: '4 Mbps 720p', resolution: '720p', player: 'iPhone', product: 'Plex for iOS', platform: 'iOS', location: 'wan', bandwidth: 4300 , video_codec: 'hevc', audio_codec: 'truehd' },
  { user: 'Arya', user_id: 1003, media_type: 'episode', title: 'Hello, Ms. Cobel', grandparent_title: 'Severance', year: 2025, duration_min: 52, transcode_decision: 'copy', quality_profile: 'Original', resolution: '4k', player: 'SHIELD Android TV', product: 'Plex for Android (TV)', platform: 'Android', location: 'lan', bandwidth: 21800 , season: 2, episode: 1, video_codec: 'hevc', audio_codec: 'eac3' },
  { user: 'Bran', user_id: 1004, media_type: 'movie', title: 'Oppenheimer', grandparent_title: '', year: 2023, duration_min: 180, transcode_decision: 'direct play', quality_profile: 'Original', resolution: '1080p', player: 'Office PC', product: 'Plex Web', platform: 'Chrome', location: 'lan', bandwidth: 9800 , video_codec: 'h264', audio_codec: 'aac' },
  { user: 'Sam', user_id: 1005, media_type: 'episode', title: 'The Bear', grandparent_title: 'The Bear', year: 2022, duration_min: 30, transcode_decision: 'transcode', quality_profile: '2 Mbps 480p', resolution: '480p', player: 'Pixel 8', product: 'Plex for Android (Mobile)', platform: 'Android', location: 'wan', bandwidth: 2100 , season: 1, episode: 1, video_codec: 'hevc', audio_codec: 'eac3' },
];

/** Commands the simulator implements (the real server has ~125; an unknown one gets Tautulli's 400). */
export const SIM_COMMANDS = ['get_activity', 'get_server_info', 'get_tautulli_info', 'server_status', 'status', 'terminate_session'] as const;
