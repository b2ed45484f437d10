import { afterEach, describe, expect, it } from 'vitest';
import { sonarrModule } from '../../src/services/sonarr/index.js';
import { SonarrSim } from '../../src/services/sonarr/sim.js';
import { SERIES } from '../../src/services/sonarr/sim-data.js';
import { Collector } from '../helpers/mqtt.js';
import { postWebhook, startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import { checkDevice, fixture, type Json } from './servarr-kit.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup(sims: { id: string; sim: SonarrSim; extra?: Record<string, unknown> }[]): Promise<{ t: TestApp & { secrets: string[] }; c: Collector }> {
  const t = await startWithServices(sims.map((s) => ({ id: s.id, module: sonarrModule, sim: s.sim, extra: s.extra })));
  cleanup.push(() => t.stop());
  const c = await Collector.connect(t.url, ['homeassistant/#', 'media2mqtt/#']);
  cleanup.push(() => c.client.endAsync());
  return { t, c };
}

async function sim(options: Parameters<typeof SonarrSim.start>[0] = {}): Promise<SonarrSim> {
  const s = await SonarrSim.start({ autoGrabAfter: 0, ...options });
  cleanup.push(() => s.stop());
  return s;
}

/** What the simulator holds, counted independently of the bridge's mapping. */
function truth(s: SonarrSim) {
  const now = Date.now();
  const withFiles = s.episodes.filter((e) => e.episodeFileId > 0);
  return {
    series: s.series.length,
    monitored: s.series.filter((x) => x.monitored).length,
    episodes_with_files: withFiles.length,
    episodes_total: s.episodes.length,
    size_on_disk: withFiles.reduce((a, e) => a + e.fileSize, 0),
    missing: s.missing().length,
    cutoff_unmet: s.cutoffUnmet().length,
    upcoming: s.episodes.filter((e) => {
      const t = Date.parse(e.airDateUtc);
      return t > now && t <= now + 7 * 86_400_000 && s.series.find((x) => x.id === e.seriesId)?.monitored;
    }).length,
  };
}

const events = (c: Collector, type: string) => c.on('media2mqtt/bridge/event').map((m) => JSON.parse(m.payload) as Json).filter((e) => e.type === type);

describe('Sonarr', () => {
  it('publishes a valid HA device whose every state holds the simulator\'s exact values', async () => {
    const s = await sim();
    const { t, c } = await setup([{ id: 'sonarr', sim: s }]);
    const { config, states } = await checkDevice(c, 'sonarr', ['disk_free_data_tv', 'disk_free_data_anime']);
    const want = truth(s);
    expect(want.missing).toBeGreaterThan(0);
    expect(want.upcoming).toBe(3);

    expect(config.device.sw_version).toBe('4.0.14.2939');
    expect(Object.keys(config.components)).toEqual(
      expect.arrayContaining(['series', 'series_monitored', 'episodes_with_files', 'missing', 'cutoff_unmet', 'queue', 'queue_size_left', 'upcoming', 'next_release', 'health_issues', 'health_problem', 'update_available', 'disk_free_data_tv', 'last_poll', 'version']),
    );
    expect(states.library).toMatchObject({
      series: want.series,
      monitored: want.monitored,
      episodes_with_files: want.episodes_with_files,
      episodes_total: want.episodes_total,
      size_on_disk: want.size_on_disk,
    });
    expect(states.wanted).toEqual({ missing: want.missing, cutoff_unmet: want.cutoff_unmet });

    expect(states.queue.count).toBe(2);
    expect(states.queue.attributes.items.map((i: Json) => i.title)).toEqual(s.queue.map((d) => d.title));
    const first = s.queue[0]!;
    expect(states.queue.attributes.items[0]).toMatchObject({ status: 'downloading', download_client: 'qBittorrent', size: first.size, size_left: first.sizeleft, progress: Math.round(((first.size - first.sizeleft) / first.size) * 1000) / 10 });
    expect(states.queue.size_left).toBe(s.queue.reduce((a, d) => a + d.sizeleft, 0));

    expect(states.upcoming.count).toBe(want.upcoming);
    expect(states.upcoming.attributes.items.map((i: Json) => `${i.series} ${i.episode}`)).toEqual(['Only Murders in the Building S04E08', 'Severance S02E09', 'Slow Horses S04E06']);
    expect(states.upcoming.next).toBe(states.upcoming.attributes.items[0].air_date);

    expect(states.health).toMatchObject({ issues: 1, warnings: 1, errors: 0, problem: true });
    expect(states.health.attributes.issues[0]).toMatchObject({ source: 'IndexerSearchCheck', type: 'warning', wiki_url: expect.stringContaining('wiki.servarr.com') });

    const data = s.mounts.find((m) => m.path === '/data')!;
    const anime = s.mounts.find((m) => m.path === '/data/anime')!;
    expect(states.diskspace).toMatchObject({ root_folders: 2, free_data_tv: data.freeSpace, total_data_tv: data.totalSpace, free_data_anime: anime.freeSpace, free_min: anime.freeSpace });
    expect(states.update).toMatchObject({ available: true, installed_version: '4.0.14.2939', latest_version: '4.0.15.2941' });
    expect(states.status.version).toBe('4.0.14.2939');

    // No credential in any payload, log line, or the simulator's request log (the key goes in a header).
    const key = s.apiKey;
    expect(t.secrets).toContain(key);
    for (const m of c.messages) expect(m.payload).not.toContain(key);
    for (const l of t.logs) expect(l).not.toContain(key);
    expect(JSON.stringify(s.server.requests)).not.toContain(key);
  });

  it('follows downloads: progress on tick, import drops the missing count, queue empty goes idle', async () => {
    const s = await sim();
    const { c } = await setup([{ id: 'sonarr', sim: s, extra: { interval: 1, idle_interval: 1 } }]);
    await checkDevice(c, 'sonarr');
    const before = truth(s);
    const q0 = c.latest('media2mqtt/sonarr/queue') as Json;
    const p0 = q0.attributes.items[0].progress as number;
    s.tick();
    await c.waitForTopic('media2mqtt/sonarr/queue', (q) => (q as Json).attributes.items[0].progress > p0);
    for (let i = 0; i < 3; i++) s.tick(); // Severance finishes (3 ticks) and is imported on the next
    expect(s.queue).toHaveLength(1);
    const after = truth(s);
    expect(after.missing).toBe(before.missing - 1);
    await c.waitForTopic('media2mqtt/sonarr/queue', (q) => (q as Json).count === 1);
    await c.waitForTopic('media2mqtt/sonarr/wanted', (w) => (w as Json).missing === after.missing);
    await c.waitForTopic('media2mqtt/sonarr/library', (l) => (l as Json).episodes_with_files === after.episodes_with_files);
    for (let i = 0; i < 6; i++) s.tick();
    await c.waitForTopic('media2mqtt/sonarr/queue', (q) => (q as Json).count === 0 && (q as Json).attributes.items.length === 0);
    await c.waitForTopic('media2mqtt/sonarr/wanted', (w) => (w as Json).missing === before.missing - 2);
  });

  it('the bridge `sync` command re-reads everything, not only what is due', async () => {
    const s = await sim();
    const { c } = await setup([{ id: 'sonarr', sim: s, extra: { interval: 3600, idle_interval: 3600 } }]);
    await checkDevice(c, 'sonarr');
    s.deleteSeries(s.series[0]!.id);
    s.server.clearLog();
    await c.client.publishAsync('media2mqtt/bridge/set/sync', 'sonarr');
    const res = (await c.waitForTopic('media2mqtt/bridge/response/sync')) as Json;
    expect(res.status).toBe('ok');
    expect(new Set(s.server.requests.map((r) => r.path))).toEqual(
      new Set(['/api/v3/queue', '/api/v3/system/status', '/api/v3/health', '/api/v3/series', '/api/v3/wanted/missing', '/api/v3/wanted/cutoff', '/api/v3/calendar', '/api/v3/rootfolder', '/api/v3/diskspace', '/api/v3/update']),
    );
    await c.waitForTopic('media2mqtt/sonarr/library', (l) => (l as Json).series === s.series.length);
  });

  it('keeps two instances apart', async () => {
    const a = await sim();
    const b = await sim();
    for (const x of [...b.series].slice(0, 4)) b.deleteSeries(x.id);
    b.clearHealth();
    b.queue.length = 0;
    const { c } = await setup([
      { id: 'sonarr', sim: a },
      { id: 'sonarr_4k', sim: b, extra: { name: 'Sonarr 4K' } },
    ]);
    const one = await checkDevice(c, 'sonarr');
    const two = await checkDevice(c, 'sonarr_4k');
    expect(two.config.device.name).toBe('Sonarr 4K');
    expect(one.states.library.series).toBe(a.series.length);
    expect(two.states.library.series).toBe(b.series.length);
    expect(two.states.library.series).toBe(a.series.length - 4);
    expect(two.states.wanted.missing).toBe(truth(b).missing);
    expect(one.states.health.issues).toBe(1);
    expect(two.states.health.issues).toBe(0);
    expect(one.states.queue.count).toBe(2);
    expect(two.states.queue.count).toBe(0);
    const ids = (x: Json) => Object.values(x.components as Record<string, Json>).map((k) => k.unique_id as string);
    expect(ids(one.config).filter((id) => ids(two.config).includes(id))).toEqual([]);
    // Each instance asked only its own simulator.
    expect(a.server.requests.length).toBeGreaterThan(0);
    expect(b.server.requests.length).toBeGreaterThan(0);
  });

  describe('webhooks (idle_interval 3600: only the push can explain a change)', () => {
    const slow = { interval: 3600, idle_interval: 3600 };

    it('Download: re-reads queue, wanted and library and announces the import', async () => {
      const s = await sim();
      const { t, c } = await setup([{ id: 'sonarr', sim: s, extra: slow }]);
      await checkDevice(c, 'sonarr');
      const before = truth(s);
      s.importNow();
      const after = truth(s);
      expect((await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-download.json'))).status).toBe(202);
      await c.waitForTopic('media2mqtt/sonarr/queue', (q) => (q as Json).count === 1);
      await c.waitForTopic('media2mqtt/sonarr/wanted', (w) => (w as Json).missing === before.missing - 1);
      await c.waitForTopic('media2mqtt/sonarr/library', (l) => (l as Json).episodes_with_files === after.episodes_with_files);
      await c.waitFor(() => events(c, 'download_imported').length === 1, 'download_imported event');
      expect(events(c, 'download_imported')[0]).toMatchObject({ instance: 'sonarr', data: { series: 'Severance', episodes: ['S02E08'], episode_title: 'Sweet Vitriol', release: expect.stringContaining('Severance.S02E08'), is_upgrade: false } });
    });

    it('SeriesAdd and SeriesDelete: re-read the library', async () => {
      const s = await sim();
      const { t, c } = await setup([{ id: 'sonarr', sim: s, extra: slow }]);
      await checkDevice(c, 'sonarr');
      const n = s.series.length;
      s.addSeries({ ...SERIES[4]!, title: 'Slow Horses (US)', missing: ['S01E01'] });
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-series-add.json'));
      await c.waitForTopic('media2mqtt/sonarr/library', (l) => (l as Json).series === n + 1);
      await c.waitForTopic('media2mqtt/sonarr/wanted', (w) => (w as Json).missing === truth(s).missing);
      await c.waitFor(() => events(c, 'series_added').length === 1, 'series_added event');
      expect(events(c, 'series_added')[0]!.data).toEqual({ series: 'Slow Horses', year: 2022 });
      s.deleteSeries(s.series.find((x) => x.seed.title === 'Andor')!.id);
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-series-delete.json'));
      await c.waitForTopic('media2mqtt/sonarr/library', (l) => (l as Json).series === n);
      await c.waitFor(() => events(c, 'series_deleted').length === 1, 'series_deleted event');
    });

    it('Grab: re-reads only the queue (one request while the queue is busy)', async () => {
      const s = await sim();
      const { t, c } = await setup([{ id: 'sonarr', sim: s, extra: slow }]);
      await checkDevice(c, 'sonarr');
      const grabbed = s.grab()!;
      s.server.clearLog();
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-grab.json'));
      await c.waitForTopic('media2mqtt/sonarr/queue', (q) => (q as Json).count === 3 && (q as Json).attributes.items.some((i: Json) => i.title === grabbed.title));
      expect(s.server.requests.map((r) => r.path)).toEqual(['/api/v3/queue']);
      await c.waitFor(() => events(c, 'download_grabbed').length === 1, 'download_grabbed event');
      expect(events(c, 'download_grabbed')[0]!.data).toMatchObject({ series: 'The Bear', episodes: ['S03E09'], download_client: 'qBittorrent', indexer: 'TorrentLeech', quality: 'WEBDL-1080p' });
    });

    it('Health / HealthRestored: re-read /health only, emit health_issue and health_restored from the API', async () => {
      const s = await sim();
      const { t, c } = await setup([{ id: 'sonarr', sim: s, extra: slow }]);
      await checkDevice(c, 'sonarr');
      s.addHealthIssue({ source: 'DownloadClientStatusCheck', type: 'error', message: 'Download client qBittorrent is unavailable due to failures', wiki: 'download-clients-are-unavailable-due-to-failures' });
      s.server.clearLog();
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-health.json'));
      await c.waitForTopic('media2mqtt/sonarr/health', (h) => (h as Json).issues === 2 && (h as Json).errors === 1);
      expect(s.server.requests.map((r) => r.path)).toEqual(['/api/v3/health']);
      await c.waitFor(() => events(c, 'health_issue').length === 1, 'health_issue event');
      expect(events(c, 'health_issue')[0]).toMatchObject({ instance: 'sonarr', data: { source: 'DownloadClientStatusCheck', type: 'error', message: 'Download client qBittorrent is unavailable due to failures' } });
      s.clearHealth();
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-health-restored.json'));
      await c.waitForTopic('media2mqtt/sonarr/health', (h) => (h as Json).issues === 0 && (h as Json).problem === false);
      await c.waitFor(() => events(c, 'health_restored').length === 2, 'two health_restored events');
    });

    it('ApplicationUpdate, Test, and bodies that are no webhook', async () => {
      const s = await sim();
      const { t, c } = await setup([{ id: 'sonarr', sim: s, extra: slow }]);
      await checkDevice(c, 'sonarr');
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-test.json'));
      await c.waitFor(() => events(c, 'webhook_test').length === 1, 'webhook_test event');
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-application-update.json'));
      await c.waitFor(() => events(c, 'application_updated').length === 1, 'application_updated event');
      expect(events(c, 'application_updated')[0]!.data).toEqual({ previous_version: '4.0.14.2939', new_version: '4.0.15.2941' });
      expect((await postWebhook(t, 'sonarr', { hello: 'world' })).status).toBe(202);
      await expect.poll(() => t.logs.some((l) => l.includes('not a Sonarr/Radarr webhook'))).toBe(true);
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-manual-interaction.json'));
      await c.waitFor(() => events(c, 'manual_interaction_required').length === 1, 'manual_interaction_required event');
      await postWebhook(t, 'sonarr', fixture('sonarr', 'webhook-episode-file-delete.json'));
      await c.waitFor(() => events(c, 'episode_file_deleted').length === 1, 'episode_file_deleted event');
      expect(events(c, 'episode_file_deleted')[0]!.data).toMatchObject({ series: 'The Expanse', episodes: ['S01E01'], reason: 'upgrade' });
      for (const m of c.messages) for (const k of t.secrets) expect(m.payload).not.toContain(k);
    });
  });
});
