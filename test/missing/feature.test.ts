import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { komgaModule } from '../../src/services/komga/index.js';
import { KomgaSim } from '../../src/services/komga/sim.js';
import { qbittorrentModule } from '../../src/services/qbittorrent/index.js';
import { QbittorrentSim } from '../../src/services/qbittorrent/sim.js';
import { Collector, request } from '../helpers/mqtt.js';
import { validateDevicePayload } from '../helpers/ha-rules.js';
import { startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import { TorznabServer } from './torznab-server.js';
import { checkTemplates, expand } from '../ha/ha-check.js';
import type { MissingResultsState, MissingStates, SeriesState } from '../../src/missing/entities.js';

type Json = Record<string, any>;
const B = 'media2mqtt';

describe('missing volumes through the bridge', () => {
  let t: TestApp & { secrets: string[] };
  let c: Collector;
  let qbit: QbittorrentSim;
  let komga: KomgaSim;
  let torznab: TorznabServer;
  let library: string;
  const call = async (command: string, payload: unknown = {}) => (await request(t.url, B, 'missing', command, typeof payload === 'string' ? payload : JSON.stringify(payload))) as Json;
  const job = async (res: Json, timeoutMs = 20_000): Promise<Json> => {
    expect(res).toMatchObject({ status: 'ok', data: { job_id: expect.any(String) } });
    return (await c.waitForTopic(`${B}/jobs/${res.data.job_id}`, (j) => ['succeeded', 'failed', 'cancelled'].includes((j as Json).state), timeoutMs)) as Json;
  };

  beforeAll(async () => {
    [qbit, komga, torznab] = await Promise.all([QbittorrentSim.start(), KomgaSim.start(), TorznabServer.start()]);
    const berserk = komga.world.series.find((s) => s.def.title === 'Berserk')!;
    // The library folder is created inside the app's temp dir after start; its path is known before.
    library = join((await import('node:os')).tmpdir(), `m2m-missing-${process.pid}-${Date.now()}`);
    const op = join(library, 'One Piece');
    await mkdir(op, { recursive: true });
    for (const f of ['One Piece v01.cbz', 'One Piece v02 (2019) (Digital).cbz', 'One Piece T04 [FR].cbz', 'One Piece - Tome 5.cbz']) await writeFile(join(op, f), 'x');
    t = await startWithServices(
      [
        { id: 'qbittorrent', module: qbittorrentModule, sim: qbit, extra: { interval: 3600, idle_interval: 3600 } },
        { id: 'komga', module: komgaModule, sim: komga, extra: { interval: 3600, idle_interval: 3600 } },
      ],
      {
        commands: { rate_limit: 0 },
        missing: {
          enabled: true,
          check_interval: 3600,
          search: { url: `${torznab.base}/api`, api_key: torznab.apiKey, categories: [7030], min_score: 60, language: 'fr', blocklist: ['webrip'], timeout: 2 },
          download: { client: 'qbittorrent', category: 'manga', auto: false },
          series: [
            { id: 'one_piece', title: 'One Piece', source: 'folder', path: op, total: 6 },
            { id: 'blacksad', title: 'Blacksad', source: 'folder', path: join(library, 'Blacksad') },
            { id: 'berserk', title: 'Berserk', source: 'komga', instance: 'komga', series_id: berserk.id },
          ],
        },
      },
    );
    t.secrets.push(torznab.apiKey);
    c = await Collector.connect(t.url, [`${B}/#`, 'homeassistant/#']);
  }, 30_000);
  afterAll(async () => {
    await c?.close();
    await t?.stop();
    await Promise.all([qbit?.stop(), komga?.stop(), torznab?.stop()]);
    await (await import('node:fs/promises')).rm(library, { recursive: true, force: true });
  });

  it('the first check publishes each series as issue 10 shows it, an error on the broken one only, and the summary', async () => {
    const op = (await c.waitForTopic(`${B}/missing/one_piece`, (v) => (v as SeriesState).last_checked !== null)) as SeriesState;
    expect(Object.keys(op)).toEqual(['title', 'source', 'present', 'missing', 'total', 'missing_count', 'next_expected', 'last_checked']);
    expect(op).toMatchObject({ title: 'One Piece', source: 'folder', present: [1, 2, 4, 5], missing: [3, 6], total: 6, missing_count: 2, next_expected: 7 });
    expect(Date.parse(op.last_checked!)).not.toBeNaN();
    // Berserk in Komga: 1–40 without 13 and 27, total 42.
    const berserk = (await c.waitForTopic(`${B}/missing/berserk`)) as SeriesState;
    expect(berserk).toMatchObject({ source: 'komga', missing: [13, 27, 41, 42], total: 42, missing_count: 4, next_expected: 43 });
    const blacksad = (await c.waitForTopic(`${B}/missing/blacksad`)) as SeriesState;
    expect(blacksad.error).toBe(`folder ${join(library, 'Blacksad')} does not exist`);
    expect(blacksad.missing_count).toBe(0);
    const summary = (await c.waitForTopic(`${B}/missing/summary`, (v) => (v as MissingStates['summary']).last_check !== null)) as MissingStates['summary'];
    expect(summary).toEqual({ series: 3, missing: 6, last_check: expect.any(String) });
    // Retained: a client connecting now gets it at once.
    const late = await Collector.connect(t.url, [`${B}/missing/one_piece`]);
    try {
      expect(await late.waitForTopic(`${B}/missing/one_piece`)).toMatchObject({ missing: [3, 6] });
    } finally {
      await late.close();
    }
  });

  it('is a Home Assistant device valid for HA: a sensor per series, total, last check, Check now, event', async () => {
    const dev = (await c.waitForTopic(`homeassistant/device/${B}_missing/config`, (v) => 'series_berserk' in ((v as Json).components ?? {}))) as Json;
    expect(validateDevicePayload(`homeassistant/device/${B}_missing/config`, dev)).toEqual([]);
    const comp = dev.components;
    expect(comp.series_one_piece).toMatchObject({ platform: 'sensor', state_topic: `${B}/missing/one_piece`, value_template: '{{ value_json.missing_count }}', json_attributes_topic: `${B}/missing/results/one_piece` });
    expect(comp.missing_total).toMatchObject({ state_topic: `${B}/missing/summary`, value_template: '{{ value_json.missing }}' });
    expect(comp.last_check).toMatchObject({ device_class: 'timestamp' });
    expect(comp.cmd_check).toMatchObject({ platform: 'button', command_topic: `${B}/missing/set/check` });
    expect(comp.volume_event).toMatchObject({ platform: 'event', event_types: ['volume_missing', 'volume_found', 'download_sent'] });
    // The attributes' topic carries the missing numbers as an object HA accepts.
    expect(await c.waitForTopic(`${B}/missing/results/one_piece`)).toMatchObject({ missing: [3, 6], best: null, error: null });
  });

  it('check is a job with progress per series; a volume that arrived is an event, not retained', async () => {
    await writeFile(join(library, 'One Piece', 'One Piece T03 FRENCH.cbz'), 'x');
    const done = await job(await call('check', { series: ['one_piece', 'blacksad'] }));
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ checked: 2, series: { one_piece: { missing_count: 1, missing: [6] }, blacksad: { error: expect.stringContaining('does not exist') } } });
    // Progress per series: each one's title is the job's step in turn.
    const steps = c.on(`${B}/jobs/${done.id}`).map((m) => JSON.parse(m.payload) as Json).filter((j) => j.state === 'running').map((j) => [j.progress, j.step]);
    expect(steps).toEqual(expect.arrayContaining([[0, 'One Piece'], [50, 'Blacksad']]));
    const ev = await c.waitFor(() => c.on(`${B}/missing/event`).length > 0, 'event').then(() => c.on(`${B}/missing/event`)[0]!);
    expect(ev.retain).toBe(false);
    expect(JSON.parse(ev.payload) as MissingStates['event']).toMatchObject({ event_type: 'volume_found', series: 'one_piece', volumes: [3] });
    await c.waitForTopic(`${B}/missing/one_piece`, (v) => (v as SeriesState).missing_count === 1);
  });

  it('search ranks the results: filters, dedupe, score and reasons; no link or key on MQTT', async () => {
    const done = await job(await call('search', 'one_piece'));
    expect(done.state).toBe('succeeded');
    const r = done.result as Json;
    expect(r.wanted).toEqual([6]);
    const titles = r.results.map((x: Json) => x.title);
    // Only volume 6 is wanted now: the T03 releases cover nothing wanted; the pack brings five
    // volumes already there, so a single volume with no seeders beats it; no link is never first.
    expect(titles).toEqual(['One Piece - Tome 6 [FR] (Glénat) 1r0n', 'One Piece T06 VF', 'One Piece T01 à T06 FRENCH CBZ', 'One Piece T06 FRENCH [no link]']);
    expect(r.results[0].score).toBeGreaterThan(r.results[1].score);
    expect(r.results[0]).toMatchObject({ covers: [6], link: 'magnet', info_hash: '2'.padStart(40, '0'), score: expect.any(Number) });
    expect(r.results[0].reasons).toEqual(expect.arrayContaining(['covers 1 wanted volume (6)', 'title 100 % alike', '4 seeders']));
    expect(r.results[3]).toMatchObject({ link: null });
    expect(r.rejected).toEqual({ 'no wanted volume': 3, 'wrong series': 1, 'chapters, not volumes': 1, blocklisted: 1, 'too small': 1, 'integrale edition': 1 });
    const results = (await c.waitForTopic(`${B}/missing/results/one_piece`, (v) => (v as MissingResultsState).count > 0)) as MissingResultsState;
    expect(results.best).toMatchObject({ title: 'One Piece - Tome 6 [FR] (Glénat) 1r0n', covers: [6] });
    expect(torznab.queries.at(-1)?.get('t')).toBe('search');
    expect(torznab.queries.at(-1)?.get('cat')).toBe('7030');
  });

  it('download sends the chosen result to qBittorrent with the category, records it, and never sends it twice', async () => {
    const before = qbit.world.snapshot().torrents.size;
    const res = await call('download', { series: 'one_piece', guid: `${torznab.base}/details/3` });
    expect(res).toMatchObject({ status: 'ok', data: { status: 'sent', series: 'one_piece', volumes: [6], client: 'qbittorrent', info_hash: '2'.padStart(40, '0'), release: 'One Piece - Tome 6 [FR] (Glénat) 1r0n' } });
    const added = qbit.world.snapshot().torrents.get('2'.padStart(40, '0'));
    expect(added).toMatchObject({ category: 'manga' });
    expect(qbit.world.snapshot().torrents.size).toBe(before + 1);
    const history = (await c.waitForTopic(`${B}/missing/history`, (v) => (v as MissingStates['history']).count === 1)) as MissingStates['history'];
    expect(history.recent[0]).toMatchObject({ series: 'one_piece', volumes: [6], status: 'sent', release: 'One Piece - Tome 6 [FR] (Glénat) 1r0n' });
    const ev = await c.waitFor(() => c.on(`${B}/missing/event`).some((m) => m.payload.includes('download_sent')), 'download_sent').then(() => c.on(`${B}/missing/event`).find((m) => m.payload.includes('download_sent'))!);
    expect(ev.retain).toBe(false);
    // Idempotent: the same series + volume + hash is not sent again.
    const again = await call('download', { series: 'one_piece', guid: `${torznab.base}/details/3`, volume: 6 });
    expect(again).toMatchObject({ status: 'ok', data: { status: 'already_sent' } });
    expect(qbit.world.snapshot().torrents.size).toBe(before + 1);
    // Forced, qBittorrent refuses the torrent it already has: a clear error, recorded, nothing crashes.
    const forced = await call('download', { series: 'one_piece', guid: `${torznab.base}/details/3`, force: true });
    expect(forced).toMatchObject({ status: 'error', error: { code: 'REJECTED', message: expect.stringContaining('refused') } });
    expect((await call('history', { series: 'one_piece' })).data.entries.map((e: Json) => e.status)).toEqual(['failed', 'sent']);
    // A magnet given by hand: its name says the volume; sent once, then already sent.
    const magnet = `magnet:?xt=urn:btih:${'e'.repeat(40)}&dn=${encodeURIComponent('One Piece T06 [FR]')}`;
    expect(await call('download', { series: 'one_piece', url: magnet })).toMatchObject({ status: 'ok', data: { status: 'sent', volumes: [6], release: 'One Piece T06 [FR]', info_hash: 'e'.repeat(40) } });
    expect(await call('download', { series: 'one_piece', url: magnet })).toMatchObject({ status: 'ok', data: { status: 'already_sent' } });
    expect(qbit.world.snapshot().torrents.get('e'.repeat(40))).toMatchObject({ category: 'manga' });
    // Another entry asking for the same release (two libraries holding one series): the client has
    // it already, so it is not sent again (qBittorrent would refuse it).
    const size = qbit.world.snapshot().torrents.size;
    expect(await call('download', { series: 'blacksad', url: magnet })).toMatchObject({ status: 'ok', data: { status: 'already_sent', sent_for: 'one_piece' } });
    expect(qbit.world.snapshot().torrents.size).toBe(size);
  });

  it('a result without a link, an unknown result and bad parameters are clear errors', async () => {
    expect(await call('download', { series: 'one_piece', guid: `${torznab.base}/details/11` })).toMatchObject({ status: 'error', error: { code: 'NO_LINK', message: 'result "One Piece T06 FRENCH [no link]" has no magnet or download link' } });
    expect(await call('download', { series: 'one_piece', guid: 'nope' })).toMatchObject({ status: 'error', error: { code: 'UNKNOWN_RESULT' } });
    expect(await call('download', { series: 'one_piece', guid: `${torznab.base}/details/3`, volume: 5 })).toMatchObject({ status: 'error', error: { code: 'VOLUME_NOT_IN_RESULT' } });
    expect(await call('download', { series: 'one_piece' })).toMatchObject({ status: 'error', error: { code: 'INVALID_PARAMS' } });
    expect(await call('download', { series: 'nope', url: 'magnet:?xt=urn:btih:' + 'a'.repeat(40) })).toMatchObject({ status: 'error', error: { code: 'UNKNOWN_SERIES' } });
    expect(await call('search', { series: 'one_piece', volume: 'x' })).toMatchObject({ status: 'error', error: { code: 'INVALID_PARAMS' } });
  });

  it('Komga down is an error on its series only; the folder series go on', async () => {
    await komga.server.setFault('down');
    try {
      const done = await job(await call('check'));
      expect(done.state).toBe('succeeded');
      expect(done.result.errors.berserk).toMatch(/komga/i);
      expect(done.result.series.one_piece).toEqual({ missing_count: 1, missing: [6] });
      const berserk = (await c.waitForTopic(`${B}/missing/berserk`, (v) => typeof (v as SeriesState).error === 'string')) as SeriesState;
      // The last good numbers stay, with the error beside them.
      expect(berserk).toMatchObject({ missing: [13, 27, 41, 42] });
    } finally {
      await komga.server.setFault('none');
    }
  });

  it('a search that times out fails its job with a clear error', async () => {
    torznab.mode = 'hang';
    try {
      const done = await job(await call('search', { series: 'berserk' }));
      expect(done).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT', message: 'the search on the Torznab indexer took longer than 2 s' } });
    } finally {
      torznab.mode = 'ok';
    }
  });

  it('HA attributes stay under 16 KB however long the missing list; a run-time series comes and goes', async () => {
    const empty = join(library, 'Huge');
    await mkdir(empty, { recursive: true });
    expect(await call('monitor', { id: 'huge', title: 'Huge', source: 'folder', path: empty, total: 10_000 })).toMatchObject({ status: 'ok' });
    const done = await job(await call('check', 'huge'));
    expect(done.result.series.huge.missing_count).toBe(10_000);
    const series = (await c.waitForTopic(`${B}/missing/huge`)) as SeriesState;
    expect(series.missing).toHaveLength(10_000);
    const results = (await c.waitForTopic(`${B}/missing/results/huge`)) as MissingResultsState;
    // What json_attributes_template keeps: missing (bounded), best, error.
    const attributes = JSON.stringify({ missing: results.missing, best: results.best, error: results.error });
    expect(results.missing).toHaveLength(500);
    expect(Buffer.byteLength(attributes)).toBeLessThan(16_384);
    const dev = (await c.waitForTopic(`homeassistant/device/${B}_missing/config`, (v) => 'series_huge' in ((v as Json).components ?? {}))) as Json;
    expect(dev.components.series_huge.name).toBe('Huge');
    expect(await call('unmonitor', 'huge')).toMatchObject({ status: 'ok', data: { series: 'huge', monitored: false } });
    await c.waitFor(() => c.on(`${B}/missing/huge`).at(-1)?.payload === '', 'huge cleared');
    // HA removes a component sent with only its platform (device discovery).
    await c.waitForTopic(`homeassistant/device/${B}_missing/config`, (v) => Object.keys((v as Json).components?.series_huge ?? {}).length <= 1);
  });

  it('Home Assistant (real Jinja2) accepts every template against every payload published', async () => {
    const dev = (await c.waitForTopic(`homeassistant/device/${B}_missing/config`)) as Json;
    const refs = Object.entries(dev.components as Record<string, Json>).filter(([, comp]) => Object.keys(comp).length > 1).map(([key, comp]) => ({ device: 'missing', key, c: expand(comp) }));
    const { errors, renders } = await checkTemplates(refs, (topic) => c.on(topic).map((m) => m.payload));
    expect(errors).toEqual([]);
    expect(renders).toBeGreaterThan(20);
  });

  it('never publishes or logs the indexer key, a download link or a credential', () => {
    for (const secret of t.secrets) {
      expect(c.messages.filter((m) => m.payload.includes(secret)).map((m) => m.topic)).toEqual([]);
      expect(t.logs.filter((l) => l.includes(secret))).toEqual([]);
    }
    // Links stay in the data file; only the command given a magnet and its audit trail repeat what the caller sent.
    expect(c.messages.filter((m) => m.payload.includes('magnet:?') && !m.topic.startsWith(`${B}/bridge/`) && !m.topic.includes('/set/')).map((m) => m.topic)).toEqual([]);
  });
});
