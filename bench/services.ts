/**
 * Upstream cost and push latency of the service instances, against the built-in simulators.
 *
 *   npm run bench:services     (about 4 minutes; BENCH_WINDOW=60 for a quick look)
 *
 * 1. Requests per minute per service at default settings, counted by each simulator over a
 *    window after start-up, next to the figure for Home Assistant's own integration where the
 *    issue gives one.
 * 2. Webhook → MQTT latency: the simulated world moves one step, a webhook is posted, and the
 *    time until the changed state arrives at an MQTT subscriber is measured (p50/p99).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { App } from '../src/app.js';
import { configSchema, type ServiceType } from '../src/config/schema.js';
import { LogHub } from '../src/log.js';
import { SERVICE_MODULES, type Simulator } from '../src/services/registry.js';

const WINDOW_S = Number(process.env.BENCH_WINDOW ?? 180);
const TOKEN = 'bench-webhook-token-0123456789';
const HA: Partial<Record<ServiceType, string>> = {
  sonarr: '14 (7 endpoints / 30 s)',
  radarr: '≥ 2 (full movie list / 30 s)',
  tautulli: '18 (3 calls / 10 s)',
  qbittorrent: '2 (every 30 s)',
};

const sims = new Map<string, Simulator>();
for (const m of Object.values(SERVICE_MODULES)) if (m.simulator) sims.set(m.type, await m.simulator());
const services: Record<string, unknown> = {};
for (const [id, sim] of sims) services[id] = sim.config();

const config = configSchema.parse({
  broker: { port: 0, host: '127.0.0.1' },
  http: { port: 0, host: '127.0.0.1', token: TOKEN },
  store: { data_dir: mkdtempSync(join(tmpdir(), 'm2m-bench-svc-')) },
  system: { enabled: false },
  log: { level: 'error', mqtt_level: 'off' },
  services,
});
const app = new App({ config, file: null, secrets: [] }, { logs: new LogHub({ level: 'error', format: 'text', write: () => {} }) });
await app.start();
const ticker = setInterval(() => sims.forEach((s) => s.tick?.()), 5000);

// --- 1. requests per minute -------------------------------------------------------------------
await new Promise((r) => setTimeout(r, 10_000)); // start-up reads everything once; not steady state
const before = new Map([...sims].map(([id, s]) => [id, s.server.requests.length]));
console.log(`measuring requests per minute over ${WINDOW_S} s at default intervals…`);
await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
console.log(`\n${'service'.padEnd(12)} ${'req/min'.padStart(8)}  Home Assistant's integration (req/min)`);
for (const [id, s] of sims) {
  const n = s.server.requests.length - before.get(id)!;
  console.log(`${id.padEnd(12)} ${((n / WINDOW_S) * 60).toFixed(2).padStart(8)}  ${HA[id as ServiceType] ?? '–'}`);
}

// --- 2. webhook → MQTT latency ----------------------------------------------------------------
const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${app.brokerListeners!.tcp}`);
let waiter: { prefix: string; resolve: () => void } | null = null;
sub.on('message', (topic) => {
  if (waiter && topic.startsWith(waiter.prefix) && !topic.endsWith('/availability') && !topic.endsWith('/status')) waiter.resolve();
});
await sub.subscribeAsync('media2mqtt/#');
await new Promise((r) => setTimeout(r, 500)); // retained messages

const plexBody = (event: string) => {
  const b = 'benchboundary';
  return { body: `--${b}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n${JSON.stringify({ event })}\r\n--${b}--\r\n`, type: `multipart/form-data; boundary=${b}` };
};
const hooks: Partial<Record<ServiceType, () => { body: string; type: string }>> = {
  sonarr: () => ({ body: JSON.stringify({ eventType: 'Grab', instanceName: 'Sonarr' }), type: 'application/json' }),
  radarr: () => ({ body: JSON.stringify({ eventType: 'Grab', instanceName: 'Radarr' }), type: 'application/json' }),
  prowlarr: () => ({ body: JSON.stringify({ eventType: 'Grab' }), type: 'application/json' }),
  jellyfin: () => ({ body: JSON.stringify({ NotificationType: 'PlaybackStart' }), type: 'application/json' }),
  plex: () => plexBody('media.play'),
  jellyseerr: () => ({ body: JSON.stringify({ notification_type: 'MEDIA_PENDING', subject: 'x' }), type: 'application/json' }),
  overseerr: () => ({ body: JSON.stringify({ notification_type: 'MEDIA_PENDING', subject: 'x' }), type: 'application/json' }),
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
console.log(`\n${'webhook'.padEnd(12)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  changes seen / pushes`);
for (const [id, make] of Object.entries(hooks)) {
  if (!sims.has(id)) continue;
  const times: number[] = [];
  const N = Number(process.env.BENCH_PUSHES ?? 20);
  for (let i = 0; i < N; i++) {
    // Make the change upstream that the webhook announces: a search grabs a release (*arr),
    // a user requests a title (Seerr), the world moves on (sessions progress, stats grow).
    const sim = sims.get(id)! as Simulator & { grab?: () => unknown; addRequest?: () => unknown };
    if (sim.grab) sim.grab();
    else if (sim.addRequest) sim.addRequest();
    else sim.tick?.();
    const { body, type } = make!();
    const t0 = performance.now();
    const seen = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1000);
      waiter = { prefix: `media2mqtt/${id}/`, resolve: () => (clearTimeout(timer), resolve(true)) };
    });
    await fetch(`http://127.0.0.1:${app.httpPort}/api/webhook/${id}?token=${TOKEN}`, { method: 'POST', headers: { 'content-type': type }, body });
    if (await seen) times.push(performance.now() - t0);
    waiter = null;
    await new Promise((r) => setTimeout(r, 1100)); // past the 1 s coalescing window of some services
  }
  console.log(`${id.padEnd(12)} ${(times.length ? pct(times, 50).toFixed(1) : '–').padStart(8)} ${(times.length ? pct(times, 99).toFixed(1) : '–').padStart(8)}  ${times.length}/${N}`);
}

clearInterval(ticker);
await sub.endAsync();
await app.stop();
for (const s of sims.values()) await s.stop();
process.exit(0);
