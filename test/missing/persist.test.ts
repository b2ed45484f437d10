import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { LogHub } from '../../src/log.js';
import { komgaModule } from '../../src/services/komga/index.js';
import { KomgaSim } from '../../src/services/komga/sim.js';
import { qbittorrentModule } from '../../src/services/qbittorrent/index.js';
import { QbittorrentSim } from '../../src/services/qbittorrent/sim.js';
import { Collector, request } from '../helpers/mqtt.js';
import { TorznabServer } from './torznab-server.js';
import type { MissingStates } from '../../src/missing/entities.js';

type Json = Record<string, any>;
const B = 'media2mqtt';

/** A bridge on a given data dir (the shared helper makes a new one each time): restarts keep the data file. */
async function start(dataDir: string, services: Record<string, unknown>, missing: Record<string, unknown>) {
  const config = configSchema.parse({
    broker: { port: 0 },
    http: { enabled: false },
    system: { enabled: false },
    store: { data_dir: dataDir },
    log: { level: 'debug' },
    homeassistant: { birth_delay: 0.05 },
    commands: { rate_limit: 0 },
    services,
    missing,
  });
  const logs: string[] = [];
  const app = new App({ config, file: null, secrets: [] }, { logs: new LogHub({ level: 'debug', format: 'text', write: (l) => void logs.push(l) }), modules: { komga: komgaModule, qbittorrent: qbittorrentModule } });
  await app.start();
  const url = `mqtt://127.0.0.1:${app.brokerListeners!.tcp}`;
  const c = await Collector.connect(url, [`${B}/#`, 'homeassistant/#']);
  const call = async (command: string, payload: unknown = {}) => (await request(url, B, 'missing', command, JSON.stringify(payload))) as Json;
  const job = async (res: Json): Promise<Json> =>
    (await c.waitForTopic(`${B}/jobs/${res.data.job_id}`, (j) => ['succeeded', 'failed', 'cancelled'].includes((j as Json).state), 20_000)) as Json;
  return { app, c, call, job, logs, stop: async () => (await c.close(), await app.stop()) };
}

describe('missing volumes across a restart', () => {
  let dir: string;
  let komga: KomgaSim;
  let qbit: QbittorrentSim;
  let torznab: TorznabServer;
  let services: Record<string, unknown>;
  let missing: Record<string, unknown>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'm2m-missing-persist-'));
    await mkdir(join(dir, 'Saga'));
    for (const f of ['Saga v01.cbz', 'Saga v03.cbz']) await writeFile(join(dir, 'Saga', f), 'x');
    [komga, qbit, torznab] = await Promise.all([KomgaSim.start(), QbittorrentSim.start(), TorznabServer.start()]);
    services = { komga: { ...komga.config(), interval: 3600, idle_interval: 3600 }, qbittorrent: { ...qbit.config(), interval: 3600, idle_interval: 3600 } };
    missing = {
      enabled: true,
      check_interval: 0,
      search: { url: `${torznab.base}/api`, api_key: torznab.apiKey, min_score: 60, language: 'fr' },
      download: { client: 'qbittorrent', category: 'manga', auto: true, dry_run: true },
      libraries: [{ source: 'komga', instance: 'komga', only_incomplete: true }],
    };
  });
  afterAll(async () => {
    await Promise.all([komga?.stop(), qbit?.stop(), torznab?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('run-time series, library series, last checks and the history survive a restart', async () => {
    let total = 0;
    const first = await start(join(dir, 'data'), services, missing);
    try {
      // check_interval 0: nothing runs until asked.
      expect((await first.c.waitForTopic(`${B}/missing/summary`)) as MissingStates['summary']).toEqual({ series: 0, missing: 0, last_check: null });
      expect(await first.call('monitor', { id: 'saga', title: 'Saga', source: 'folder', path: join(dir, 'Saga') })).toMatchObject({ status: 'ok', data: { series: 'saga', monitored: true } });
      expect(await first.call('monitor', { id: 'summary', title: 'x', source: 'folder', path: dir })).toMatchObject({ status: 'error', error: { code: 'INVALID_PARAMS' } });
      const done = await first.job(await first.call('check'));
      expect(done.state).toBe('succeeded');
      // Komga's not-complete series come from the library (Blacksad and Fullmetal Alchemist are complete); Saga from the folder.
      expect(Object.keys(done.result.series).sort()).toEqual(['komga_berserk', 'komga_chainsaw_man', 'komga_monster', 'komga_one_piece', 'komga_saga', 'komga_vinland_saga', 'saga']);
      total = done.result.missing;
      expect(done.result.series.saga).toEqual({ missing_count: 1, missing: [2] });
      expect(done.result.series.komga_berserk.missing).toEqual([13, 27, 41, 42]);
      // Auto-download in dry-run: the best result above min_score is recorded, nothing reaches qBittorrent.
      // Berserk T41-T42 brings two of the four missing volumes: it beats the single T13. The One Piece pack (mostly volumes already there) stays below min_score.
      expect(done.result.auto).toEqual([expect.objectContaining({ series: 'komga_berserk', status: 'dry_run', volumes: [41, 42], release: 'Berserk T41-T42 FRENCH' })]);
      expect(qbit.world.snapshot().torrents.has('d'.padStart(40, '0'))).toBe(false);
      await first.c.waitForTopic(`homeassistant/device/${B}_missing/config`, (v) => 'series_saga' in ((v as Json).components ?? {}) && 'series_komga_berserk' in (v as Json).components);
      // Monster's two missing volumes arrive in Komga: complete now, the library no longer lists it.
      const monster = komga.world.series.find((x) => x.def.title === 'Monster')!;
      monster.def.arriving = [5, 6];
      komga.world.scan(monster.libraryId, false, Date.now() - 60_000);
      komga.world.settle(Date.now());
      const after = await first.job(await first.call('check'));
      expect(after.result.series.komga_monster).toBeUndefined();
      // The dry run does not record the same release twice.
      expect(after.result.auto).toEqual([]);
      total = after.result.missing;
      await first.c.waitFor(() => first.c.on(`${B}/missing/komga_monster`).at(-1)?.payload === '', 'monster cleared');
      const found = first.c.on(`${B}/missing/event`).map((m) => JSON.parse(m.payload) as MissingStates['event']).find((e) => e.series === 'komga_monster');
      expect(found).toMatchObject({ event_type: 'volume_found', volumes: [5, 6] });
    } finally {
      await first.stop();
    }

    const second = await start(join(dir, 'data'), services, missing);
    try {
      // No check ran since the restart, yet the last state is back on the (new, empty) broker.
      expect(await second.c.waitForTopic(`${B}/missing/saga`)).toMatchObject({ title: 'Saga', source: 'folder', present: [1, 3], missing: [2], missing_count: 1 });
      // Berserk 13 arrived with the same library scan.
      expect(await second.c.waitForTopic(`${B}/missing/komga_berserk`)).toMatchObject({ missing: [27, 41, 42] });
      expect(await second.c.waitForTopic(`${B}/missing/summary`)).toMatchObject({ series: 6, missing: total, last_check: expect.any(String) });
      expect(await second.c.waitForTopic(`${B}/missing/history`)).toMatchObject({ count: 1, recent: [expect.objectContaining({ series: 'komga_berserk', status: 'dry_run' })] });
      const dev = (await second.c.waitForTopic(`homeassistant/device/${B}_missing/config`)) as Json;
      expect(Object.keys(dev.components)).toEqual(expect.arrayContaining(['series_saga', 'series_komga_berserk', 'series_komga_vinland_saga']));
      // Unmonitor is kept too: the topic is cleared and the series stays gone after a check.
      expect(await second.call('unmonitor', 'saga')).toMatchObject({ status: 'ok', data: { monitored: false } });
      await second.c.waitFor(() => second.c.on(`${B}/missing/saga`).at(-1)?.payload === '', 'saga cleared');
      // A library series unmonitored stays so, though the library still lists it.
      expect(await second.call('unmonitor', 'komga_vinland_saga')).toMatchObject({ status: 'ok' });
      const again = await second.job(await second.call('check'));
      expect(again.result.series.saga).toBeUndefined();
      expect(again.result.series.komga_vinland_saga).toBeUndefined();
      expect(again.result.series.komga_berserk).toBeDefined();
      expect(second.c.on(`${B}/missing/komga_vinland_saga`).at(-1)?.payload).toBe('');
      expect(await second.call('unmonitor', 'saga')).toMatchObject({ status: 'error', error: { code: 'UNKNOWN_SERIES' } });
    } finally {
      await second.stop();
    }
  });
});
