import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Fault } from '../../src/services/sim/server.js';
import type { PolledService } from '../../src/services/service.js';
import { radarrModule } from '../../src/services/radarr/index.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import type { Json } from './servarr-kit.js';

describe('Radarr upstream faults', () => {
  let a: RadarrSim;
  let b: RadarrSim;
  let t: TestApp & { secrets: string[] };
  let c: Collector;

  beforeAll(async () => {
    a = await RadarrSim.start({ autoGrabAfter: 0 });
    b = await RadarrSim.start({ autoGrabAfter: 0 });
    t = await startWithServices([
      { id: 'radarr', module: radarrModule, sim: a, extra: { interval: 1, idle_interval: 1, timeout: 0.5 } },
      { id: 'radarr_4k', module: radarrModule, sim: b, extra: { interval: 1, idle_interval: 1 } },
    ]);
    c = await Collector.connect(t.url, ['media2mqtt/#']);
    // `status` is published when a whole poll succeeded: the first, full poll is over.
    await c.waitForTopic('media2mqtt/radarr/status');
    await c.waitForTopic('media2mqtt/radarr_4k/status');
  });

  afterAll(async () => {
    await c?.client.endAsync();
    await t?.stop();
    await a?.stop();
    await b?.stop();
  });

  const cases: [Fault, RegExp][] = [
    ['down', /connection refused/],
    ['slow', /no answer within 0\.5 s/],
    ['unauthorized', /401 unauthorized/],
    ['error', /HTTP 500/],
    ['malformed', /not JSON/],
  ];

  it.each(cases)('%s: offline with the cause, logged once, recovers', async (fault, cause) => {
    const service = t.app.instance('radarr') as PolledService;
    const logStart = t.logs.length;
    await a.setFault(fault);
    await c.waitForTopic('media2mqtt/radarr/availability', (v) => (v as Json).state === 'offline');
    const info = (await c.waitForTopic('media2mqtt/bridge/info', (v) => cause.test(String((v as Json).services.find((s: Json) => s.id === 'radarr')?.last_error ?? '')))) as Json;
    expect(info.services.find((s: Json) => s.id === 'radarr_4k').state).toBe('online');
    await vi.waitFor(() => expect(service.failures).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 50 });
    expect(t.logs.slice(logStart).filter((l) => l.includes('radarr') && cause.test(l))).toHaveLength(1);
    expect((c.latest('media2mqtt/radarr_4k/availability') as Json).state).toBe('online');
    await a.setFault('none');
    await c.waitForTopic('media2mqtt/radarr/availability', (v) => (v as Json).state === 'online', 20_000);
    expect(service.failures).toBe(0);
    for (const l of t.logs) for (const k of t.secrets) expect(l).not.toContain(k);
  }, 40_000);
});
