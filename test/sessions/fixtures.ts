import type { PlaybackSession } from '../../src/sessions/model.js';

/** A normalised session with sensible defaults; tests override what they look at. */
export function session(over: Partial<PlaybackSession> & { key: string }): PlaybackSession {
  return {
    user: 'alice',
    title: 'Dune: Part Two (2024)',
    item_title: 'Dune: Part Two',
    series: null,
    season: null,
    episode: null,
    year: 2024,
    media_type: 'movie',
    position: 0,
    duration: 9960,
    progress: 0,
    state: 'playing',
    play_method: 'direct_play',
    transcode_reasons: [],
    video_codec: 'hevc',
    audio_codec: 'eac3',
    resolution: '4K',
    device: 'Living Room TV',
    device_kind: 'tv',
    client: 'Jellyfin Android TV',
    location: 'lan',
    bandwidth: 20000,
    ...over,
  };
}

/** Local noon on a fixed day, ms: scripted days never cross midnight by accident. */
export const NOON = new Date(2026, 10, 20, 12, 0, 0).getTime();
export const S = 1000;
