import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jellyseerrModule } from '../../src/services/jellyseerr/index.js';
import { qbittorrentModule } from '../../src/services/qbittorrent/index.js';
import { radarrModule } from '../../src/services/radarr/index.js';
import { sonarrModule } from '../../src/services/sonarr/index.js';
import { JELLYSEERR } from '../../src/services/seerr/flavour.js';
import { SeerrSim, type SimMediaRequest } from '../../src/services/seerr/sim.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { SonarrSim } from '../../src/services/sonarr/sim.js';
import { QbittorrentSim } from '../../src/services/qbittorrent/sim.js';
import type { SimDownload } from '../../src/services/servarr/sim/core.js';
import type { ServiceInstance } from '../../src/services/service.js';
import { Collector } from '../helpers/mqtt.js';
import { postWebhook, startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import { MOVIE_SEED, arrHook, type HookItem } from '../helpers/lifecycle.js';

type Ev = { type: string; instance?: string; data: { from: string | null; to: string; request: Record<string, unknown> } };
type Req = { stage: string; reason: string | null; instance: string | null; download_client: string | null; progress: number | null; downloads: number; stale: boolean };

const movieSeed = (title: string, tmdbId: number) => ({ ...MOVIE_SEED, title, tmdbId, imdbId: `tt${tmdbId}` });

describe('request lifecycle: edge cases', () => {
  let seerr: SeerrSim;
  let radarr: RadarrSim;
  let radarr4k: RadarrSim;
  let sonarr: SonarrSim;
  let qbit: QbittorrentSim;
  let t: TestApp & { secrets: string[] };
  let sub: Collector;
  const base = 'media2mqtt/jellyseerr';
  const svc = (id: string) => t.app.instance(id) as ServiceInstance;
  const events = (id: number) =>
    sub.on('media2mqtt/bridge/event').map((m) => JSON.parse(m.payload) as Ev).filter((e) => e.type === 'request_stage' && e.data.request.id === id);
  const state = (id: number, pred: (r: Req) => boolean, what: string) => sub.waitForTopic(`${base}/requests/${id}`, (p) => pred(p as Req)).catch(() => {
    throw new Error(`request ${id}: ${what}; last ${JSON.stringify(sub.latest(`${base}/requests/${id}`))}`);
  }) as Promise<Req>;

  beforeAll(async () => {
    seerr = await SeerrSim.start(JELLYSEERR);
    radarr = await RadarrSim.start({ autoGrabAfter: 0 });
    radarr4k = await RadarrSim.start({ autoGrabAfter: 0 });
    sonarr = await SonarrSim.start({ autoGrabAfter: 0 });
    qbit = await QbittorrentSim.start();
    const slow = { interval: 3600, idle_interval: 3600 };
    t = await startWithServices([
      { id: 'jellyseerr', module: jellyseerrModule, sim: seerr, extra: slow },
      { id: 'radarr', module: radarrModule, sim: radarr, extra: { ...slow, live: false } },
      { id: 'radarr_4k', module: radarrModule, sim: radarr4k, extra: { ...slow, live: false } },
      { id: 'sonarr', module: sonarrModule, sim: sonarr, extra: { ...slow, live: false } },
      { id: 'qbittorrent', module: qbittorrentModule, sim: qbit, extra: slow },
    ]);
    sub = await Collector.connect(t.url, ['media2mqtt/#']);
    await sub.waitForTopic(`${base}/lifecycle`);
  });
  afterAll(async () => {
    await sub?.close();
    await t?.stop();
    await Promise.all([seerr, radarr, radarr4k, sonarr, qbit].map((s) => s?.stop()));
  });

  /** A request approved in Seerr and added to a Radarr (its MovieAdded webhook): searching. */
  async function searchingMovie(title: string, tmdbId: number, opts: { is4k?: boolean } = {}): Promise<{ r: SimMediaRequest; item: HookItem; sim: RadarrSim; app: string }> {
    const r = seerr.addRequest(tmdbId, { approved: true, is4k: opts.is4k });
    await postWebhook(t, 'jellyseerr', seerr.webhook('MEDIA_AUTO_APPROVED', { requestId: r.id }));
    await state(r.id, (p) => p.stage === 'approved', 'approved');
    const [sim, app] = opts.is4k ? [radarr4k, 'radarr_4k'] : [radarr, 'radarr'];
    const movie = sim.addMovie(movieSeed(title, tmdbId));
    const item = { id: movie.id, title, tmdbId };
    await postWebhook(t, app, arrHook('radarr', 'MovieAdded', item));
    await state(r.id, (p) => p.stage === 'searching', 'searching');
    return { r, item, sim, app };
  }

  /** Radarr grabs a release into qBittorrent (Grab webhook), and qBittorrent downloads 30 % of it. */
  async function downloading(m: { r: SimMediaRequest; item: HookItem; sim: RadarrSim; app: string }): Promise<SimDownload> {
    const d = m.sim.grabRelease(m.item.id, `${m.item.title.replace(/\W+/g, '.')}.2024.1080p.WEB-DL-FLUX`, 3_000_000_000);
    qbit.world.add([`magnet:?xt=urn:btih:${d.downloadId}&dn=${encodeURIComponent(d.title)}`], { category: 'radarr' });
    await postWebhook(t, m.app, arrHook('radarr', 'Grab', m.item, d));
    await state(m.r.id, (p) => p.stage === 'grabbed', 'grabbed');
    const torrent = qbit.world.torrent(d.downloadId.toLowerCase())!;
    Object.assign(torrent, { progress: 0.3, completed: torrent.size * 0.3, amount_left: torrent.size * 0.7, state: 'downloading' });
    await svc('qbittorrent').refresh();
    await state(m.r.id, (p) => p.stage === 'downloading', 'downloading');
    return d;
  }

  it('a movie deleted in Radarr fails with that reason', async () => {
    const m = await searchingMovie('Alien: Romulus', 945961);
    radarr.deleteMovie(m.item.id);
    await postWebhook(t, 'radarr', arrHook('radarr', 'MovieDelete', m.item, undefined, { deletedFiles: false }));
    expect(await state(m.r.id, (p) => p.stage === 'failed', 'failed')).toMatchObject({ reason: 'deleted from radarr', instance: 'radarr' });
    expect(events(m.r.id).at(-1)?.data).toMatchObject({ from: 'searching', to: 'failed' });
  });

  it('a download removed by hand in qBittorrent fails with that reason', async () => {
    const m = await searchingMovie('Deadpool & Wolverine', 533535);
    const d = await downloading(m);
    qbit.world.remove(d.downloadId.toLowerCase(), true);
    await svc('qbittorrent').refresh();
    // Radarr drops it from its queue too once the client no longer has it.
    radarr.queue.splice(radarr.queue.indexOf(d), 1);
    await svc('radarr').refresh();
    expect(await state(m.r.id, (p) => p.stage === 'failed', 'failed')).toMatchObject({ reason: 'download removed from qbittorrent' });
  });

  it('a release that fails import (ManualInteractionRequired) fails with the reason', async () => {
    const m = await searchingMovie('The Wild Robot', 1184918);
    const d = await downloading(m);
    (d as { trackedDownloadState: string }).trackedDownloadState = 'importBlocked';
    d.status = 'completed';
    await postWebhook(t, 'radarr', arrHook('radarr', 'ManualInteractionRequired', m.item, d, {
      downloadStatus: 'Warning', downloadStatusMessages: [{ title: d.title, messages: ['No files found are eligible for import'] }],
    }));
    expect(await state(m.r.id, (p) => p.stage === 'failed', 'failed')).toMatchObject({ reason: 'import blocked: No files found are eligible for import' });
    expect(events(m.r.id).map((e) => e.data.to)).toEqual(['approved', 'searching', 'grabbed', 'downloading', 'failed']);
  });

  it('a 4K request follows the 4K Radarr, a service down keeps the stage and says stale', async () => {
    const m = await searchingMovie('Inside Out 2', MOVIE_SEED.tmdbId, { is4k: true });
    // The normal Radarr has the same movie (same Radarr id, even): the 4K request is not joined to it.
    radarr.addMovie(movieSeed('Inside Out 2', MOVIE_SEED.tmdbId));
    await svc('radarr').refresh();
    await downloading(m);
    expect(await state(m.r.id, (p) => p.stage === 'downloading', 'downloading')).toMatchObject({ instance: 'radarr_4k', download_client: 'qbittorrent', stale: false });

    await qbit.server.setFault('down');
    await svc('qbittorrent').refresh();
    expect(await state(m.r.id, (p) => p.stale, 'stale')).toMatchObject({ stage: 'downloading', progress: 30 });
    await qbit.server.setFault('none');
    await svc('qbittorrent').refresh();
    await state(m.r.id, (p) => !p.stale, 'fresh again');
    expect(events(m.r.id).filter((e) => e.data.to === 'downloading')).toHaveLength(1);
  });

  it('a season pack (one torrent, a queue record per episode) is one download', async () => {
    const r = seerr.addRequest(94997, { approved: true });
    await postWebhook(t, 'jellyseerr', seerr.webhook('MEDIA_AUTO_APPROVED', { requestId: r.id }));
    await state(r.id, (p) => p.stage === 'approved', 'approved');
    const series = sonarr.addSeries({
      title: 'House of the Dragon', year: 2022, tvdbId: 371572, tvMazeId: 44778, tmdbId: 94997, imdbId: 'tt11198330', network: 'HBO', status: 'continuing',
      genres: ['Drama'], runtime: 60, certification: 'TV-MA', seasons: [10], lastAired: 400, missing: Array.from({ length: 10 }, (_, i) => `S01E${String(i + 1).padStart(2, '0')}`),
    });
    const item = { id: series.id, title: 'House of the Dragon', tvdbId: 371572, tmdbId: 94997 };
    await postWebhook(t, 'sonarr', arrHook('sonarr', 'SeriesAdd', item));
    await state(r.id, (p) => p.stage === 'searching', 'searching');
    const episodes = sonarr.episodes.filter((e) => e.seriesId === series.id);
    const pack = episodes.map((e) => sonarr.grabRelease(e.id, 'House.of.the.Dragon.S01.1080p.WEB-DL-NTb', 2_000_000_000));
    for (const d of pack) d.downloadId = pack[0]!.downloadId;
    qbit.world.add([`magnet:?xt=urn:btih:${pack[0]!.downloadId}&dn=House.of.the.Dragon.S01`], { category: 'tv-sonarr' });
    await postWebhook(t, 'sonarr', arrHook('sonarr', 'Grab', item, pack[0]));
    expect(await state(r.id, (p) => p.stage === 'grabbed', 'grabbed')).toMatchObject({ downloads: 1 });
    const torrent = qbit.world.torrent(pack[0]!.downloadId.toLowerCase())!;
    Object.assign(torrent, { progress: 0.5, completed: torrent.size / 2, amount_left: torrent.size / 2, state: 'downloading' });
    await svc('qbittorrent').refresh();
    expect(await state(r.id, (p) => p.stage === 'downloading', 'downloading')).toMatchObject({ downloads: 1, progress: 50, instance: 'sonarr', download_client: 'qbittorrent' });
    expect(events(r.id).map((e) => e.data.to)).toEqual(['approved', 'searching', 'grabbed', 'downloading']);
  });
});

describe('request lifecycle: a usenet download in SABnzbd', () => {
  it('joins on the nzo_id, takes progress from SABnzbd, and fails with SABnzbd\'s reason', async () => {
    const { SabnzbdSim } = await import('../../src/services/sabnzbd/sim.js');
    const { sabnzbdModule } = await import('../../src/services/sabnzbd/index.js');
    const seerr = await SeerrSim.start(JELLYSEERR);
    const radarr = await RadarrSim.start({ autoGrabAfter: 0 });
    const sab = await SabnzbdSim.start({ paused: false });
    const slow = { interval: 3600, idle_interval: 3600 };
    const t = await startWithServices([
      { id: 'jellyseerr', module: jellyseerrModule, sim: seerr, extra: slow },
      { id: 'radarr', module: radarrModule, sim: radarr, extra: { ...slow, live: false } },
      { id: 'sabnzbd', module: sabnzbdModule, sim: sab, extra: slow },
    ]);
    const sub = await Collector.connect(t.url, ['media2mqtt/#']);
    try {
      await sub.waitForTopic(`media2mqtt/jellyseerr/lifecycle`);
      const stage = (id: number, s: string) => sub.waitForTopic(`media2mqtt/jellyseerr/requests/${id}`, (p) => (p as Req).stage === s) as Promise<Req>;
      const r = seerr.addRequest(533535, { approved: true });
      await postWebhook(t, 'jellyseerr', seerr.webhook('MEDIA_AUTO_APPROVED', { requestId: r.id }));
      await stage(r.id, 'approved');
      const movie = radarr.addMovie(movieSeed('Deadpool & Wolverine', 533535));
      const item = { id: movie.id, title: 'Deadpool & Wolverine', tmdbId: 533535 };
      // Radarr hands the NZB to SABnzbd (api mode=addurl, priority Force) and keeps the nzo_id as its downloadId.
      const added = (await (await fetch(`${sab.server.url}/api?mode=addurl&name=${encodeURIComponent('https://indexer.example/get/deadpool.nzb')}&cat=movies&priority=2&output=json&apikey=${sab.nzbKey}`)).json()) as { nzo_ids: string[] };
      const d = radarr.grabRelease(movie.id, 'Deadpool.and.Wolverine.2024.1080p.WEB-DL-FLUX', 5_000_000_000, { protocol: 'usenet' });
      d.downloadId = added.nzo_ids[0]!;
      await postWebhook(t, 'radarr', arrHook('radarr', 'Grab', item, d));
      await stage(r.id, 'grabbed');
      for (let i = 0; i < 3; i++) sab.tick();
      await (t.app.instance('sabnzbd') as ServiceInstance).refresh();
      const downloading = await stage(r.id, 'downloading');
      expect(downloading).toMatchObject({ download_client: 'sabnzbd', instance: 'radarr', downloads: 1 });
      expect(downloading.progress).toBeGreaterThan(0);
      // The job fails in SABnzbd; Radarr drops it from its queue; SABnzbd's history says why.
      sab.failJob(d.downloadId);
      for (let i = 0; i < 400; i++) {
        sab.tick();
        const h = (await (await fetch(`${sab.server.url}/api?mode=history&nzo_ids=${d.downloadId}&output=json&apikey=${sab.apiKey}`)).json()) as { history: { slots: { status: string }[] } };
        if (h.history.slots[0]?.status === 'Failed') break;
      }
      radarr.queue.splice(radarr.queue.indexOf(d), 1);
      await (t.app.instance('sabnzbd') as ServiceInstance).refresh();
      await (t.app.instance('radarr') as ServiceInstance).refresh();
      const failed = await stage(r.id, 'failed');
      expect(failed.reason).toMatch(/^download failed: /);
    } finally {
      await sub.close();
      await t.stop();
      await Promise.all([seerr.stop(), radarr.stop(), sab.stop()]);
    }
  });
});
