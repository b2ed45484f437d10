import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlexStates } from '../../src/services/plex/entities.js';
import { plexModule } from '../../src/services/plex/index.js';
import { PlexSim } from '../../src/services/plex/sim.js';
import { Collector } from '../helpers/mqtt.js';
import { OpenApiSpec } from '../helpers/openapi.js';
import { postWebhook, startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import { checkDevice, expectNoSecrets, itRecoversFromEveryFault, useMediaPair } from '../fixtures/jellyfin/media-checks.js';
import { plexWebhookBody } from '../fixtures/plex/webhook.js';

type App = TestApp & { secrets: string[] };
const base = 'media2mqtt';
const state = (instance: string, name: string) => `${base}/${instance}/${name}`;

const allRequests: { method: string; path: string; query: Record<string, string> }[] = [];

async function plexHook(t: App, instance: string, event: string, metadata: Record<string, unknown> = {}): Promise<Response> {
  const { body, contentType } = plexWebhookBody({ event, user: true, owner: true, Account: { id: 1, title: 'alice' }, Server: { title: 'Plex Demo', uuid: 'x' }, Player: { local: true, title: 'Living Room' }, Metadata: metadata });
  return postWebhook(t, instance, body, { contentType });
}

describe('Plex through the real broker (push-driven: polls only at start)', () => {
  let a: PlexSim;
  let b: PlexSim;
  let t: App;
  let sub: Collector;

  beforeAll(async () => {
    a = await PlexSim.start();
    b = await PlexSim.start({ friendlyName: 'Plex 4K' });
    b.world.stopSession('carol');
    b.world.updateVersion = null;
    b.world.addMovie('Oppenheimer', 2023, 180);
    // live: false, so only the webhooks (not the WebSocket) can be what refreshes.
    const slow = { interval: 3600, idle_interval: 3600, list_limit: 5, live: false };
    t = await startWithServices([
      { id: 'plex', module: plexModule, sim: a, extra: slow },
      { id: 'plex_4k', module: plexModule, sim: b, extra: { ...slow, name: 'Plex 4K' } },
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
    const comps = await checkDevice(sub, 'plex');
    expect(Object.keys(comps)).toEqual(expect.arrayContaining(['sessions', 'transcoding', 'bandwidth', 'movies', 'series', 'episodes', 'albums', 'songs', 'recently_added', 'library_scan', 'library_scan_progress', 'update_available', 'version']));
    const counts = a.world.counts();
    expect(counts).toEqual({ movies: 6, series: 4, episodes: 10, artists: 3, albums: 3, songs: 8 });
    const library = (await sub.waitForTopic(state('plex', 'library'))) as PlexStates['library'];
    expect(library).toMatchObject({ ...counts, sections: 3 });
    expect(library.list.items).toEqual([
      { title: 'Movies', type: 'movie', movies: 6 },
      { title: 'TV Shows', type: 'show', series: 4, episodes: 10 },
      { title: 'Music', type: 'artist', artists: 3, albums: 3, songs: 8 },
    ]);

    const sessions = (await sub.waitForTopic(state('plex', 'sessions'))) as PlexStates['sessions'];
    expect(sessions).toMatchObject({ count: 3, playing: 2, paused: 1, transcoding: 1, direct_play: 2, direct_stream: 0, bandwidth_kbps: 12_000 + 4000 + 320 });
    expect(sessions.list.items).toContainEqual(expect.objectContaining({ user: 'alice', title: 'The Last of Us – S01E03 – Long, Long Time', device: 'Living Room', client: 'Plex for Apple TV', state: 'playing', play_method: 'direct_play', progress: 35 }));
    expect(sessions.list.items).toContainEqual(expect.objectContaining({ user: 'bob', title: 'Parasite (2019)', play_method: 'transcode', state: 'playing' }));
    expect(sessions.list.items).toContainEqual(expect.objectContaining({ user: 'carol', title: 'Fleetwood Mac – Dreams', client: 'Plexamp', state: 'paused' }));

    const recent = (await sub.waitForTopic(state('plex', 'recent'))) as PlexStates['recent'];
    expect(recent.count).toBe(5);
    expect(recent.list.items.map((i: { title: string }) => i.title)).toEqual([
      'Poor Things (2023)',
      'Massive Attack – Mezzanine',
      'Fallout – Season 1',
      'Slow Horses – Season 3',
      'Everything Everywhere All at Once (2022)',
    ]);
    expect(recent.list.items[1]).toMatchObject({ kind: 'album', year: 1998 });

    expect(await sub.waitForTopic(state('plex', 'scan'))).toMatchObject({ running: false, progress: 0, sections: 0 });
    expect(await sub.waitForTopic(state('plex', 'server'))).toEqual({ name: 'Plex Demo', version: a.world.version, update_available: true, latest_version: '1.41.4.9463-630c9f557' });
    const device = (await sub.waitForTopic('homeassistant/device/media2mqtt_plex/config', (v) => Boolean((v as any).device?.sw_version))) as Record<string, any>;
    expect(device.device).toMatchObject({ manufacturer: 'Plex', model: 'Plex Media Server', sw_version: a.world.version });
  });

  it('keeps two instances apart', async () => {
    await checkDevice(sub, 'plex_4k');
    expect(await sub.waitForTopic(state('plex_4k', 'library'))).toMatchObject({ movies: 7 });
    expect(await sub.waitForTopic(state('plex', 'library'))).toMatchObject({ movies: 6 });
    expect(await sub.waitForTopic(state('plex_4k', 'sessions'))).toMatchObject({ count: 2, paused: 0 });
    expect(await sub.waitForTopic(state('plex_4k', 'server'))).toMatchObject({ name: 'Plex 4K', update_available: false });
    expect([...a.clientIds]).toEqual(['media2mqtt-plex']);
    expect([...b.clientIds]).toEqual(['media2mqtt-plex_4k']);
  });

  it('multipart webhooks change the state on MQTT without waiting for a poll', async () => {
    // library.new: a new movie in the totals and on top of recently added.
    a.world.addMovie('Anatomy of a Fall', 2023, 151);
    const res = await plexHook(t, 'plex', 'library.new', { librarySectionType: 'movie', type: 'movie', title: 'Anatomy of a Fall' });
    expect(res.status).toBe(202);
    await sub.waitForTopic(state('plex', 'library'), (v) => (v as { movies: number }).movies === 7);
    await sub.waitForTopic(state('plex', 'recent'), (v) => (v as { latest: string }).latest === 'Anatomy of a Fall (2023)');

    // media.stop: bob's transcode is gone.
    a.world.stopSession('bob');
    await plexHook(t, 'plex', 'media.stop', { type: 'movie', title: 'Parasite' });
    await sub.waitForTopic(state('plex', 'sessions'), (v) => (v as { count: number; transcoding: number }).count === 2 && (v as { transcoding: number }).transcoding === 0);

    // media.play: a direct stream starts.
    a.world.startSession({ user: 'dave', player: 'Shield', product: 'Plex for Android (TV)', itemTitle: 'Spirited Away', decision: 'copy' });
    await plexHook(t, 'plex', 'media.play', { type: 'movie', title: 'Spirited Away' });
    const s = (await sub.waitForTopic(state('plex', 'sessions'), (v) => (v as { count: number }).count === 3)) as PlexStates['sessions'];
    expect(s).toMatchObject({ direct_stream: 1, transcoding: 0 });

    // media.pause and media.resume.
    a.world.setState('alice', 'paused');
    await plexHook(t, 'plex', 'media.pause');
    await sub.waitForTopic(state('plex', 'sessions'), (v) => (v as { paused: number }).paused === 2);
    a.world.setState('alice', 'playing');
    await plexHook(t, 'plex', 'media.resume');
    await sub.waitForTopic(state('plex', 'sessions'), (v) => (v as { paused: number }).paused === 1);

    // A JSON body (a relay) works too; the other instance was not touched.
    a.world.stopSession('dave');
    await postWebhook(t, 'plex', { event: 'media.stop' });
    await sub.waitForTopic(state('plex', 'sessions'), (v) => (v as { count: number }).count === 2);
    expect((sub.latest(state('plex_4k', 'sessions')) as { count: number }).count).toBe(2);
  });

  it('never publishes or logs a credential, and never puts the token in a URL', () => {
    expectNoSecrets(t, sub);
    for (const s of [a, b]) expect(s.server.requests.every((r) => !('X-Plex-Token' in r.query))).toBe(true);
  });
});

describe('Plex faults, recovery and a section scan (fast polling)', () => {
  const pair = useMediaPair('plex', plexModule, () => PlexSim.start(), (sims) => {
    for (const s of sims) allRequests.push(...s.server.requests);
  });

  it('shows a running scan with its progress, then the library it found', async () => {
    const { a, sub } = pair;
    const episodes = a.world.counts().episodes;
    a.world.startScan('2');
    await sub.waitForTopic(state('plex', 'scan'), (v) => (v as { running: boolean }).running === true);
    a.tick();
    await sub.waitForTopic(state('plex', 'scan'), (v) => (v as { progress: number }).progress === 25);
    for (let i = 0; i < 3; i++) a.tick();
    await sub.waitForTopic(state('plex', 'scan'), (v) => (v as { running: boolean }).running === false);
    await sub.waitForTopic(state('plex', 'library'), (v) => (v as { episodes: number }).episodes === episodes + 1);
    await sub.waitForTopic(state('plex', 'recent'), (v) => (v as { latest: string }).latest === 'Fallout – Season 1');
    // The scan went forward only, and the library grew by exactly the one episode it found.
    const progress = sub.on(state('plex', 'scan')).map((m) => JSON.parse(m.payload) as { running: boolean; progress: number | null }).filter((v) => v.running).map((v) => v.progress ?? 0);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    expect(progress).toContain(25);
    expect((sub.latest(state('plex', 'library')) as { episodes: number }).episodes).toBe(episodes + 1);
  });

  itRecoversFromEveryFault(pair, 'plex');

  it('never publishes or logs a credential, also while failing', () => {
    expectNoSecrets(pair.t, pair.sub);
  });
});

describe('Plex contract: every request is a documented operation, every answer validates', () => {
  let spec: OpenApiSpec;
  let sim: PlexSim;

  beforeAll(async () => {
    spec = new OpenApiSpec('plex/plex-api-spec.yaml');
    sim = await PlexSim.start();
  });

  afterAll(async () => {
    await sim?.stop();
  });

  /**
   * `/library/recentlyAdded` is the one call the community spec does not list (python-plexapi
   * and Tautulli use it); its answer is held to the spec's `MediaContainerWithMetadata`, the
   * schema of the documented `/library/all` (getLibraryItems).
   */
  const UNDOCUMENTED: Record<string, string> = { 'GET /library/recentlyAdded': '/library/all' };

  /** Query names an operation takes: its query parameters, and the properties of exploded object ones (mediaQuery). */
  function queryNames(op: Record<string, any>): Set<string> {
    const names = new Set<string>();
    for (let p of op.parameters ?? []) {
      if (p.$ref) p = p.$ref.split('/').slice(1).reduce((o: any, k: string) => o[k], spec.doc);
      if (p.in !== 'query') continue;
      names.add(p.name);
      let schema = p.schema;
      if (schema?.$ref) schema = schema.$ref.split('/').slice(1).reduce((o: any, k: string) => o[k], spec.doc);
      if (p.explode !== false && schema?.type === 'object') for (const k of Object.keys(schema.properties ?? {})) names.add(k);
    }
    return names;
  }

  it('has seen the client make requests', () => {
    const paths = new Set(allRequests.map((r) => `${r.method} ${r.path}`));
    expect([...paths].sort()).toEqual([
      'GET /',
      'GET /activities',
      'GET /library/recentlyAdded',
      'GET /library/sections/1/all',
      'GET /library/sections/2/all',
      'GET /library/sections/3/all',
      'GET /library/sections/all',
      'GET /status/sessions',
      'GET /updater/status',
    ]);
  });

  it('uses only documented operations and query parameters (one named exception)', () => {
    for (const r of allRequests) {
      const key = `${r.method} ${r.path}`;
      if (UNDOCUMENTED[key]) {
        expect(spec.find(r.method, r.path), `${key} is still undocumented`).toBeUndefined();
        expect(Object.keys(r.query).sort()).toEqual(['X-Plex-Container-Size', 'X-Plex-Container-Start']);
        continue;
      }
      const op = spec.find(r.method, r.path);
      expect(op, key).toBeTruthy();
      const names = queryNames(op!.op);
      for (const q of Object.keys(r.query)) expect(names.has(q), `${op!.template}?${q}`).toBe(true);
    }
  });

  it("the simulator's answers to those requests validate against the spec", async () => {
    const seen = new Map<string, (typeof allRequests)[number]>();
    for (const r of allRequests) seen.set(`${r.method} ${r.path} ${JSON.stringify(r.query)}`, r);
    // States the client sees only sometimes: a running scan, a direct stream, no update.
    sim.world.startScan('1');
    sim.world.startSession({ user: 'dave', player: 'Shield', product: 'Plex for Android (TV)', itemTitle: 'Spirited Away', decision: 'copy' });
    const extra = [
      { method: 'GET', path: '/identity', query: {} },
      { method: 'GET', path: '/activities', query: {} },
      { method: 'GET', path: '/library/sections/2/all', query: { type: '4', 'X-Plex-Container-Start': '1', 'X-Plex-Container-Size': '3' } },
      { method: 'GET', path: '/library/sections/3/all', query: {} },
    ];
    for (const r of [...seen.values(), ...extra]) {
      const url = new URL(sim.server.url + r.path);
      for (const [k, v] of Object.entries(r.query)) url.searchParams.set(k, v);
      const res = await fetch(url, { method: r.method, headers: { 'X-Plex-Token': sim.token, Accept: 'application/json' } });
      expect(res.status, url.pathname).toBe(200);
      const body = await res.json();
      const path = UNDOCUMENTED[`${r.method} ${r.path}`] ?? r.path;
      expect(spec.validateResponse(r.method, path, res.status, body), `${r.method} ${url.pathname}${url.search}`).toEqual([]);
    }
    sim.world.updateVersion = null;
    const res = await fetch(`${sim.server.url}/updater/status`, { headers: { 'X-Plex-Token': sim.token } });
    expect(spec.validateResponse('GET', '/updater/status', 200, await res.json())).toEqual([]);
  });

  it('the validator bites: a wrong answer fails', () => {
    expect(spec.validateResponse('GET', '/status/sessions', 200, { MediaContainer: { size: 'two' } })).not.toEqual([]);
    expect(spec.validateResponse('GET', '/library/sections/1/all', 200, { MediaContainer: { Metadata: [{ title: 'x' }] } })).not.toEqual([]);
  });

  it('a zero-size page carries the total in the body and the header', async () => {
    const res = await fetch(`${sim.server.url}/library/sections/2/all?type=4&X-Plex-Container-Start=0&X-Plex-Container-Size=0`, { headers: { 'X-Plex-Token': sim.token } });
    const body = (await res.json()) as { MediaContainer: Record<string, unknown> };
    expect(body.MediaContainer).toMatchObject({ size: 0, totalSize: 10, offset: 0 });
    expect(body.MediaContainer.Metadata).toBeUndefined();
    expect(res.headers.get('x-plex-container-total-size')).toBe('10');
  });

  it('the scan endpoint is documented; /identity is public, the rest is not', async () => {
    let res = await fetch(`${sim.server.url}/library/sections/3/refresh`, { method: 'POST', headers: { 'X-Plex-Token': sim.token } });
    expect(res.status).toBe(200);
    expect(spec.find('POST', '/library/sections/3/refresh')).toBeTruthy();
    res = await fetch(`${sim.server.url}/status/sessions`);
    expect(res.status).toBe(401);
    res = await fetch(`${sim.server.url}/identity`);
    expect(res.status).toBe(200);
  });
});
