import { describe, expect, it } from 'vitest';
import { jellyfinAuthorization, jellyfinIdentity, tokenFromAuthorization } from '../../src/services/jellyfin/auth.js';
import { Cadence } from '../../src/services/cadence.js';
import { itemKind, itemTitle, libraryState, playMethod, recentState, scanState } from '../../src/services/jellyfin/map.js';
import { normaliseJellyfinSessions } from '../../src/services/jellyfin/sessions.js';
import { sessionsState } from '../../src/sessions/publish.js';
import { PushCoalescer } from '../../src/services/push.js';
import { itemCountsSchema, sessionsSchema } from '../../src/services/jellyfin/schemas.js';
import { parseAnswer } from '../../src/services/parse.js';
import { jellyfinWebhookRefresh } from '../../src/services/jellyfin/webhook.js';
import { UpstreamError } from '../../src/errors.js';
import type { Session } from '../../src/services/jellyfin/schemas.js';

const episode = { Name: 'Who Is Alive?', Type: 'Episode', SeriesName: 'Severance', ParentIndexNumber: 2, IndexNumber: 3, RunTimeTicks: 1000 };
const movie = { Name: 'Dune: Part Two', Type: 'Movie', ProductionYear: 2024, RunTimeTicks: 2000, DateCreated: '2026-01-02T03:04:05.0000000Z' };

describe('Jellyfin mappings', () => {
  it('titles items the way people read them', () => {
    expect(itemTitle(episode)).toBe('Severance – S02E03 – Who Is Alive?');
    expect(itemTitle({ ...episode, IndexNumber: null })).toBe('Severance – Who Is Alive?');
    expect(itemTitle(movie)).toBe('Dune: Part Two (2024)');
    expect(itemTitle({ Name: 'Instant Crush', Type: 'Audio', AlbumArtist: 'Daft Punk' })).toBe('Daft Punk – Instant Crush');
    expect(itemTitle({ Type: 'Movie' })).toBe('Unknown');
    expect(itemTitle({ Name: 'x'.repeat(500), Type: 'Book' }).length).toBeLessThanOrEqual(200);
    expect(itemKind('MusicAlbum')).toBe('album');
    expect(itemKind('AudioBook')).toBe('book');
    expect(itemKind(undefined)).toBe('unknown');
  });

  it('maps play methods as jellyfin-web does', () => {
    const s = (PlayMethod: 'Transcode' | 'DirectStream' | 'DirectPlay', TranscodingInfo?: Session['TranscodingInfo']): Session => ({ NowPlayingItem: movie, PlayState: { PlayMethod }, TranscodingInfo });
    expect(playMethod(s('DirectPlay'))).toBe('direct_play');
    expect(playMethod(s('DirectStream'))).toBe('direct_play');
    expect(playMethod(s('Transcode', { IsVideoDirect: false, IsAudioDirect: false, VideoCodec: 'h264' }))).toBe('transcode');
    // Video copied, audio converted: a direct stream, not a transcode.
    expect(playMethod(s('Transcode', { IsVideoDirect: true, IsAudioDirect: false, VideoCodec: 'hevc' }))).toBe('direct_stream');
    // Remux (container change only).
    expect(playMethod(s('Transcode', { IsVideoDirect: true, IsAudioDirect: true }))).toBe('direct_stream');
    expect(playMethod({ PlayState: { PlayMethod: 'DirectPlay' } })).toBeNull();
  });

  it('counts only sessions that play something, by state and method, with a capped list', () => {
    const sessions: Session[] = [
      { Id: 's1', UserName: 'alice', DeviceName: 'TV', Client: 'Android TV', NowPlayingItem: episode, PlayState: { PositionTicks: 250, IsPaused: false, PlayMethod: 'DirectPlay' } },
      { Id: 's2', UserName: 'bob', DeviceName: 'Firefox', Client: 'Web', NowPlayingItem: movie, PlayState: { PositionTicks: 1000, IsPaused: true, PlayMethod: 'Transcode' }, TranscodingInfo: { IsVideoDirect: false, IsAudioDirect: false, VideoCodec: 'h264' } },
      { Id: 's3', UserName: 'carol', DeviceName: 'iPhone', Client: 'Swiftfin' },
    ];
    // The counting itself is the session feature's (src/sessions/publish.ts); what matters here is
    // that the Jellyfin normaliser feeds it only the sessions that play.
    const out = sessionsState(normaliseJellyfinSessions(sessions), 1);
    expect(out).toMatchObject({ count: 2, playing: 1, paused: 1, transcoding: 1, direct_play: 1, direct_stream: 0, users: 2 });
    expect(out.list.total).toBe(2);
    expect(out.list.items).toHaveLength(1);
    expect(out.list.items[0]).toMatchObject({ user: 'alice', title: 'Severance – S02E03 – Who Is Alive?', device: 'TV', client: 'Android TV', state: 'playing', play_method: 'direct_play' });
    expect(sessionsState(normaliseJellyfinSessions([]), 20)).toMatchObject({ count: 0, playing: 0, paused: 0, transcoding: 0, list: { total: 0, items: [] } });
  });

  it('maps counts, recently added and the scan task', () => {
    const counts = parseAnswer('j', 'x', itemCountsSchema, { MovieCount: 1, SeriesCount: 2, EpisodeCount: 3, ArtistCount: 4, AlbumCount: 5, SongCount: 6, BookCount: 7, ItemCount: 28 });
    expect(libraryState(counts)).toEqual({ movies: 1, series: 2, episodes: 3, artists: 4, albums: 5, songs: 6, books: 7, music_videos: 0, box_sets: 0 });

    const recent = recentState([movie, episode, movie], 2);
    expect(recent).toMatchObject({ count: 2, latest: 'Dune: Part Two (2024)', latest_added: '2026-01-02T03:04:05.000Z' });
    expect(recent.list.items).toEqual([
      { title: 'Dune: Part Two (2024)', kind: 'movie', added: '2026-01-02T03:04:05.000Z', year: 2024 },
      { title: 'Severance – S02E03 – Who Is Alive?', kind: 'episode', added: null },
    ]);
    expect(recentState([], 5)).toMatchObject({ count: 0, latest: null, latest_added: null });

    const idle = { Key: 'RefreshLibrary', State: 'Idle' as const, LastExecutionResult: { Status: 'Failed', EndTimeUtc: '2026-01-01T00:00:00Z' } };
    expect(scanState([idle])).toEqual({ running: false, progress: 0, last_result: 'failed', last_ended: '2026-01-01T00:00:00.000Z' });
    expect(scanState([{ ...idle, State: 'Running', CurrentProgressPercentage: 42.345 }])).toMatchObject({ running: true, progress: 42.3 });
    expect(scanState([{ ...idle, State: 'Cancelling' }])).toMatchObject({ running: true, progress: 0 });
    expect(scanState([{ Key: 'DeleteCacheFiles', State: 'Running' }])).toMatchObject({ running: false });
  });

  it('turns a garbage answer into BAD_RESPONSE naming the field, never a NaN', () => {
    const bad = () => parseAnswer('jellyfin', 'GET /Items/Counts', itemCountsSchema, { MovieCount: 'many' });
    expect(bad).toThrow(UpstreamError);
    expect(bad).toThrow(/GET \/Items\/Counts: unexpected answer at MovieCount/);
    try {
      bad();
    } catch (err) {
      expect((err as UpstreamError).code).toBe('BAD_RESPONSE');
    }
    expect(() => parseAnswer('jellyfin', 'GET /Sessions', sessionsSchema, { not: 'a list' })).toThrow(/BAD_RESPONSE|unexpected answer/);
    expect(() => parseAnswer('jellyfin', 'GET /Sessions', sessionsSchema, [{ PlayState: { PlayMethod: 'Teleport' } }])).toThrow(/PlayState\.PlayMethod/);
  });
});

describe('Jellyfin webhooks and auth', () => {
  it('maps the webhook plugin notification types to targeted refreshes', () => {
    expect(jellyfinWebhookRefresh({ NotificationType: 'PlaybackStart' })).toEqual({ type: 'PlaybackStart', refresh: ['sessions'] });
    expect(jellyfinWebhookRefresh({ NotificationType: 'PlaybackStop' }).refresh).toEqual(['sessions']);
    expect(jellyfinWebhookRefresh({ NotificationType: 'ItemAdded' }).refresh).toEqual(['library']);
    expect(jellyfinWebhookRefresh({ NotificationType: 'TaskCompleted' }).refresh).toEqual(['scan', 'library']);
    expect(jellyfinWebhookRefresh({ NotificationType: 'ScheduledTaskEnded' }).refresh).toEqual(['scan', 'library']);
    expect(jellyfinWebhookRefresh({ NotificationType: 'PlaybackProgress' }).refresh).toEqual([]);
    expect(jellyfinWebhookRefresh({ NotificationType: 'UserCreated' }).refresh).toEqual(['sessions']);
    expect(jellyfinWebhookRefresh(undefined)).toEqual({ type: null, refresh: ['sessions'] });
    expect(jellyfinWebhookRefresh({ NotificationType: 7 })).toEqual({ type: null, refresh: ['sessions'] });
  });

  it('builds the MediaBrowser header and reads the token back', () => {
    const h = jellyfinAuthorization(jellyfinIdentity('abc123', 'jellyfin_4k', '1.2.3'));
    expect(h).toBe('MediaBrowser Client="media2mqtt", Device="media2mqtt", DeviceId="media2mqtt-jellyfin_4k", Version="1.2.3", Token="abc123"');
    expect(tokenFromAuthorization(h)).toBe('abc123');
    expect(tokenFromAuthorization('Emby UserId="x", Token="t0k"')).toBe('t0k');
    expect(tokenFromAuthorization('Bearer abc')).toBeNull();
    expect(tokenFromAuthorization(undefined)).toBeNull();
    // A quote in a value cannot end it early and smuggle another field in.
    expect(jellyfinAuthorization({ client: 'a", Token="evil', device: 'd', deviceId: 'i', version: 'v', token: 'real' })).not.toContain('Token="evil"');
  });
});

describe('Cadence and PushCoalescer', () => {
  it('is due at first, after its period (with slack) and when forced; a force during a fetch survives it', () => {
    const c = new Cadence({ library: { every: () => 100_000 } }, { slack: 0.1 });
    expect(c.due('library', 0)).toBe(true);
    c.done('library', c.begin('library'), 0);
    expect(c.due('library', 50_000)).toBe(false);
    expect(c.due('library', 91_000)).toBe(true);
    const ticket = c.begin('library');
    c.force('library'); // a push arrives while the fetch runs
    c.done('library', ticket, 100_000);
    expect(c.pending('library')).toBe(true);
    expect(c.due('library', 100_001)).toBe(true);
    c.done('library', c.begin('library'), 100_002);
    expect(c.pending('library')).toBe(false);
  });

  it("runs once for a burst (the first at once) and again, after the window, for a push during the run", async () => {
    let runs = 0;
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const p = new PushCoalescer(async () => {
      runs++;
      await gate;
    }, 10);
    const burst = Promise.all([p.trigger(), p.trigger(), p.trigger()]);
    await new Promise((r) => setTimeout(r, 30));
    expect(runs).toBe(1);
    const late = p.trigger(); // arrives while the first run is still going
    release();
    await burst;
    gate = Promise.resolve();
    await late;
    expect(runs).toBe(2);
    p.stop();
    await p.trigger();
    expect(runs).toBe(2);
  });
});

describe('PushCoalescer leading edge', () => {
  it('runs the first push of a quiet period at once, not after the window', async () => {
    let runs = 0;
    // A window far longer than any test: without the leading edge this trigger would not resolve.
    const p = new PushCoalescer(async () => void runs++, 3_600_000);
    await p.trigger();
    expect(runs).toBe(1);
    // The next push within the window waits for it (trailing run), so it is still pending here.
    let second = false;
    void p.trigger().then(() => (second = true));
    await new Promise((r) => setImmediate(r));
    expect(second).toBe(false);
    p.stop();
  });
});

describe('the simulated Jellyfin world', () => {
  it('keeps going through a long demo: episodes roll on, movies end, scans find files', async () => {
    const { JellyfinWorld } = await import('../../src/services/jellyfin/sim-world.js');
    const w = new JellyfinWorld();
    w.startPlayback({ user: 'erin', device: 'Bedroom', client: 'Kodi', itemName: 'Good News About Hell' });
    const movies = w.counts().MovieCount;
    for (let i = 0; i < 300; i++) {
      if (i % 10 === 0) w.startScan();
      w.tick();
    }
    // 300 simulated minutes: bob's movie ended, erin watched on through Severance.
    expect(w.playingSessions().map((s) => s.UserName)).not.toContain('bob');
    expect(w.counts().MovieCount).toBe(movies + 1);
    expect(w.counts().EpisodeCount).toBe(17);
    expect(w.scanTask.last?.Status).toBe('Completed');
  });
});
