import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jellyseerrModule } from '../../src/services/jellyseerr/index.js';
import { qbittorrentModule } from '../../src/services/qbittorrent/index.js';
import { radarrModule } from '../../src/services/radarr/index.js';
import { sonarrModule } from '../../src/services/sonarr/index.js';
import { JELLYSEERR } from '../../src/services/seerr/flavour.js';
import { SeerrSim } from '../../src/services/seerr/sim.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { SonarrSim } from '../../src/services/sonarr/sim.js';
import { QbittorrentSim } from '../../src/services/qbittorrent/sim.js';
import { JellyfinSim } from '../../src/services/jellyfin/sim.js';
import { DemoPipeline } from '../../src/services/sim/pipeline.js';
import type { ServiceInstance } from '../../src/services/service.js';
import type { SeerrService } from '../../src/services/seerr/service.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';

type Ev = { type: string; data: { from: string | null; to: string; request: { id: number } } };
const ORDER = ['pending', 'approved', 'searching', 'grabbed', 'downloading', 'importing', 'available'];

describe('demo world: an approval flows through Radarr/Sonarr, qBittorrent and Jellyfin to available', () => {
  let seerr: SeerrSim;
  let radarr: RadarrSim;
  let sonarr: SonarrSim;
  let qbit: QbittorrentSim;
  let jellyfin: JellyfinSim;
  let pipeline: DemoPipeline;
  let t: TestApp & { secrets: string[] };
  let sub: Collector;
  const svc = (id: string) => t.app.instance(id) as ServiceInstance;

  beforeAll(async () => {
    seerr = await SeerrSim.start(JELLYSEERR);
    radarr = await RadarrSim.start({ autoGrabAfter: 0 });
    sonarr = await SonarrSim.start({ autoGrabAfter: 0 });
    qbit = await QbittorrentSim.start();
    jellyfin = await JellyfinSim.start();
    pipeline = new DemoPipeline({ seerr: [seerr], radarr, sonarr, qbit, jellyfin });
    const slow = { interval: 3600, idle_interval: 3600 };
    t = await startWithServices([
      // keep_ended 0: an available request's topic is cleared at once.
      { id: 'jellyseerr', module: jellyseerrModule, sim: seerr, extra: { ...slow, lifecycle: { keep_ended: 0 } } },
      { id: 'radarr', module: radarrModule, sim: radarr, extra: { ...slow, live: false } },
      { id: 'sonarr', module: sonarrModule, sim: sonarr, extra: { ...slow, live: false } },
      { id: 'qbittorrent', module: qbittorrentModule, sim: qbit, extra: slow },
    ]);
    sub = await Collector.connect(t.url, ['media2mqtt/#']);
    await sub.waitForTopic('media2mqtt/jellyseerr/lifecycle');
  });
  afterAll(async () => {
    await sub?.close();
    await t?.stop();
    await Promise.all([seerr, radarr, sonarr, qbit, jellyfin].map((s) => s?.stop()));
  });

  /** One demo step: every simulator ticks, the world couples them, the services poll. */
  async function step(): Promise<void> {
    for (const s of [seerr, radarr, sonarr, qbit, jellyfin]) s.tick();
    pipeline.tick();
    for (const id of ['radarr', 'sonarr', 'qbittorrent', 'jellyseerr']) await svc(id).refresh();
  }

  it.each([
    ['movie', 945961, 'Alien: Romulus'],
    ['series (season pack)', 94997, 'House of the Dragon'],
  ])('a %s request', async (_kind, tmdbId, title) => {
    const r = seerr.addRequest(tmdbId, { userId: 2 });
    await (t.app.instance('jellyseerr') as SeerrService).approve(r.id);
    const events = () => sub.on('media2mqtt/bridge/event').map((m) => JSON.parse(m.payload) as Ev).filter((e) => e.type === 'request_stage' && e.data.request.id === r.id);
    for (let i = 0; i < 60 && !events().some((e) => e.data.to === 'available'); i++) await step();
    await sub.waitFor(() => events().some((e) => e.data.to === 'available'), 'available');
    // Ended and kept for keep_ended (0 s here): the retained per-request topic is cleared.
    await sub.waitFor(() => sub.on(`media2mqtt/jellyseerr/requests/${r.id}`).at(-1)?.payload === '', 'the request topic cleared');
    const stages = events().map((e) => e.data.to);
    // Polled at demo pace some stages can pass between two polls; those seen come once and in order.
    expect(stages).toEqual([...new Set(stages)]);
    expect(stages.map((s) => ORDER.indexOf(s))).toEqual([...stages.map((s) => ORDER.indexOf(s))].sort((a, b) => a - b));
    expect(stages).toEqual(expect.arrayContaining(['approved', 'downloading', 'available']));
    // Each simulator shows its part: the *arr has the file, qBittorrent the finished torrent, Jellyfin the item.
    const flow = pipeline.flows.find((f) => f.riders.includes(r))!;
    expect(flow.done).toBe(true);
    expect(qbit.world.torrent(flow.hash!)?.progress).toBe(1);
    expect(jellyfin.world.items.some((i) => i.Name === title || i.SeriesName === title)).toBe(true);
    if (tmdbId === 945961) expect(radarr.movies.find((m) => m.seed.tmdbId === tmdbId)?.file).not.toBeNull();
    else expect(new Set(flow.downloads.map((d) => d.downloadId)).size).toBe(1);
  });
});
