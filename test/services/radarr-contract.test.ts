import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { radarrModule } from '../../src/services/radarr/index.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { OpenApiSpec } from '../helpers/openapi.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';
import { checkContract, checkDevice, checkWebhookBody, fixture, loadPayloadSpec, simGet } from './servarr-kit.js';

const spec = new OpenApiSpec('radarr/openapi.json');
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('Radarr contract (specs/radarr/openapi.json)', () => {
  it('makes only documented requests, and the simulator answers them as the spec says', async () => {
    const sim = await RadarrSim.start();
    cleanup.push(() => sim.stop());
    const t = await startWithServices([{ id: 'radarr', module: radarrModule, sim }]);
    cleanup.push(() => t.stop());
    const c = await Collector.connect(t.url, ['homeassistant/#', 'media2mqtt/#']);
    cleanup.push(() => c.client.endAsync());
    await checkDevice(c, 'radarr', ['disk_free_data_movies']);
    const { operations } = await checkContract(spec, sim);
    expect(operations).toEqual(
      [
        'GET /api/v3/calendar',
        'GET /api/v3/diskspace',
        'GET /api/v3/health',
        'GET /api/v3/movie',
        'GET /api/v3/queue',
        'GET /api/v3/queue/status',
        'GET /api/v3/rootfolder',
        'GET /api/v3/system/status',
        'GET /api/v3/update',
        'GET /api/v3/wanted/cutoff',
        'GET /api/v3/wanted/missing',
      ].sort(),
    );
    for (const r of sim.server.requests.filter((x) => x.path.startsWith('/api/v3/wanted/'))) expect(r.query.pageSize).toBe('1');
  });

  it('answers the other simulated endpoints as the spec says', async () => {
    const sim = await RadarrSim.start();
    cleanup.push(() => sim.stop());
    const check = async (path: string, query: Record<string, string> = {}) => {
      const { status, body } = await simGet(sim, path, query);
      expect(status, path).toBe(200);
      expect(spec.validateResponse('GET', path, status, body), path).toEqual([]);
      return body as any;
    };
    await check('/ping');
    const movies = await check('/api/v3/movie');
    expect(movies).toHaveLength(sim.movies.length);
    await check(`/api/v3/movie/${movies[0].id}`);
    await check('/api/v3/movie', { tmdbId: '693134' });
    const missing = await check('/api/v3/wanted/missing', { page: '1', pageSize: '2' });
    expect(missing.records).toHaveLength(2);
    expect(missing.totalRecords).toBe(sim.missing().length);
    await check('/api/v3/wanted/missing', { monitored: 'false' });
    await check('/api/v3/queue', { page: '1', pageSize: '10' });
    await check('/api/v3/calendar', { start: new Date(Date.now() - 900 * 86_400_000).toISOString(), end: new Date().toISOString(), unmonitored: 'true' });
    const res = await fetch(`${sim.server.url}/api/v3/command`, { method: 'POST', headers: { 'X-Api-Key': sim.apiKey, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'MissingMoviesSearch' }) });
    const cmd = (await res.json()) as any;
    expect(spec.validateResponse('POST', '/api/v3/command', res.status, cmd)).toEqual([]);
    const queued = sim.queue.length;
    sim.tick();
    expect(sim.queue.length).toBe(queued + 1); // the search grabbed the next missing movie
    sim.tick();
    expect((await check(`/api/v3/command/${cmd.id}`)).status).toBe('completed');
  });

  it('wants the API key (header or apikey query) everywhere but /ping', async () => {
    const sim = await RadarrSim.start();
    cleanup.push(() => sim.stop());
    expect((await fetch(`${sim.server.url}/api/v3/movie`)).status).toBe(401);
    expect((await fetch(`${sim.server.url}/api/v3/movie?apikey=${sim.apiKey}`)).status).toBe(200);
    expect((await fetch(`${sim.server.url}/ping`)).status).toBe(200);
  });

  it('webhook fixtures are shaped like the payload classes (specs/radarr/webhook-payloads.json)', () => {
    const payloads = loadPayloadSpec('radarr');
    const files = readdirSync(new URL('../fixtures/radarr/', import.meta.url)).filter((f) => f.startsWith('webhook-'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) expect(checkWebhookBody(payloads, fixture('radarr', f)), f).toEqual([]);
  });
});
