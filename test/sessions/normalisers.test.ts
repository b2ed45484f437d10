import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseJellyfinSessions } from '../../src/services/jellyfin/sessions.js';
import { sessionsSchema as jellyfinSessions } from '../../src/services/jellyfin/schemas.js';
import { normalisePlexSessions } from '../../src/services/plex/sessions.js';
import { sessionsSchema as plexSessions } from '../../src/services/plex/schemas.js';
import { normaliseTautulliSession } from '../../src/services/tautulli/sessions.js';
import { activitySchema } from '../../src/services/tautulli/schemas.js';
import { deviceKind, resolutionBucket } from '../../src/sessions/model.js';
import { lanOrWan } from '../../src/sessions/network.js';
import { OpenApiSpec } from '../helpers/openapi.js';

/** Two `SessionInfoDto`s as GET /Sessions returns them: a 4K HEVC transcode on a phone over WAN, a direct play on a TV. */
const jellyfinFixture = [
  {
    Id: 'a1b2c3', UserId: '6c2b0f31-4f5e-4a36-9a8a-0d3b2b9b1a11', UserName: 'alice', Client: 'Jellyfin iOS', DeviceName: 'iPhone 15', DeviceId: 'dev-1',
    ApplicationVersion: '1.6.1', RemoteEndPoint: '203.0.113.7', IsActive: true, SupportsMediaControl: true, SupportsRemoteControl: true,
    PlayState: { PositionTicks: 18_000_000_000, CanSeek: true, IsPaused: false, IsMuted: false, PlayMethod: 'Transcode', RepeatMode: 'RepeatNone', PlaybackOrder: 'Default' },
    NowPlayingItem: {
      Name: 'Dune: Part Two', Id: 'item-dune', Type: 'Movie', MediaType: 'Video', ProductionYear: 2024, RunTimeTicks: 99_600_000_000, Width: 3840, Height: 2160,
      MediaStreams: [
        { Type: 'Video', Codec: 'hevc', Width: 3840, Height: 2160, BitRate: 60_000_000, IsDefault: true, IsForced: false, IsExternal: false, IsInterlaced: false, IsTextSubtitleStream: false, SupportsExternalStream: false, Index: 0 },
        { Type: 'Audio', Codec: 'truehd', BitRate: 4_000_000, Channels: 8, IsDefault: true, IsForced: false, IsExternal: false, IsInterlaced: false, IsTextSubtitleStream: false, SupportsExternalStream: false, Index: 1 },
      ],
    },
    TranscodingInfo: {
      AudioCodec: 'aac', VideoCodec: 'h264', Container: 'ts', IsVideoDirect: false, IsAudioDirect: false, Bitrate: 8_000_000, Width: 1280, Height: 720,
      AudioChannels: 2, HardwareAccelerationType: 'vaapi', TranscodeReasons: ['VideoCodecNotSupported', 'ContainerBitrateExceedsLimit'],
    },
  },
  {
    Id: 'd4e5f6', UserName: 'bob', Client: 'Jellyfin Android TV', DeviceName: 'SHIELD', RemoteEndPoint: '192.168.1.23',
    PlayState: { PositionTicks: 6_000_000_000, IsPaused: true, PlayMethod: 'DirectPlay', CanSeek: true, IsMuted: false, RepeatMode: 'RepeatNone', PlaybackOrder: 'Default' },
    NowPlayingItem: {
      Name: 'Who Is Alive?', Id: 'item-sev', Type: 'Episode', SeriesName: 'Severance', ParentIndexNumber: 2, IndexNumber: 3, ProductionYear: 2025, RunTimeTicks: 30_000_000_000,
      MediaStreams: [{ Type: 'Video', Codec: 'h264', Width: 1920, Height: 1080, BitRate: 9_000_000, IsDefault: true, IsForced: false, IsExternal: false, IsInterlaced: false, IsTextSubtitleStream: false, SupportsExternalStream: false, Index: 0 }],
    },
  },
  // An open app with nothing playing is not a playback session.
  { Id: 'idle', UserName: 'carol', Client: 'Jellyfin Web', DeviceName: 'Firefox', PlayState: { CanSeek: false, IsPaused: false, IsMuted: false, RepeatMode: 'RepeatNone', PlaybackOrder: 'Default' } },
];

/** /status/sessions as PMS answers it: a transcode to a phone over WAN, a direct play on a TV. */
const plexFixture = {
  MediaContainer: {
    size: 2,
    Metadata: [
      {
        sessionKey: '41', ratingKey: '5012', key: '/library/metadata/5012', type: 'movie', title: 'Oppenheimer', year: 2023, duration: 10_800_000, viewOffset: 2_700_000, addedAt: 1_700_000_000,
        Media: [{ id: 1, videoResolution: '720', videoCodec: 'h264', audioCodec: 'aac', height: 720, width: 1280, bitrate: 4000, container: 'mpegts', Part: [] }],
        User: { id: '1', title: 'Sansa', thumb: 'https://plex.tv/users/x/avatar' },
        Player: { title: 'iPhone', product: 'Plex for iOS', platform: 'iOS', state: 'paused', local: false, address: '203.0.113.9', machineIdentifier: 'abc' },
        Session: { id: 'sess-41', bandwidth: 4300, location: 'wan' },
        TranscodeSession: { key: '/transcode/sessions/x', videoDecision: 'transcode', audioDecision: 'transcode', videoCodec: 'h264', audioCodec: 'aac', height: 720, width: 1280, throttled: false, progress: 12.5, sourceVideoCodec: 'hevc' },
      },
      {
        sessionKey: '42', ratingKey: '7001', key: '/library/metadata/7001', addedAt: 1_690_000_000, type: 'episode', title: 'Long, Long Time', grandparentTitle: 'The Last of Us', parentIndex: 1, index: 3, year: 2023, duration: 4_500_000, viewOffset: 450_000,
        Media: [{ id: 2, videoResolution: '4k', videoCodec: 'hevc', audioCodec: 'eac3', height: 2160, width: 3840, bitrate: 24000, container: 'mkv', Part: [] }],
        User: { id: '2', title: 'Jon' },
        Player: { title: 'Living Room', product: 'Plex for LG', platform: 'webOS', state: 'playing', local: true },
        Session: { id: 'sess-42', bandwidth: 12400, location: 'lan' },
      },
    ],
  },
};

describe('normalisers: Jellyfin /Sessions', () => {
  it('the fixture is a valid GET /Sessions answer for the official spec', () => {
    const spec = new OpenApiSpec('jellyfin/openapi.json');
    // The generated spec puts the TranscodeReason enum on the array itself (a [Flags] enum that the
    // server serialises as an array of names): checked item by item, the rest against the schema.
    const reasons = spec.doc.components.schemas.TranscodingInfo.properties.TranscodeReasons.enum as string[];
    expect(jellyfinFixture[0]!.TranscodingInfo!.TranscodeReasons.every((r) => reasons.includes(r))).toBe(true);
    const withoutReasons = structuredClone(jellyfinFixture);
    delete (withoutReasons[0]!.TranscodingInfo as Record<string, unknown>).TranscodeReasons;
    expect(spec.validateResponse('GET', '/Sessions', 200, withoutReasons)).toEqual([]);
  });

  it('maps play state, method, reasons, codecs, resolution, device, LAN/WAN and bandwidth', () => {
    const [phone, tv, ...rest] = normaliseJellyfinSessions(jellyfinSessions.parse(jellyfinFixture));
    expect(rest).toEqual([]);
    expect(phone).toEqual({
      key: 'a1b2c3:item-dune', user: 'alice', title: 'Dune: Part Two (2024)', item_title: 'Dune: Part Two', series: null, season: null, episode: null, year: 2024,
      media_type: 'movie', position: 1800, duration: 9960, progress: 18.1, state: 'playing', play_method: 'transcode',
      transcode_reasons: ['video_codec_not_supported', 'container_bitrate_exceeds_limit'], video_codec: 'h264', audio_codec: 'aac', resolution: '720p',
      device: 'iPhone 15', device_kind: 'mobile', client: 'Jellyfin iOS', location: 'wan', bandwidth: 8000,
    });
    expect(tv).toMatchObject({
      key: 'd4e5f6:item-sev', user: 'bob', title: 'Severance – S02E03 – Who Is Alive?', series: 'Severance', season: 2, episode: 3, media_type: 'episode',
      position: 600, duration: 3000, progress: 20, state: 'paused', play_method: 'direct_play', transcode_reasons: [], video_codec: 'h264', resolution: '1080p',
      device_kind: 'tv', location: 'lan', bandwidth: 9000,
    });
  });
});

describe('normalisers: Plex /status/sessions', () => {
  it('the fixture is a valid listSessions answer for the community spec', () => {
    expect(new OpenApiSpec('plex/plex-api-spec.yaml').validateResponse('GET', '/status/sessions', 200, plexFixture)).toEqual([]);
  });

  it('maps player state, decisions, codecs, resolution, device, location and bandwidth', () => {
    const [phone, tv] = normalisePlexSessions(plexSessions.parse(plexFixture).MediaContainer.Metadata!);
    expect(phone).toEqual({
      key: '41:5012', user: 'Sansa', title: 'Oppenheimer (2023)', item_title: 'Oppenheimer', series: null, season: null, episode: null, year: 2023,
      media_type: 'movie', position: 2700, duration: 10800, progress: 25, state: 'paused', play_method: 'transcode',
      transcode_reasons: ['video_transcode', 'audio_transcode'], video_codec: 'h264', audio_codec: 'aac', resolution: '720p',
      device: 'iPhone', device_kind: 'mobile', client: 'Plex for iOS', location: 'wan', bandwidth: 4300,
    });
    expect(tv).toMatchObject({
      key: '42:7001', title: 'The Last of Us – S01E03 – Long, Long Time', season: 1, episode: 3, state: 'playing', play_method: 'direct_play',
      transcode_reasons: [], video_codec: 'hevc', resolution: '4K', device_kind: 'tv', location: 'lan', bandwidth: 12400, progress: 10,
    });
  });
});

describe('normalisers: Tautulli get_activity', () => {
  it('maps the documented example', () => {
    const doc = JSON.parse(readFileSync(new URL('../fixtures/tautulli/get_activity.json', import.meta.url), 'utf8')) as { response: { data: unknown } };
    const [s] = activitySchema.parse(doc.response.data).sessions.map(normaliseTautulliSession);
    expect(s).toEqual({
      key: '27:153037', user: 'Jon Snow', title: 'Game of Thrones – S06E01 – The Red Woman', item_title: 'The Red Woman', series: 'Game of Thrones', season: 6, episode: 1, year: 2016,
      media_type: 'episode', position: 1, duration: 2998, progress: 0, state: 'playing', play_method: 'direct_play', transcode_reasons: [],
      video_codec: 'h264', audio_codec: 'ac3', resolution: '1080p', device: 'Castle-PC', device_kind: 'desktop', client: 'Plex Media Player', location: 'lan', bandwidth: 25318,
    });
  });

  it('a transcode names the transcoded streams as reasons', () => {
    const a = activitySchema.parse({ stream_count: '1', sessions: [{ session_key: '9', rating_key: '1', media_type: 'movie', title: 'X', state: 'buffering', transcode_decision: 'transcode', video_decision: 'transcode', audio_decision: 'copy', subtitle_decision: 'burn', product: 'Plex for Xbox', bandwidth: '' }] });
    expect(normaliseTautulliSession(a.sessions[0]!)).toMatchObject({ state: 'buffering', play_method: 'transcode', transcode_reasons: ['video_transcode', 'subtitle_burn'], device_kind: 'console', bandwidth: 0, location: null });
  });
});

describe('normalisers: shared rules', () => {
  it('buckets resolutions', () => {
    expect([resolutionBucket('4k'), resolutionBucket(2160), resolutionBucket('1080'), resolutionBucket(800, 1920), resolutionBucket('720p'), resolutionBucket('sd'), resolutionBucket(480), resolutionBucket(''), resolutionBucket(null)]).toEqual(['4K', '4K', '1080p', '1080p', '720p', 'SD', 'SD', null, null]);
  });

  it('names device kinds from client, device and platform', () => {
    const cases: [string[], string][] = [
      [['Plex for Android (TV)', 'Android', 'SHIELD Android TV'], 'tv'],
      [['Plex for Android (Mobile)', 'Android', 'Pixel 8'], 'mobile'],
      [['Jellyfin iOS', 'iPad Pro'], 'tablet'],
      [['Jellyfin Web', 'Firefox'], 'browser'],
      [['Plex Media Player', 'Windows'], 'desktop'],
      [['Plex for PlayStation', 'PlayStation 5'], 'console'],
      [['Jellyfin Roku', 'Roku Ultra'], 'tv'],
      [['Infuse'], 'other'],
    ];
    for (const [hints, kind] of cases) expect(deviceKind(...hints), hints.join(' / ')).toBe(kind);
  });

  it('tells LAN from WAN by address', () => {
    expect(['192.168.1.5', '10.0.0.1:5000', '172.20.0.4', '[::1]:8096', 'fd00::5', '::ffff:192.168.0.2', '203.0.113.7', '2001:db8::1', 'garbage', null].map(lanOrWan)).toEqual(['lan', 'lan', 'lan', 'lan', 'lan', 'lan', 'wan', 'wan', null, null]);
  });
});
