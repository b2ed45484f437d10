import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JellyfinStates } from '../../src/services/jellyfin/entities.js';
import { jellyfinModule } from '../../src/services/jellyfin/index.js';
import { JellyfinSim } from '../../src/services/jellyfin/sim.js';
import { LIBRARY_SCAN_TASK_KEY } from '../../src/services/jellyfin/map.js';
import { Collector } from '../helpers/mqtt.js';
import { OpenApiSpec } from '../helpers/openapi.js';
import { postWebhook, startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import { checkDevice, expectNoSecrets, itRecoversFromEveryFault, useMediaPair } from '../fixtures/jellyfin/media-checks.js';

type App = TestApp & { secrets: string[] };
const base = 'media2mqtt';
const state = (instance: string, name: string) => `${base}/${instance}/${name}`;

/** Everything the simulator holds that media2mqtt should publish, computed from its own world. */
function expected(sim: JellyfinSim) {
  const w = sim.world;
  const c = w.counts();
  const playing = w.playingSessions();
  return {
    library: { movies: c.MovieCount, series: c.SeriesCount, episodes: c.EpisodeCount, artists: c.ArtistCount, albums: c.AlbumCount, songs: c.SongCount, books: c.BookCount, box_sets: c.BoxSetCount },
    sessions: {
      count: playing.length,
      paused: playing.filter((s) => s.playing!.paused).length,
      transcoding: playing.filter((s) => s.playing!.method === 'Transcode').length,
      users: playing.map((s) => s.UserName).sort(),
    },
  };
}

// Both Jellyfin test apps share the 2 MB spec; it is parsed once for this file.
let spec: OpenApiSpec;
const allRequests: { method: string; path: string; query: Record<string, string> }[] = [];

describe('Jellyfin through the real broker (push-driven: polls only at start)', () => {
  let a: JellyfinSim;
  let b: JellyfinSim;
  let t: App;
  let sub: Collector;

  beforeAll(async () => {
    a = await JellyfinSim.start();
    b = await JellyfinSim.start({ serverName: 'Jellyfin 4K' });
    // The second server differs: bob's transcode has ended there, and it has one movie more.
    b.world.stopPlayback('bob');
    b.world.addItem({ Name: 'Interstellar', Type: 'Movie', ProductionYear: 2014, RunTimeTicks: 169 * 600_000_000 });
    // live: false, so only the webhooks (not the WebSocket) can be what refreshes.
    const slow = { interval: 3600, idle_interval: 3600, list_limit: 5, live: false };
    t = await startWithServices([
      { id: 'jellyfin', module: jellyfinModule, sim: a, extra: slow },
      { id: 'jellyfin_4k', module: jellyfinModule, sim: b, extra: { ...slow, name: 'Jellyfin 4K' } },
    ]);
    sub = await Collector.connect(t.url, ['homeassistant/#', `${base}/#`]);
  });

  afterAll(async () => {
    for (const s of [a, b]) allRequests.push(...s.server.requests);
    await sub?.close();
    await t?.stop();
    await a?.stop();
    await b?.stop();
  });

  it('publishes a valid HA device whose every entity has its value, equal to what the server holds', async () => {
    const comps = await checkDevice(sub, 'jellyfin');
    expect(Object.keys(comps)).toEqual(expect.arrayContaining(['sessions', 'transcoding', 'movies', 'series', 'episodes', 'albums', 'songs', 'books', 'recently_added', 'library_scan', 'library_scan_progress', 'version']));
    const e = expected(a);
    const library = await sub.waitForTopic(state('jellyfin', 'library'));
    expect(library).toMatchObject(e.library);
    expect(e.library).toMatchObject({ movies: 6, series: 4, episodes: 15, albums: 2, songs: 7, books: 2 });

    const sessions = (await sub.waitForTopic(state('jellyfin', 'sessions'))) as JellyfinStates['sessions'];
    expect(sessions).toMatchObject({ count: 2, playing: 2, paused: 0, transcoding: 1, direct_play: 1, direct_stream: 0 });
    expect(sessions.list.total).toBe(2);
    expect(sessions.list.items.map((s: { user: string }) => s.user).sort()).toEqual(e.sessions.users);
    expect(sessions.list.items).toContainEqual(expect.objectContaining({ user: 'alice', title: 'Severance – S02E03 – Who Is Alive?', device: 'Living Room TV', client: 'Jellyfin Android TV', state: 'playing', play_method: 'direct_play', progress: expect.any(Number) }));
    expect(sessions.list.items).toContainEqual(expect.objectContaining({ user: 'bob', title: 'Dune: Part Two (2024)', play_method: 'transcode' }));

    const recent = (await sub.waitForTopic(state('jellyfin', 'recent'))) as JellyfinStates['recent'];
    // Newest first, capped at list_limit, the virtual (missing) episode left out.
    expect(recent.count).toBe(5);
    expect(recent.list.items).toHaveLength(5);
    expect(recent.latest).toBe('Dune: Part Two (2024)');
    expect(recent.list.items.map((i: { title: string }) => i.title)).not.toContain('Andor – S01E03 – Reckoning');
    expect(recent.latest_added).not.toBeNull();
    expect(Date.parse(recent.latest_added!)).toBeGreaterThan(Date.now() - 3 * 24 * 3600_000);

    expect(await sub.waitForTopic(state('jellyfin', 'scan'))).toMatchObject({ running: false, progress: 0, last_result: 'completed' });
    expect(await sub.waitForTopic(state('jellyfin', 'server'))).toMatchObject({ name: 'Jellyfin Demo', version: '10.11.11', pending_restart: false });
    const status = (await sub.waitForTopic(state('jellyfin', 'status'), (v) => (v as { version: unknown }).version !== null)) as Record<string, unknown>;
    expect(status.version).toBe('10.11.11');
    const device = (await sub.waitForTopic('homeassistant/device/media2mqtt_jellyfin/config', (v) => Boolean((v as any).device?.sw_version))) as Record<string, any>;
    expect(device.device).toMatchObject({ manufacturer: 'Jellyfin', model: 'Jellyfin Server', sw_version: '10.11.11' });
  });

  it('keeps two instances apart', async () => {
    await checkDevice(sub, 'jellyfin_4k');
    const lib4k = (await sub.waitForTopic(state('jellyfin_4k', 'library'))) as JellyfinStates['library'];
    const lib = (await sub.waitForTopic(state('jellyfin', 'library'))) as { movies: number };
    expect(lib4k.movies).toBe(expected(b).library.movies);
    expect(lib4k.movies).toBe(lib.movies + 1);
    expect(await sub.waitForTopic(state('jellyfin_4k', 'sessions'))).toMatchObject({ count: 1, transcoding: 0 });
    expect(await sub.waitForTopic(state('jellyfin_4k', 'server'))).toMatchObject({ name: 'Jellyfin 4K' });
    const d = (await sub.waitForTopic('homeassistant/device/media2mqtt_jellyfin_4k/config')) as Record<string, any>;
    expect(d.device.name).toBe('Jellyfin 4K');
    // Each instance identifies itself with its own DeviceId and only the key of its own server.
    expect(a.server.requests.length).toBeGreaterThan(0);
    expect(b.server.requests.length).toBeGreaterThan(0);
  });

  it('webhooks change the state on MQTT without waiting for a poll', async () => {
    // ItemAdded: a new movie shows in the totals and on top of recently added.
    a.world.addItem({ Name: 'Furiosa: A Mad Max Saga', Type: 'Movie', ProductionYear: 2024, RunTimeTicks: 148 * 600_000_000 });
    let res = await postWebhook(t, 'jellyfin', { NotificationType: 'ItemAdded', ItemType: 'Movie', Name: 'Furiosa: A Mad Max Saga', ServerName: 'Jellyfin Demo' });
    expect(res.status).toBe(202);
    await sub.waitForTopic(state('jellyfin', 'library'), (v) => (v as { movies: number }).movies === 7);
    await sub.waitForTopic(state('jellyfin', 'recent'), (v) => (v as { latest: string }).latest === 'Furiosa: A Mad Max Saga (2024)');

    // PlaybackStop: bob's transcode is gone.
    a.world.stopPlayback('bob');
    res = await postWebhook(t, 'jellyfin', { NotificationType: 'PlaybackStop', NotificationUsername: 'bob', Name: 'Dune: Part Two', PlayedToCompletion: false });
    expect(res.status).toBe(202);
    await sub.waitForTopic(state('jellyfin', 'sessions'), (v) => (v as { count: number; transcoding: number }).count === 1 && (v as { transcoding: number }).transcoding === 0);

    // PlaybackStart, paused at once: carol appears.
    a.world.startPlayback({ user: 'carol', device: 'iPhone', client: 'Swiftfin iOS', itemName: 'Instant Crush', method: 'DirectStream', paused: true });
    await postWebhook(t, 'jellyfin', { NotificationType: 'PlaybackStart', NotificationUsername: 'carol' });
    const s = (await sub.waitForTopic(state('jellyfin', 'sessions'), (v) => (v as { count: number }).count === 2)) as JellyfinStates['sessions'];
    expect(s).toMatchObject({ paused: 1, playing: 1, direct_play: 2 });
    expect(s.list.items).toContainEqual(expect.objectContaining({ user: 'carol', title: 'Daft Punk – Instant Crush', state: 'paused', play_method: 'direct_play' }));

    // TaskCompleted (the library scan ran while nobody polled): the found episode is counted.
    const episodes = a.world.counts().EpisodeCount;
    a.world.startScan();
    for (let i = 0; i < 4; i++) a.tick();
    expect(a.world.counts().EpisodeCount).toBe(episodes + 1);
    await postWebhook(t, 'jellyfin', { NotificationType: 'TaskCompleted', TaskName: 'Scan Media Library', TaskKey: LIBRARY_SCAN_TASK_KEY });
    await sub.waitForTopic(state('jellyfin', 'library'), (v) => (v as { episodes: number }).episodes === episodes + 1);
    await sub.waitForTopic(state('jellyfin', 'recent'), (v) => (v as { latest: string }).latest === "Severance – S02E04 – Woe's Hollow");

    // The other instance was not touched.
    expect((sub.latest(state('jellyfin_4k', 'sessions')) as { count: number }).count).toBe(1);
  });

  it('a burst of webhooks makes one or two refreshes, not one per webhook', async () => {
    const before = a.server.requests.filter((r) => r.path === '/Items/Counts').length;
    a.world.addItem({ Name: 'Nosferatu', Type: 'Movie', ProductionYear: 2024, RunTimeTicks: 132 * 600_000_000 });
    await Promise.all(Array.from({ length: 10 }, () => postWebhook(t, 'jellyfin', { NotificationType: 'ItemAdded' })));
    await sub.waitForTopic(state('jellyfin', 'library'), (v) => (v as { movies: number }).movies === 8);
    // Pushes are handled in order: once a later one has shown, every run of the burst is done.
    a.world.stopPlayback('carol');
    await postWebhook(t, 'jellyfin', { NotificationType: 'PlaybackStop' });
    await sub.waitForTopic(state('jellyfin', 'sessions'), (v) => (v as { count: number }).count === 1);
    const after = a.server.requests.filter((r) => r.path === '/Items/Counts').length;
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThanOrEqual(2);
  });

  it('sends the MediaBrowser authorization with its instance DeviceId, never the key in a URL', () => {
    expect([...a.deviceIds]).toEqual(['media2mqtt-jellyfin']);
    expect([...b.deviceIds]).toEqual(['media2mqtt-jellyfin_4k']);
    expect(a.server.requests.every((r) => !Object.values(r.query).some((v) => v.includes(a.apiKey)))).toBe(true);
  });

  it('never publishes or logs a credential', () => {
    expectNoSecrets(t, sub);
  });
});

describe('Jellyfin faults, recovery and a library scan (fast polling)', () => {
  const pair = useMediaPair('jellyfin', jellyfinModule, () => JellyfinSim.start(), (sims) => {
    for (const s of sims) allRequests.push(...s.server.requests);
  });

  it('shows a running scan with its progress, then the library it found', async () => {
    const { a, sub } = pair;
    const episodes = a.world.counts().EpisodeCount;
    a.world.startScan();
    await sub.waitForTopic(state('jellyfin', 'scan'), (v) => (v as { running: boolean }).running === true);
    a.tick();
    await sub.waitForTopic(state('jellyfin', 'scan'), (v) => (v as { progress: number }).progress === 25);
    for (let i = 0; i < 3; i++) a.tick();
    await sub.waitForTopic(state('jellyfin', 'scan'), (v) => (v as { running: boolean }).running === false);
    // The end of the scan triggers the library read at once (not after 5 idle intervals).
    await sub.waitForTopic(state('jellyfin', 'library'), (v) => (v as { episodes: number }).episodes === episodes + 1);
    // The scan went forward only, and the library grew by exactly the one episode it found.
    const progress = sub.on(state('jellyfin', 'scan')).map((m) => JSON.parse(m.payload) as { running: boolean; progress: number | null }).filter((v) => v.running).map((v) => v.progress ?? 0);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(progress).toContain(25);
    expect((sub.latest(state('jellyfin', 'library')) as { episodes: number }).episodes).toBe(episodes + 1);
  });

  itRecoversFromEveryFault(pair, 'jellyfin');

  it('never publishes or logs a credential, also while failing', () => {
    expectNoSecrets(pair.t, pair.sub);
  });
});

describe('Jellyfin contract: every request is a documented operation, every answer validates', () => {
  let sim: JellyfinSim;

  beforeAll(async () => {
    spec = new OpenApiSpec('jellyfin/openapi.json');
    sim = await JellyfinSim.start();
  });

  afterAll(async () => {
    await sim?.stop();
  });

  it('has seen the client make requests', () => {
    expect(allRequests.length).toBeGreaterThan(10);
    const paths = new Set(allRequests.map((r) => `${r.method} ${r.path}`));
    expect([...paths].sort()).toEqual(['GET /Items', 'GET /Items/Counts', 'GET /ScheduledTasks', 'GET /Sessions', 'GET /System/Info']);
  });

  it('uses only documented operations and query parameters', () => {
    for (const r of allRequests) {
      const op = spec.find(r.method, r.path);
      expect(op, `${r.method} ${r.path}`).toBeTruthy();
      const names = new Set((op!.op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => String(p.name).toLowerCase()));
      for (const q of Object.keys(r.query)) expect(names.has(q.toLowerCase()), `${r.method} ${op!.template}?${q}`).toBe(true);
    }
  });

  it("the simulator's answers to those requests validate against the spec", async () => {
    const seen = new Map<string, (typeof allRequests)[number]>();
    for (const r of allRequests) seen.set(`${r.method} ${r.path} ${JSON.stringify(r.query)}`, r);
    // Also exercise states the client sees only sometimes: a transcode, a running scan, paging.
    sim.world.startScan();
    sim.tick();
    const extra = [
      { method: 'GET', path: '/System/Info/Public', query: {} },
      { method: 'GET', path: '/Items', query: { startIndex: '2', limit: '3', fields: 'DateCreated' } },
      { method: 'GET', path: '/Sessions', query: {} },
    ];
    for (const r of [...seen.values(), ...extra]) {
      const url = new URL(sim.server.url + r.path);
      for (const [k, v] of Object.entries(r.query)) url.searchParams.set(k, v);
      const res = await fetch(url, { method: r.method, headers: { 'X-Emby-Token': sim.apiKey } });
      const body = res.status === 204 ? undefined : await res.json();
      expect(spec.validateResponse(r.method, r.path, res.status, body), `${r.method} ${url.pathname}${url.search}`).toEqual([]);
    }
  });

  it('the validator bites: a wrong answer fails', () => {
    expect(spec.validateResponse('GET', '/Sessions', 200, [{ UserName: 'x', Unknown: 1 }])).not.toEqual([]);
    expect(spec.validateResponse('GET', '/ScheduledTasks', 200, [{ State: 'Sleeping' }])).not.toEqual([]);
  });

  it('the scan endpoint and the unauthorized answer are documented', async () => {
    let res = await fetch(`${sim.server.url}/Library/Refresh`, { method: 'POST', headers: { Authorization: `MediaBrowser Client="t", Device="t", DeviceId="t", Version="1", Token="${sim.apiKey}"` } });
    expect(res.status).toBe(204);
    expect(spec.validateResponse('POST', '/Library/Refresh', 204, undefined)).toEqual([]);
    res = await fetch(`${sim.server.url}/Sessions`);
    expect(res.status).toBe(401);
    expect(spec.validateResponse('GET', '/Sessions', 401, undefined)).toEqual([]);
    const pub = await fetch(`${sim.server.url}/System/Info/Public`);
    expect(pub.status).toBe(200);
  });
});
