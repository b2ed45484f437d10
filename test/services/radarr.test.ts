import { afterEach, describe, expect, it } from 'vitest';
import { radarrModule } from '../../src/services/radarr/index.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { MOVIES } from '../../src/services/radarr/sim-data.js';
import { Collector } from '../helpers/mqtt.js';
import { postWebhook, startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import { checkDevice, fixture, type Json } from './servarr-kit.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(sims: { id: string; sim: RadarrSim; extra?: Record<string, unknown> }[]): Promise<{ t: TestApp & { secrets: string[] }; c: Collector }> {
  const t = await startWithServices(sims.map((s) => ({ id: s.id, module: radarrModule, sim: s.sim, extra: s.extra })));
  cleanup.push(() => t.stop());
  const c = await Collector.connect(t.url, ['homeassistant/#', 'media2mqtt/#']);
  cleanup.push(() => c.client.endAsync());
  return { t, c };
}

async function sim(): Promise<RadarrSim> {
  const s = await RadarrSim.start({ autoGrabAfter: 0 });
  cleanup.push(() => s.stop());
  return s;
}

/** What the simulator holds, counted independently of the bridge's mapping. */
function truth(s: RadarrSim) {
  return {
    movies: s.movies.length,
    monitored: s.movies.filter((m) => m.monitored).length,
    with_files: s.movies.filter((m) => m.file).length,
    size_on_disk: s.movies.reduce((a, m) => a + (m.file?.size ?? 0), 0),
    missing: s.movies.filter((m) => m.monitored && !m.file && s.isAvailable(m)).length,
    cutoff_unmet: s.movies.filter((m) => m.monitored && m.file?.cutoffNotMet).length,
  };
}

const events = (c: Collector, type: string) => c.on('media2mqtt/bridge/event').map((m) => JSON.parse(m.payload) as Json).filter((e) => e.type === type);

describe('Radarr', () => {
  it('publishes a valid HA device whose every state holds the simulator\'s exact values', async () => {
    const s = await sim();
    const { t, c } = await setup([{ id: 'radarr', sim: s }]);
    const { config, states } = await checkDevice(c, 'radarr', ['disk_free_data_movies', 'disk_free_mnt_4k_movies']);
    const want = truth(s);
    expect(want).toMatchObject({ movies: 15, missing: 3, cutoff_unmet: 2 });
    expect(config.device).toMatchObject({ sw_version: '5.26.2.10099', model: 'Radarr' });
    expect(Object.keys(config.components)).toEqual(expect.arrayContaining(['movies', 'movies_monitored', 'movies_with_files', 'missing', 'cutoff_unmet', 'queue', 'upcoming', 'next_release', 'health_problem', 'update_available']));
    expect(states.library).toMatchObject({ movies: want.movies, monitored: want.monitored, with_files: want.with_files, size_on_disk: want.size_on_disk });
    expect(states.wanted).toEqual({ missing: want.missing, cutoff_unmet: want.cutoff_unmet });
    expect(states.queue.count).toBe(2);
    expect(states.queue.attributes.items.map((i: Json) => [i.title, i.progress])).toEqual([
      [s.queue[0]!.title, 50],
      [s.queue[1]!.title, 20],
    ]);
    expect(states.upcoming).toMatchObject({ count: 2 });
    expect(states.upcoming.attributes.items.map((i: Json) => [i.title, i.release])).toEqual([
      ['Nosferatu', 'digital'],
      ['Project Hail Mary', 'cinemas'],
    ]);
    expect(states.upcoming.next).toBe(s.movies.find((m) => m.seed.title === 'Nosferatu')!.digitalRelease);
    expect(states.health).toMatchObject({ issues: 1, warnings: 1, problem: true });
    expect(states.health.attributes.issues[0].wiki_url).toBe('https://wiki.servarr.com/radarr/system#lists-are-unavailable-due-to-failures');
    const uhd = s.mounts.find((m) => m.path === '/mnt/4k')!;
    expect(states.diskspace).toMatchObject({ root_folders: 2, free_mnt_4k_movies: uhd.freeSpace, total_mnt_4k_movies: uhd.totalSpace });
    expect(states.update).toMatchObject({ available: true, latest_version: '5.27.5.10198' });
    for (const m of c.messages) expect(m.payload).not.toContain(s.apiKey);
    for (const l of t.logs) expect(l).not.toContain(s.apiKey);
    expect(JSON.stringify(s.server.requests)).not.toContain(s.apiKey);
  });

  it('reads the movie list once, not every poll (HA downloads it every 30 s), until a download is imported', async () => {
    const s = await sim();
    const { c } = await setup([{ id: 'radarr', sim: s, extra: { interval: 1, idle_interval: 1 } }]);
    await checkDevice(c, 'radarr');
    const polls = () => s.server.requests.filter((r) => r.path === '/api/v3/queue').length;
    await c.waitFor(() => polls() >= 4, 'four polls');
    const movieReads = () => s.server.requests.filter((r) => r.path === '/api/v3/movie').length;
    expect(movieReads()).toBe(1);
    // Steady state while downloading: one request per poll, the queue page.
    const after = s.server.requests.slice(s.server.requests.findIndex((r) => r.path === '/api/v3/update') + 1);
    expect(new Set(after.map((r) => r.path))).toEqual(new Set(['/api/v3/queue']));
    const before = truth(s);
    for (let i = 0; i < 4; i++) s.tick(); // The Zone of Interest: done after 3 ticks, imported on the 4th
    expect(truth(s).missing).toBe(before.missing - 1);
    await c.waitForTopic('media2mqtt/radarr/wanted', (w) => (w as Json).missing === before.missing - 1);
    await c.waitForTopic('media2mqtt/radarr/library', (l) => (l as Json).with_files === before.with_files + 1);
    expect(movieReads()).toBe(2);
  });

  it('keeps two instances apart', async () => {
    const a = await sim();
    const b = await sim();
    for (const m of [...b.movies].slice(0, 5)) b.deleteMovie(m.id);
    b.queue.length = 0;
    const { c } = await setup([
      { id: 'radarr', sim: a },
      { id: 'radarr_4k', sim: b },
    ]);
    const one = await checkDevice(c, 'radarr');
    const two = await checkDevice(c, 'radarr_4k');
    expect(one.states.library.movies).toBe(15);
    expect(two.states.library.movies).toBe(10);
    expect(one.states.queue.count).toBe(2);
    expect(two.states.queue.count).toBe(0);
    expect(two.states.wanted.missing).toBe(truth(b).missing);
    expect(one.config.components.movies.state_topic).toBe('media2mqtt/radarr/library');
    expect(two.config.components.movies.state_topic).toBe('media2mqtt/radarr_4k/library');
  });

  describe('webhooks (idle_interval 3600: only the push can explain a change)', () => {
    const slow = { interval: 3600, idle_interval: 3600 };

    it('Download, MovieAdded, MovieDelete, Grab re-read the API and emit events', async () => {
      const s = await sim();
      const { t, c } = await setup([{ id: 'radarr', sim: s, extra: slow }]);
      await checkDevice(c, 'radarr');
      const before = truth(s);

      s.importNow();
      await postWebhook(t, 'radarr', fixture('radarr', 'webhook-download.json'));
      await c.waitForTopic('media2mqtt/radarr/queue', (q) => (q as Json).count === 1);
      await c.waitForTopic('media2mqtt/radarr/wanted', (w) => (w as Json).missing === before.missing - 1);
      await c.waitForTopic('media2mqtt/radarr/library', (l) => (l as Json).with_files === before.with_files + 1);
      await c.waitFor(() => events(c, 'download_imported').length === 1, 'download_imported event');
      expect(events(c, 'download_imported')[0]!.data).toMatchObject({ movie: 'The Zone of Interest', year: 2023, is_upgrade: false, download_client: 'qBittorrent' });

      s.addMovie({ ...MOVIES[11]!, title: 'Conclave', year: 2024, tmdbId: 974576 });
      await postWebhook(t, 'radarr', fixture('radarr', 'webhook-movie-added.json'));
      await c.waitForTopic('media2mqtt/radarr/library', (l) => (l as Json).movies === before.movies + 1);
      await c.waitForTopic('media2mqtt/radarr/wanted', (w) => (w as Json).missing === before.missing);
      await c.waitFor(() => events(c, 'movie_added').length === 1, 'movie_added event');
      expect(events(c, 'movie_added')[0]!.data).toEqual({ movie: 'Conclave', year: 2024, add_method: 'manual' });

      s.deleteMovie(s.movies.find((m) => m.seed.title === 'The Holdovers')!.id);
      await postWebhook(t, 'radarr', fixture('radarr', 'webhook-movie-delete.json'));
      await c.waitForTopic('media2mqtt/radarr/library', (l) => (l as Json).movies === before.movies);
      await c.waitFor(() => events(c, 'movie_deleted').length === 1, 'movie_deleted event');

      const grabbed = s.grab()!;
      s.server.clearLog();
      await postWebhook(t, 'radarr', fixture('radarr', 'webhook-grab.json'));
      await c.waitForTopic('media2mqtt/radarr/queue', (q) => (q as Json).attributes.items.some((i: Json) => i.title === grabbed.title));
      expect(s.server.requests.some((r) => r.path === '/api/v3/movie')).toBe(false);
      await c.waitFor(() => events(c, 'download_grabbed').length === 1, 'download_grabbed event');
      expect(events(c, 'download_grabbed')[0]!.data).toMatchObject({ movie: 'Anatomy of a Fall', release: 'Anatomy.of.a.Fall.2023.1080p.BluRay.x264-SPHD', indexer: 'TorrentLeech' });
    });

    it('Health re-reads /health and emits health_issue', async () => {
      const s = await sim();
      const { t, c } = await setup([{ id: 'radarr', sim: s, extra: slow }]);
      await checkDevice(c, 'radarr');
      s.addHealthIssue({ source: 'RootFolderCheck', type: 'error', message: 'Missing root folder: /mnt/4k/movies/', wiki: 'missing-root-folder' });
      await postWebhook(t, 'radarr', fixture('radarr', 'webhook-health.json'));
      await c.waitForTopic('media2mqtt/radarr/health', (h) => (h as Json).errors === 1);
      await c.waitFor(() => events(c, 'health_issue').length === 1, 'health_issue event');
      expect(events(c, 'health_issue')[0]).toMatchObject({ instance: 'radarr', data: { source: 'RootFolderCheck', type: 'error', message: 'Missing root folder: /mnt/4k/movies/' } });
      s.clearHealth();
      await postWebhook(t, 'radarr', fixture('radarr', 'webhook-health-restored.json'));
      await c.waitForTopic('media2mqtt/radarr/health', (h) => (h as Json).issues === 0);
      await postWebhook(t, 'radarr', fixture('radarr', 'webhook-test.json'));
      await c.waitFor(() => events(c, 'webhook_test').length === 1, 'webhook_test event');
      for (const m of c.messages) for (const k of t.secrets) expect(m.payload).not.toContain(k);
    });
  });
});
