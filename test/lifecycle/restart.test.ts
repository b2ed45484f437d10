import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jellyseerrModule } from '../../src/services/jellyseerr/index.js';
import { qbittorrentModule } from '../../src/services/qbittorrent/index.js';
import { radarrModule } from '../../src/services/radarr/index.js';
import { JELLYSEERR } from '../../src/services/seerr/flavour.js';
import { SeerrSim } from '../../src/services/seerr/sim.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { QbittorrentSim } from '../../src/services/qbittorrent/sim.js';
import type { ServiceInstance } from '../../src/services/service.js';
import type { App } from '../../src/app.js';
import { Collector } from '../helpers/mqtt.js';
import type { ServiceUnderTest } from '../helpers/services.js';
import { MOVIE_SEED, arrHook, dataDir, postTo, startBridgeIn } from '../helpers/lifecycle.js';

type Ev = { type: string; data: { from: string | null; to: string; request: { id: number } } };

describe('request lifecycle: a bridge restart in the middle of a download', () => {
  let seerr: SeerrSim;
  let radarr: RadarrSim;
  let qbit: QbittorrentSim;
  let dir: string;
  let services: ServiceUnderTest[];
  const base = 'media2mqtt/jellyseerr';
  const open: { app: App; sub: Collector }[] = [];

  beforeAll(async () => {
    seerr = await SeerrSim.start(JELLYSEERR);
    radarr = await RadarrSim.start({ autoGrabAfter: 0 });
    qbit = await QbittorrentSim.start();
    dir = dataDir();
    const slow = { interval: 3600, idle_interval: 3600 };
    services = [
      { id: 'jellyseerr', module: jellyseerrModule, sim: seerr, extra: slow },
      { id: 'radarr', module: radarrModule, sim: radarr, extra: { ...slow, live: false } },
      { id: 'qbittorrent', module: qbittorrentModule, sim: qbit, extra: slow },
    ];
  });
  afterAll(async () => {
    for (const o of open) {
      await o.sub.close();
      await o.app.stop();
    }
    await Promise.all([seerr?.stop(), radarr?.stop(), qbit?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function bridge() {
    const b = await startBridgeIn(dir, services);
    const sub = await Collector.connect(b.url, ['media2mqtt/#']);
    open.push({ app: b.app, sub });
    const events = (id: number) => sub.on('media2mqtt/bridge/event').map((m) => JSON.parse(m.payload) as Ev).filter((e) => e.type === 'request_stage' && e.data.request.id === id);
    const stage = (id: number, s: string) => sub.waitForTopic(`${base}/requests/${id}`, (p) => (p as { stage: string }).stage === s);
    return { ...b, sub, events, stage, svc: (id: string) => b.app.instance(id) as ServiceInstance };
  }

  it('stages come back from the data file, nothing is announced twice, the next change once', async () => {
    const first = await bridge();
    await first.sub.waitForTopic(`${base}/lifecycle`);
    const r = seerr.addRequest(MOVIE_SEED.tmdbId, { approved: true });
    await postTo(first.port, 'jellyseerr', seerr.webhook('MEDIA_AUTO_APPROVED', { requestId: r.id }));
    await first.stage(r.id, 'approved');
    const movie = radarr.addMovie(MOVIE_SEED);
    const item = { id: movie.id, title: MOVIE_SEED.title, tmdbId: MOVIE_SEED.tmdbId };
    const d = radarr.grabRelease(movie.id, 'Inside.Out.2.2024.1080p.WEB-DL-FLUX', 4_000_000_000);
    qbit.world.add([`magnet:?xt=urn:btih:${d.downloadId}&dn=x`], { category: 'radarr' });
    const torrent = qbit.world.torrent(d.downloadId.toLowerCase())!;
    Object.assign(torrent, { progress: 0.2, completed: torrent.size * 0.2, amount_left: torrent.size * 0.8, state: 'downloading' });
    await postTo(first.port, 'radarr', arrHook('radarr', 'Grab', item, d));
    await first.stage(r.id, 'grabbed');
    await first.svc('qbittorrent').refresh();
    await first.stage(r.id, 'downloading');
    expect(first.events(r.id).map((e) => e.data.to)).toEqual(['approved', 'grabbed', 'downloading']);
    const o = open.shift()!;
    await o.sub.close();
    await o.app.stop();

    // While the bridge is down the download goes on.
    Object.assign(torrent, { progress: 0.6, completed: torrent.size * 0.6, amount_left: torrent.size * 0.4 });
    const second = await bridge();
    await second.stage(r.id, 'downloading');
    // Every service has polled once (their status is out) and the stage is derived again.
    for (const id of ['jellyseerr', 'radarr', 'qbittorrent']) await second.sub.waitForTopic(`media2mqtt/${id}/status`);
    await second.sub.waitForTopic(`${base}/requests/${r.id}`, (p) => (p as { progress: number }).progress === 60);
    expect(second.events(r.id)).toEqual([]);

    Object.assign(torrent, { progress: 1, completed: torrent.size, amount_left: 0, state: 'uploading' });
    await second.svc('qbittorrent').refresh();
    await second.stage(r.id, 'importing');
    await second.svc('radarr').refresh();
    expect(second.events(r.id).map((e) => `${e.data.from}→${e.data.to}`)).toEqual(['downloading→importing']);
  });
});
