import { describe, expect, it } from 'vitest';
import { multipartBoundary, multipartField, parseMultipart } from '../../src/services/plex/multipart.js';
import { itemKind, itemTitle, libraryState, playMethod, recentState, scanState, serverState } from '../../src/services/plex/map.js';
import { normalisePlexSessions } from '../../src/services/plex/sessions.js';
import { sessionsState } from '../../src/sessions/publish.js';
import { plexWebhookPayload, plexWebhookRefresh } from '../../src/services/plex/webhook.js';
import { sessionsSchema } from '../../src/services/plex/schemas.js';
import { parseAnswer } from '../../src/services/parse.js';
import type { PlexSession, Section } from '../../src/services/plex/schemas.js';
import { plexWebhookBody } from '../fixtures/plex/webhook.js';

describe('multipart/form-data', () => {
  it('reads the boundary, quoted or not, and only from multipart types', () => {
    expect(multipartBoundary('multipart/form-data; boundary=------------------------d74496d66958873e')).toBe('------------------------d74496d66958873e');
    expect(multipartBoundary('multipart/form-data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(multipartBoundary('Multipart/Form-Data;boundary=xyz')).toBe('xyz');
    expect(multipartBoundary('application/json')).toBeNull();
    expect(multipartBoundary('multipart/form-data')).toBeNull();
  });

  it('splits a Plex webhook body into its payload and its binary thumb', () => {
    const payload = { event: 'media.play', Metadata: { title: 'Dreams – “live” ✓' } };
    const { body, contentType } = plexWebhookBody(payload);
    const parts = parseMultipart(body, multipartBoundary(contentType)!);
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['payload', null, 'application/json'],
      ['thumb', 'image.jpg', 'image/jpeg'],
    ]);
    expect(JSON.parse(parts[0]!.data.toString('utf8'))).toEqual(payload);
    // The JPEG comes back byte for byte, CR LF and dashes inside it included.
    expect(parts[1]!.data[0]).toBe(0xff);
    expect(parts[1]!.data.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(parts[1]!.data.length).toBe(4 + 16 + 256 + 2);
  });

  it('ignores a preamble and an epilogue, drops an unterminated part, and copes with garbage', () => {
    const b = 'XyZ';
    const body = Buffer.from(`This is a preamble.\r\n--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\none\r\n--${b}\r\n\r\nno headers\r\n--${b}--\r\nepilogue`);
    const parts = parseMultipart(body, b);
    expect(parts.map((p) => [p.name, p.data.toString()])).toEqual([
      ['a', 'one'],
      [null, 'no headers'],
    ]);
    expect(parseMultipart(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\nnever closed`), b)).toEqual([]);
    expect(parseMultipart(Buffer.from('not multipart at all'), b)).toEqual([]);
    expect(parseMultipart(Buffer.alloc(0), b)).toEqual([]);
    expect(multipartField(Buffer.from('x'), 'text/plain', 'payload')).toBeNull();
    const escaped = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="pay\\"load"\r\n\r\nv\r\n--${b}--`);
    expect(parseMultipart(escaped, b)[0]!.name).toBe('pay"load');
  });
});

describe('Plex webhooks', () => {
  it('reads the event from the multipart payload, or from a JSON body', () => {
    const { body, contentType } = plexWebhookBody({ event: 'library.new' }, { thumb: false });
    expect(plexWebhookPayload({ contentType, body, json: undefined })).toEqual({ event: 'library.new' });
    expect(plexWebhookPayload({ contentType: 'application/json', body: Buffer.from('{}'), json: { event: 'media.stop' } })).toEqual({ event: 'media.stop' });
    const broken = plexWebhookBody({}, { thumb: false });
    const bad = Buffer.from(broken.body.toString().replace('{}', '{not json'));
    expect(plexWebhookPayload({ contentType: broken.contentType, body: bad, json: undefined })).toBeNull();
    expect(plexWebhookPayload({ contentType: 'text/plain', body: Buffer.from('hi'), json: undefined })).toBeNull();
  });

  it('maps events to targeted refreshes', () => {
    for (const e of ['media.play', 'media.pause', 'media.resume', 'media.stop', 'media.scrobble']) expect(plexWebhookRefresh({ event: e }).refresh).toEqual(['sessions']);
    expect(plexWebhookRefresh({ event: 'library.new' })).toEqual({ event: 'library.new', refresh: ['library'] });
    expect(plexWebhookRefresh({ event: 'admin.database.backup' }).refresh).toEqual(['sessions']);
    expect(plexWebhookRefresh(null)).toEqual({ event: null, refresh: ['sessions'] });
  });
});

describe('Plex mappings', () => {
  it('titles and kinds', () => {
    expect(itemTitle({ type: 'episode', title: 'Long, Long Time', grandparentTitle: 'The Last of Us', parentIndex: 1, index: 3 })).toBe('The Last of Us – S01E03 – Long, Long Time');
    expect(itemTitle({ type: 'season', title: 'Season 2', parentTitle: 'Fallout' })).toBe('Fallout – Season 2');
    expect(itemTitle({ type: 'album', title: 'Rumours', parentTitle: 'Fleetwood Mac' })).toBe('Fleetwood Mac – Rumours');
    expect(itemTitle({ type: 'track', title: 'Dreams', grandparentTitle: 'Fleetwood Mac', parentTitle: 'Rumours' })).toBe('Fleetwood Mac – Dreams');
    expect(itemTitle({ type: 'movie', title: 'Parasite', year: 2019 })).toBe('Parasite (2019)');
    expect(itemTitle({ type: 'clip', title: 'Trailer' })).toBe('Trailer');
    expect(itemKind('show')).toBe('series');
    expect(itemKind('track')).toBe('song');
    expect(itemKind('movie')).toBe('movie');
  });

  it('decides the play method as Tautulli does', () => {
    const s = (t?: PlexSession['TranscodeSession']): PlexSession => ({ type: 'movie', title: 'x', TranscodeSession: t });
    expect(playMethod(s())).toBe('direct_play');
    expect(playMethod(s({ videoDecision: 'transcode', audioDecision: 'copy' }))).toBe('transcode');
    expect(playMethod(s({ videoDecision: 'copy', audioDecision: 'transcode' }))).toBe('transcode');
    expect(playMethod(s({ videoDecision: 'copy', audioDecision: 'copy' }))).toBe('direct_stream');
    expect(playMethod(s({}))).toBe('direct_play');
  });

  it('summarises sessions with bandwidth, states and a capped list', () => {
    const sessions = parseAnswer('plex', 'GET /status/sessions', sessionsSchema, {
      MediaContainer: {
        size: 2,
        Metadata: [
          { type: 'movie', title: 'Parasite', year: 2019, duration: 1000, viewOffset: 500, User: { title: 'bob' }, Player: { title: 'Chrome', product: 'Plex Web', state: 'buffering' }, Session: { bandwidth: 4000 }, TranscodeSession: { videoDecision: 'transcode' } },
          { type: 'track', title: 'Dreams', grandparentTitle: 'Fleetwood Mac', User: { title: 'carol' }, Player: { title: 'Pixel', state: 'paused' }, Session: { bandwidth: 320 } },
        ],
      },
    }).MediaContainer.Metadata!;
    // The counting itself is the session feature's (src/sessions/publish.ts): buffering is its own state.
    const out = sessionsState(normalisePlexSessions(sessions), 1);
    expect(out).toMatchObject({ count: 2, playing: 0, paused: 1, buffering: 1, transcoding: 1, direct_play: 1, direct_stream: 0, bandwidth_kbps: 4320, watching: true });
    expect(out.list.total).toBe(2);
    expect(out.list.items).toHaveLength(1);
    expect(out.list.items[0]).toMatchObject({ user: 'bob', title: 'Parasite (2019)', device: 'Chrome', client: 'Plex Web', state: 'buffering', play_method: 'transcode' });
    expect(sessionsState(normalisePlexSessions([]), 5)).toMatchObject({ count: 0, bandwidth_kbps: 0, list: { total: 0, items: [] } });
    expect(() => parseAnswer('plex', 'GET /status/sessions', sessionsSchema, { MediaContainer: { Metadata: [{ title: 1 }] } })).toThrow(/Metadata\.0\.title/);
  });

  it('adds sections of one kind together and lists them', () => {
    const sec = (key: string, title: string, type: string): Section => ({ key, title, type });
    const out = libraryState(
      [
        { section: sec('1', 'Movies', 'movie'), counts: { movies: 10 } },
        { section: sec('4', 'Movies 4K', 'movie'), counts: { movies: 3 } },
        { section: sec('2', 'TV', 'show'), counts: { series: 2, episodes: 30 } },
      ],
      2,
    );
    expect(out).toMatchObject({ movies: 13, series: 2, episodes: 30, artists: 0, albums: 0, songs: 0, sections: 3 });
    expect(out.list.total).toBe(3);
    expect(out.list.items).toHaveLength(2);
  });

  it('recently added, scan activities and updates', () => {
    const r = recentState([{ type: 'movie', title: 'Poor Things', year: 2023, addedAt: 1_700_000_000 }], 5);
    expect(r).toMatchObject({ count: 1, latest: 'Poor Things (2023)', latest_added: '2023-11-14T22:13:20.000Z' });

    expect(scanState([])).toEqual({ running: false, progress: 0, sections: 0, title: null });
    const scans = scanState([
      { type: 'library.update.section', title: 'Scanning Movies', progress: 40 },
      { type: 'library.update.section', title: 'Scanning Music', progress: -1 },
      { type: 'media.generate.bif', progress: 90 },
    ]);
    expect(scans).toEqual({ running: true, progress: 40, sections: 2, title: 'Scanning Movies' });

    expect(serverState('1.0', 'PMS', null)).toEqual({ name: 'PMS', version: '1.0', update_available: false, latest_version: '1.0' });
    expect(serverState('1.0', 'PMS', { Release: [{ version: '1.1', state: 'available' }] })).toMatchObject({ update_available: true, latest_version: '1.1' });
    expect(serverState('1.0', null, { Release: [{ version: '1.1', state: 'skipped' }] })).toMatchObject({ update_available: false, latest_version: '1.0' });
  });
});

describe('the simulated Plex world', () => {
  it('keeps going through a long demo: episodes and tracks roll on, movies end, scans find files', async () => {
    const { PlexWorld } = await import('../../src/services/plex/sim-world.js');
    const w = new PlexWorld();
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 0) for (const key of ['1', '2', '3']) w.startScan(key);
      w.tick();
    }
    expect(w.sessions.map((s) => s.user.title)).not.toContain('bob');
    expect(w.counts()).toMatchObject({ movies: 7, episodes: 12, songs: 9 });
    expect(w.scans.length).toBe(0);
    expect(w.incoming).toEqual([]);
  });
});
