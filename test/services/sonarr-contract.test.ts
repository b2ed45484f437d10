import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sonarrModule } from '../../src/services/sonarr/index.js';
import { SonarrSim } from '../../src/services/sonarr/sim.js';
import { OpenApiSpec } from '../helpers/openapi.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import { checkContract, checkDevice, checkWebhookBody, fixture, loadPayloadSpec, simGet } from './servarr-kit.js';

const spec = new OpenApiSpec('sonarr/openapi.json');
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('Sonarr contract (specs/sonarr/openapi.json)', () => {
  it('makes only documented requests, and the simulator answers them as the spec says', async () => {
    const sim = await SonarrSim.start();
    cleanup.push(() => sim.stop());
    const t: TestApp = await startWithServices([{ id: 'sonarr', module: sonarrModule, sim }]);
    cleanup.push(() => t.stop());
    const c = await Collector.connect(t.url, ['homeassistant/#', 'media2mqtt/#']);
    cleanup.push(() => c.client.endAsync());
    await checkDevice(c, 'sonarr', ['disk_free_data_tv']);
    const { operations } = await checkContract(spec, sim);
    expect(operations).toEqual(
      [
        'GET /api/v3/calendar',
        'GET /api/v3/diskspace',
        'GET /api/v3/health',
        'GET /api/v3/queue',
        'GET /api/v3/queue/status',
        'GET /api/v3/rootfolder',
        'GET /api/v3/series',
        'GET /api/v3/system/status',
        'GET /api/v3/update',
        'GET /api/v3/wanted/cutoff',
        'GET /api/v3/wanted/missing',
      ].sort(),
    );
    // Counts come from pageSize=1 + totalRecords, never from the whole list.
    for (const r of sim.server.requests.filter((x) => x.path.startsWith('/api/v3/wanted/'))) expect(r.query.pageSize).toBe('1');
  });

  it('answers the other simulated endpoints as the spec says', async () => {
    const sim = await SonarrSim.start();
    cleanup.push(() => sim.stop());
    const check = async (path: string, query: Record<string, string> = {}) => {
      const { status, body } = await simGet(sim, path, query);
      expect(status, path).toBe(200);
      expect(spec.validateResponse('GET', path, status, body), path).toEqual([]);
      return body as any;
    };
    await check('/ping');
    const series = await check('/api/v3/series');
    expect(series).toHaveLength(sim.series.length);
    await check(`/api/v3/series/${series[0].id}`);
    await check('/api/v3/episode', { seriesId: String(series[2].id) });
    await check('/api/v3/wanted/missing', { page: '1', pageSize: '5', includeSeries: 'true' });
    await check('/api/v3/wanted/missing', { monitored: 'false' });
    const page2 = await check('/api/v3/wanted/missing', { page: '2', pageSize: '3' });
    expect(page2.page).toBe(2);
    expect(page2.records.length).toBeLessThanOrEqual(3);
    await check('/api/v3/queue', { page: '1', pageSize: '1' });
    await check('/api/v3/calendar', { start: new Date(Date.now() - 30 * 86_400_000).toISOString(), end: new Date().toISOString(), includeSeries: 'true', unmonitored: 'true' });
    // Commands: POST starts one, GET /command/{id} follows it through queued → started → completed.
    const res = await fetch(`${sim.server.url}/api/v3/command`, { method: 'POST', headers: { 'X-Api-Key': sim.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'MissingEpisodeSearch' }) });
    const cmd = (await res.json()) as any;
    expect(spec.validateResponse('POST', '/api/v3/command', res.status, cmd)).toEqual([]);
    expect(cmd.status).toBe('queued');
    sim.tick();
    sim.tick();
    const done = await check(`/api/v3/command/${cmd.id}`);
    expect(done.status).toBe('completed');
    await check('/api/v3/command');
  });

  it('wants the API key (header or apikey query) everywhere but /ping', async () => {
    const sim = await SonarrSim.start({ apiKey: 'k'.repeat(32) });
    cleanup.push(() => sim.stop());
    expect((await fetch(`${sim.server.url}/api/v3/system/status`)).status).toBe(401);
    expect((await fetch(`${sim.server.url}/api/v3/system/status`, { headers: { 'X-Api-Key': 'wrong' } })).status).toBe(401);
    expect((await fetch(`${sim.server.url}/api/v3/system/status?apikey=${'k'.repeat(32)}`)).status).toBe(200);
    expect((await fetch(`${sim.server.url}/ping`)).status).toBe(200);
  });

  it('webhook fixtures are shaped like the payload classes (specs/sonarr/webhook-payloads.json)', () => {
    const payloads = loadPayloadSpec('sonarr');
    const files = readdirSync(new URL('../fixtures/sonarr/', import.meta.url)).filter((f) => f.startsWith('webhook-'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) expect(checkWebhookBody(payloads, fixture('sonarr', f)), f).toEqual([]);
  });
});
