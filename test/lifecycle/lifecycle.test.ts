import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jellyseerrModule } from '../../src/services/jellyseerr/index.js';
import { qbittorrentModule } from '../../src/services/qbittorrent/index.js';
import { radarrModule } from '../../src/services/radarr/index.js';
import { JELLYSEERR } from '../../src/services/seerr/flavour.js';
import { SeerrSim } from '../../src/services/seerr/sim.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { QbittorrentSim } from '../../src/services/qbittorrent/sim.js';
import type { ServiceInstance } from '../../src/services/service.js';
import type { SeerrService } from '../../src/services/seerr/service.js';
import { Collector } from '../helpers/mqtt.js';
import { validateDevicePayload } from '../helpers/ha-rules.js';
import { postWebhook, startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import { MOVIE_SEED, arrHook } from '../helpers/lifecycle.js';

type Ev = { type: string; instance?: string; data: { from: string | null; to: string; request: Record<string, unknown> } };
type Lifecycle = { active: number; requests: Record<string, unknown>[] };

describe('request lifecycle: a movie from pending to available through Jellyseerr, Radarr and qBittorrent', () => {
  let seerr: SeerrSim;
  let radarr: RadarrSim;
  let qbit: QbittorrentSim;
  let t: TestApp & { secrets: string[] };
  let sub: Collector;
  const base = 'media2mqtt/jellyseerr';
  const svc = (id: string) => t.app.instance(id) as ServiceInstance;
  const stageEvents = (requestId: number) =>
    sub.on('media2mqtt/bridge/event').map((m) => JSON.parse(m.payload) as Ev).filter((e) => e.type === 'request_stage' && e.instance === 'jellyseerr' && e.data.request.id === requestId);
  const stages = (requestId: number) => stageEvents(requestId).map((e) => `${e.data.from}→${e.data.to}`);
  const reached = (requestId: number, stage: string) => sub.waitFor(() => stageEvents(requestId).some((e) => e.data.to === stage), `request ${requestId} ${stage}`);

  beforeAll(async () => {
    seerr = await SeerrSim.start(JELLYSEERR);
    radarr = await RadarrSim.start({ autoGrabAfter: 0 });
    qbit = await QbittorrentSim.start();
    // Hour-long intervals: only webhooks, the qBittorrent sync we trigger and refresh() move anything.
    const slow = { interval: 3600, idle_interval: 3600 };
    t = await startWithServices([
      { id: 'jellyseerr', module: jellyseerrModule, sim: seerr, extra: slow },
      { id: 'radarr', module: radarrModule, sim: radarr, extra: { ...slow, live: false } },
      { id: 'qbittorrent', module: qbittorrentModule, sim: qbit, extra: slow },
    ]);
    sub = await Collector.connect(t.url, ['homeassistant/#', 'media2mqtt/#']);
    await sub.waitForTopic(`${base}/lifecycle`);
  });
  afterAll(async () => {
    await sub?.close();
    await t?.stop();
    await Promise.all([seerr?.stop(), radarr?.stop(), qbit?.stop()]);
  });

  it('the backlog at start is followed without events; HA has the sensor and the event entity', async () => {
    const list = (await sub.waitForTopic(`${base}/lifecycle`)) as Lifecycle;
    // The simulator's approved-but-processing and pending requests are in progress.
    expect(list.active).toBe(seerr.requests.filter((r) => r.status === 1 || (r.status === 2 && r.media.status === 3)).length);
    expect(sub.on('media2mqtt/bridge/event').filter((m) => m.payload.includes('request_stage'))).toEqual([]);
    const device = (await sub.waitForTopic('homeassistant/device/media2mqtt_jellyseerr/config')) as { components: Record<string, Record<string, unknown>> };
    expect(validateDevicePayload('homeassistant/device/media2mqtt_jellyseerr/config', device as never)).toEqual([]);
    const comps = Object.values(device.components);
    const sensor = comps.find((c) => c.name === 'Requests in progress')!;
    expect(sensor).toMatchObject({ platform: 'sensor', state_topic: `${base}/lifecycle`, json_attributes_topic: `${base}/lifecycle` });
    expect(comps.find((c) => c.name === 'Request stage')).toMatchObject({ platform: 'event', state_topic: `${base}/stage_event` });
  });

  it('every stage once, each pushed by the service that knows it', async () => {
    const r = seerr.addRequest(MOVIE_SEED.tmdbId, { userId: 3 });
    await postWebhook(t, 'jellyseerr', seerr.webhook('MEDIA_PENDING', { requestId: r.id }));
    await reached(r.id, 'pending');

    seerr.setStatus(r.id, 'approve');
    const before = seerr.server.requests.length;
    await postWebhook(t, 'jellyseerr', seerr.webhook('MEDIA_APPROVED', { requestId: r.id }));
    await reached(r.id, 'approved');
    // The counts and the recently modified list, which also gives the pending list: no third call.
    expect(seerr.server.requests.slice(before).map((q) => `${q.path}?${q.query.filter ?? ''}`)).toEqual(['/api/v1/request/count?', '/api/v1/request?all']);

    const movie = radarr.addMovie(MOVIE_SEED);
    const item = { id: movie.id, title: MOVIE_SEED.title, tmdbId: MOVIE_SEED.tmdbId };
    await postWebhook(t, 'radarr', arrHook('radarr', 'MovieAdded', item, undefined, { addMethod: 'manual' }));
    await reached(r.id, 'searching');

    // Radarr sends the release to qBittorrent (hash upper-case in Radarr, lower-case in qBittorrent).
    const d = radarr.grabRelease(movie.id, 'Inside.Out.2.2024.1080p.WEB-DL.DDP5.1.H.264-FLUX', 4_000_000_000);
    qbit.world.add([`magnet:?xt=urn:btih:${d.downloadId}&dn=${d.title}`], { category: 'radarr' });
    await postWebhook(t, 'radarr', arrHook('radarr', 'Grab', item, d));
    await reached(r.id, 'grabbed');

    const torrent = qbit.world.torrent(d.downloadId.toLowerCase())!;
    Object.assign(torrent, { progress: 0.4, completed: torrent.size * 0.4, amount_left: torrent.size * 0.6, state: 'downloading', eta: 300 });
    await svc('qbittorrent').refresh();
    await reached(r.id, 'downloading');
    const downloading = (await sub.waitForTopic(`${base}/requests/${r.id}`, (p) => (p as { stage: string }).stage === 'downloading')) as Record<string, unknown>;
    expect(downloading).toMatchObject({ id: r.id, title: 'Inside Out 2', media_type: 'movie', requested_by: 'Catelyn', progress: 40, instance: 'radarr', download_client: 'qbittorrent', stale: false, downloads: 1 });
    expect(typeof downloading.eta).toBe('string');

    Object.assign(torrent, { progress: 1, completed: torrent.size, amount_left: 0, state: 'uploading', eta: 8_640_000 });
    await svc('qbittorrent').refresh();
    await reached(r.id, 'importing');

    radarr.importNow(d.id);
    await postWebhook(t, 'radarr', arrHook('radarr', 'Download', item, d, { isUpgrade: false }));
    await svc('qbittorrent').refresh();

    r.media.status = 5;
    await postWebhook(t, 'jellyseerr', seerr.webhook('MEDIA_AVAILABLE', { requestId: r.id }));
    await reached(r.id, 'available');
    await (t.app.instance('jellyseerr') as SeerrService).refresh();
    await svc('radarr').refresh();

    expect(stages(r.id)).toEqual(['null→pending', 'pending→approved', 'approved→searching', 'searching→grabbed', 'grabbed→downloading', 'downloading→importing', 'importing→available']);
    const list = (await sub.waitForTopic(`${base}/lifecycle`, (p) => (p as Lifecycle).requests[0]?.id === r.id && (p as Lifecycle).requests[0]?.stage === 'available')) as Lifecycle;
    expect(Object.keys(list.requests[0]!).sort()).toEqual(['download_client', 'eta', 'id', 'instance', 'media_type', 'progress', 'requested_by', 'stage', 'title', 'updated_at']);
    // The HA event entity's topic: event_type is the stage reached.
    expect(sub.latest(`${base}/stage_event`)).toMatchObject({ event_type: 'available', from: 'importing', to: 'available' });
  });
});
