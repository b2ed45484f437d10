import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingDemo, type MissingDemo } from '../../src/missing/demo.js';
import { kavitaModule } from '../../src/services/kavita/index.js';
import { KavitaSim } from '../../src/services/kavita/sim.js';
import { komgaModule } from '../../src/services/komga/index.js';
import { KomgaSim } from '../../src/services/komga/sim.js';
import { prowlarrModule } from '../../src/services/prowlarr/index.js';
import { ProwlarrSim } from '../../src/services/prowlarr/sim.js';
import { qbittorrentModule } from '../../src/services/qbittorrent/index.js';
import { QbittorrentSim } from '../../src/services/qbittorrent/sim.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import type { MissingHistoryState, MissingResultsState, SeriesState } from '../../src/missing/entities.js';

const B = 'media2mqtt';

/** The demo's missing-volumes setup on the demo's simulators: gaps, a search and a download happen on their own. */
describe('missing volumes demo', () => {
  let t: TestApp & { secrets: string[] };
  let c: Collector;
  let demo: MissingDemo;
  let sims: { komga: KomgaSim; kavita: KavitaSim; prowlarr: ProwlarrSim; qbit: QbittorrentSim };

  beforeAll(async () => {
    const [komga, kavita, prowlarr, qbit] = await Promise.all([KomgaSim.start({ demo: true }), KavitaSim.start({ demo: true }), ProwlarrSim.start(), QbittorrentSim.start()]);
    sims = { komga, kavita, prowlarr, qbit };
    demo = await missingDemo(new Set(['komga', 'kavita', 'prowlarr', 'qbittorrent']));
    const slow = { interval: 3600, idle_interval: 3600 };
    t = await startWithServices(
      [
        { id: 'komga', module: komgaModule, sim: komga, extra: slow },
        { id: 'kavita', module: kavitaModule, sim: kavita, extra: slow },
        { id: 'prowlarr', module: prowlarrModule, sim: prowlarr, extra: slow },
        { id: 'qbittorrent', module: qbittorrentModule, sim: qbit, extra: slow },
      ],
      { missing: demo.config },
    );
    c = await Collector.connect(t.url, [`${B}/#`]);
  }, 30_000);
  afterAll(async () => {
    await c?.close();
    await t?.stop();
    await Promise.all(Object.values(sims ?? {}).map((s) => s.stop()));
    await demo?.stop();
  });

  it('shows the folder gaps, the libraries\' incomplete series, and sends the best results to qBittorrent', async () => {
    expect(await c.waitForTopic(`${B}/missing/one_piece`, (v) => (v as SeriesState).last_checked !== null, 20_000)).toMatchObject({ present: [1, 2, 3, 5, 6, 8, 9, 10, 11, 12], missing: [4, 7], total: null, next_expected: 13 });
    expect(await c.waitForTopic(`${B}/missing/komga_berserk`)).toMatchObject({ missing: [13, 27, 41, 42] });
    expect(await c.waitForTopic(`${B}/missing/kavita_berserk`)).toMatchObject({ missing: [13, 27, 41, 42] });
    // Auto-download after the first check: searches on Prowlarr, sends to qBittorrent, records the history.
    const history = (await c.waitForTopic(`${B}/missing/history`, (v) => (v as MissingHistoryState).count > 0, 20_000)) as MissingHistoryState;
    expect(history.recent[0]).toMatchObject({ status: 'sent', client: 'qbittorrent' });
    await c.waitFor(() => c.on(`${B}/missing/event`).some((m) => m.payload.includes('download_sent')), 'download_sent event', 20_000);
    expect(sims.qbit.world.snapshot().torrents.size).toBeGreaterThan(0);
    const results = (await c.waitForTopic(`${B}/missing/results/one_piece`, (v) => (v as MissingResultsState).count > 0)) as MissingResultsState;
    expect(results.best).toMatchObject({ covers: expect.arrayContaining([expect.any(Number)]) });
  });
});

describe('missing volumes demo with fewer simulators', () => {
  it('turns auto-download off without a search or a client, instead of refusing to start', async () => {
    for (const present of [['prowlarr'], ['qbittorrent'], []]) {
      const d = await missingDemo(new Set(present));
      try {
        expect(d.config.download.auto).toBe(false);
        expect(d.config.series.map((s) => s.id)).toEqual(['one_piece']);
      } finally {
        await d.stop();
      }
    }
  });
});
