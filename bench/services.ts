/**
 * Upstream cost and push latency of the service instances, against the built-in simulators.
 *
 *   npm run bench:services     (about 18 minutes; BENCH_WINDOW=60 BENCH_PUSHES=10 for a quick look,
 *                               BENCH_ONLY=rates for part 3 alone)
 *
 * 1. Webhook → MQTT latency, on a bridge with the live channels off (so the webhook is the only
 *    push): the simulated world changes, the webhook is posted, and the time until the changed
 *    state arrives at an MQTT subscriber is measured (p50/p99).
 * 2. Live channel → MQTT latency at default settings, no webhook: the world changes and the
 *    SignalR / WebSocket push alone brings it to MQTT.
 * 3. Requests per minute per service at default settings, counted by each simulator over a
 *    window (10 minutes), in both modes side by side: polling only (`live: false`) and with the
 *    live channels on, each on its own fresh simulators ticking through the same busy world. A
 *    live channel must never cost more than polling: a line where it does is marked (!).
 *    Next to them, Home Assistant's own integration where the issue gives one.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { App } from '../src/app.js';
import { configSchema, type ServiceType } from '../src/config/schema.js';
import { LogHub } from '../src/log.js';
import { SERVICE_TYPE_DEFS, loadAllServiceModules } from '../src/services/registry.js';
import type { Simulator } from '../src/services/module.js';

const WINDOW_S = Number(process.env.BENCH_WINDOW ?? 600);
/** BENCH_ONLY=rates: only the requests-per-minute part (3). */
const RATES_ONLY = process.env.BENCH_ONLY === 'rates';
const TOKEN = 'bench-webhook-token-0123456789';
const HA: Partial<Record<ServiceType, string>> = {
  sonarr: '14 (7 endpoints / 30 s)',
  radarr: '≥ 2 (full movie list / 30 s)',
  tautulli: '18 (3 calls / 10 s)',
  qbittorrent: '2 (every 30 s)',
};

/** The types with a live channel (SignalR, WebSocket): those whose settings include `live` (SETTINGS.live). */
const LIVE = new Set(Object.entries(SERVICE_TYPE_DEFS).filter(([, d]) => 'live' in (d.settings ?? {})).map(([type]) => type));

/** The simulators of the current phase: each phase starts fresh ones, so no phase runs out of wanted items. */
let sims = new Map<string, Simulator>();
async function freshSims(): Promise<Record<string, unknown>> {
  for (const s of sims.values()) await s.stop();
  sims = new Map();
  for (const m of await loadAllServiceModules()) if (m.simulator) sims.set(m.type, await m.simulator());
  return Object.fromEntries([...sims].map(([id, sim]) => [id, sim.config()]));
}

/** A bridge on every simulator; `live: false` leaves webhooks as the only push. */
async function bridge(live: boolean): Promise<App> {
  const services = await freshSims();
  // Only the types with a live channel accept `live` (the configuration rejects unknown keys).
  const svc = Object.fromEntries(Object.entries(services).map(([id, c]) => [id, LIVE.has(id) ? { ...(c as object), live } : c]));
  const config = configSchema.parse({
    broker: { port: 0, host: '127.0.0.1' },
    http: { port: 0, host: '127.0.0.1', token: TOKEN },
    store: { data_dir: mkdtempSync(join(tmpdir(), 'm2m-bench-svc-')) },
    system: { enabled: false },
    log: { level: 'error', mqtt_level: 'off' },
    services: svc,
  });
  const a = new App({ config, file: null, secrets: [] }, { logs: new LogHub({ level: 'error', format: 'text', write: () => {} }) });
  await a.start();
  return a;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const N = Number(process.env.BENCH_PUSHES ?? 20);

/** Subscribes to the bridge's topics; `next(prefix)` resolves when a state under it changes (not availability/status). */
async function watcher(a: App) {
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${a.brokerListeners!.tcp}`);
  (sub.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  let waiter: { prefix: string; resolve: () => void } | null = null;
  sub.on('message', (topic) => {
    if (waiter && topic.startsWith(waiter.prefix) && !topic.endsWith('/availability') && !topic.endsWith('/status')) waiter.resolve();
  });
  await sub.subscribeAsync('media2mqtt/#');
  await new Promise((r) => setTimeout(r, 500)); // retained messages
  return {
    /** Runs `act` and times until a change under `media2mqtt/<id>/` arrives (null after 1 s). */
    async time(id: string, act: () => Promise<void> | void): Promise<number | null> {
      const seen = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 1000);
        waiter = { prefix: `media2mqtt/${id}/`, resolve: () => (clearTimeout(timer), resolve(true)) };
      });
      const t0 = performance.now();
      await act();
      const ok = await seen;
      waiter = null;
      return ok ? performance.now() - t0 : null;
    },
    close: () => sub.endAsync(),
  };
}

/** Makes the change upstream that a push announces: a search grabs a release (*arr), a user requests a title (Seerr), the world moves on (sessions). */
let flip = false;
/**
 * Makes the change upstream that a push announces, and says which *arr webhook event announces
 * it: a search grabs a release (`Grab`); once nothing is wanted any more, a health issue comes and
 * goes (`Health` / `HealthRestored`). Seerr: a user requests a title (then approvals). Jellyfin
 * and Plex: a playback starts or stops.
 */
function change(id: string): string {
  const sim = sims.get(id)! as Simulator & { grab?: () => unknown; addHealthIssue?: (i: unknown) => void; clearHealth?: () => void; addRequest?: () => unknown; setStatus?: (id: number, s: string) => unknown; world?: any };
  flip = !flip;
  if (sim.grab) {
    if (sim.grab()) return 'Grab';
    if (flip) sim.addHealthIssue!({ source: 'IndexerStatusCheck', type: 'warning', message: 'Indexers unavailable due to failures: NZBgeek', wiki: 'indexers-are-unavailable-due-to-failures' });
    else sim.clearHealth!();
    return flip ? 'Health' : 'HealthRestored';
  }
  if (sim.addRequest) {
    // Every simulated title gets requested eventually: then approvals and declines keep the counts moving.
    try {
      sim.addRequest();
    } catch {
      const r = (sim as unknown as { requests: { id: number; status: number }[] }).requests;
      const pending = r.find((x) => x.status === 1);
      if (pending) sim.setStatus!(pending.id, 'approve');
      else if (r[0]) sim.setStatus!(r[0].id, flip ? 'decline' : 'approve');
    }
  } else if (id === 'jellyfin') {
    if (flip) sim.world.startPlayback({ user: 'bench', device: 'Bench TV', client: 'Jellyfin Web', itemName: 'Arrival' });
    else sim.world.stopPlayback('bench');
  } else if (id === 'plex') {
    if (flip) sim.world.startSession({ user: 'bench', player: 'Bench TV', product: 'Plex Web', itemTitle: 'The Matrix' });
    else sim.world.stopSession('bench');
  } else sim.tick?.();
  return '';
}

function report(name: string, times: (number | null)[]): void {
  const ok = times.filter((t): t is number => t !== null);
  console.log(`${name.padEnd(12)} ${(ok.length ? pct(ok, 50).toFixed(1) : '–').padStart(8)} ${(ok.length ? pct(ok, 99).toFixed(1) : '–').padStart(8)}  ${ok.length}/${times.length}`);
}
// --- 1. webhook → MQTT latency, live channels off so the webhook is the only push --------------
const plexBody = (event: string) => {
  const b = 'benchboundary';
  return { body: `--${b}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n${JSON.stringify({ event })}\r\n--${b}--\r\n`, type: `multipart/form-data; boundary=${b}` };
};
const arrHook = (app: string) => (event: string) => ({ body: JSON.stringify({ eventType: event, instanceName: app, ...(event.startsWith('Health') ? { level: 'warning', message: 'Indexers unavailable', type: 'IndexerStatusCheck' } : {}) }), type: 'application/json' });
const hooks: Partial<Record<ServiceType, (event: string) => { body: string; type: string }>> = {
  sonarr: arrHook('Sonarr'),
  radarr: arrHook('Radarr'),
  prowlarr: () => ({ body: JSON.stringify({ eventType: 'Grab' }), type: 'application/json' }),
  jellyfin: () => ({ body: JSON.stringify({ NotificationType: 'PlaybackStart' }), type: 'application/json' }),
  plex: () => plexBody('media.play'),
  jellyseerr: () => ({ body: JSON.stringify({ notification_type: 'MEDIA_PENDING', subject: 'x' }), type: 'application/json' }),
  overseerr: () => ({ body: JSON.stringify({ notification_type: 'MEDIA_PENDING', subject: 'x' }), type: 'application/json' }),
};
if (!RATES_ONLY) {
  const a = await bridge(false);
  await new Promise((r) => setTimeout(r, 5_000)); // the first full polls
  const w = await watcher(a);
  console.log(`\n${'webhook'.padEnd(12)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  changes seen / pushes (live channels off)`);
  for (const [id, make] of Object.entries(hooks)) {
    if (!sims.has(id)) continue;
    const times: (number | null)[] = [];
    for (let i = 0; i < N; i++) {
      const { body, type } = make!(change(id));
      times.push(await w.time(id, () => fetch(`http://127.0.0.1:${a.httpPort}/api/webhook/${id}?token=${TOKEN}`, { method: 'POST', headers: { 'content-type': type }, body }).then((r) => void r.arrayBuffer())));
      await new Promise((r) => setTimeout(r, 1100)); // past the 1 s coalescing window of some services
    }
    report(id, times);
  }
  await w.close();
  await a.stop();
}

// --- 2. live channel → MQTT latency (default settings: live on, no webhook) ----------------------
if (!RATES_ONLY) {
  const app = await bridge(true);
  await new Promise((r) => setTimeout(r, 5_000));
  const w = await watcher(app);
  console.log(`\n${'live'.padEnd(12)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}  changes seen / upstream changes (no webhook)`);
  for (const id of ['sonarr', 'radarr', 'jellyfin', 'plex']) {
    if (!sims.has(id)) continue;
    const times: (number | null)[] = [];
    for (let i = 0; i < N; i++) {
      times.push(await w.time(id, () => void change(id)));
      await new Promise((r) => setTimeout(r, 2100)); // past the 2 s queue gap of the *arr live channel
    }
    report(id, times);
  }
  await w.close();
  await app.stop();
}

// --- 3. requests per minute at default settings, polling only and with the live channels --------
// One tick is 10 simulated seconds in the *arr simulators: ticking every 10 s runs their world in real time
// (downloads still finish within a minute or two, so this is a busy evening, not an idle one). Both modes
// run at once on their own fresh simulators, so they see the same world for the same window.
async function rates(live: boolean): Promise<{ app: App; sims: Map<string, Simulator> }> {
  const app = await bridge(live);
  const own = sims;
  sims = new Map(); // the next bridge() must not stop these
  return { app, sims: own };
}
const modes = [await rates(false), await rates(true)];
const ticker = setInterval(() => modes.forEach((m) => m.sims.forEach((s) => s.tick?.())), 10_000);
await new Promise((r) => setTimeout(r, 10_000)); // settle: the start-up reads are not the steady state
const before = modes.map((m) => new Map([...m.sims].map(([id, s]) => [id, s.server.requests.length])));
/** Requests per path within the window, to explain a row marked (!). */
const byPath = (s: Simulator, from: number): Map<string, number> => {
  const m = new Map<string, number>();
  for (const r of s.server.requests.slice(from)) m.set(r.path, (m.get(r.path) ?? 0) + 1);
  return m;
};
console.log(`\nmeasuring requests per minute over ${WINDOW_S} s at default intervals, polling only and live channels on…`);
await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
const perMin = modes.map((m, i) => new Map([...m.sims].map(([id, s]) => [id, ((s.server.requests.length - before[i]!.get(id)!) / WINDOW_S) * 60])));
clearInterval(ticker);
console.log(`\n${'service'.padEnd(12)} ${'polling'.padStart(8)} ${'live on'.padStart(8)}  Home Assistant's integration (req/min)`);
for (const id of modes[0]!.sims.keys()) {
  const [p, l] = [perMin[0]!.get(id)!, perMin[1]!.get(id)!];
  // Services without a live channel run the same code in both columns: their difference is the world's noise.
  const mark = !LIVE.has(id) ? ' n/a' : l > p + 1e-9 ? ' (!)' : '    ';
  console.log(`${id.padEnd(12)} ${p.toFixed(2).padStart(8)} ${l.toFixed(2).padStart(8)}${mark}  ${HA[id as ServiceType] ?? '–'}`);
}
for (const id of LIVE) {
  const [pollSim, liveSim] = modes.map((m) => m.sims.get(id));
  if (!pollSim || !liveSim) continue;
  const [poll, live] = [byPath(pollSim, before[0]!.get(id)!), byPath(liveSim, before[1]!.get(id)!)];
  const paths = [...new Set([...poll.keys(), ...live.keys()])].sort();
  console.log(`\n${id}: requests in the window by path (polling / live)`);
  for (const path of paths) console.log(`  ${path.padEnd(40)} ${String(poll.get(path) ?? 0).padStart(4)} ${String(live.get(path) ?? 0).padStart(4)}`);
}
for (const m of modes) {
  await m.app.stop();
  for (const s of m.sims.values()) await s.stop();
}
process.exit(0);
