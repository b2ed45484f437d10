import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Fault } from '../../src/services/sim/server.js';
import type { PolledService } from '../../src/services/service.js';
import { sonarrModule } from '../../src/services/sonarr/index.js';
import { SonarrSim } from '../../src/services/sonarr/sim.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';
import type { Json } from './servarr-kit.js';

/**
 * Each fault mode of the simulator: the instance goes offline with the cause in bridge/info,
 * the other instance stays online, the error is logged once however many polls fail, and the
 * instance recovers by itself when the fault ends.
 */
describe('Sonarr upstream faults', () => {
  let a: SonarrSim;
  let b: SonarrSim;
  let t: TestApp & { secrets: string[] };
  let c: Collector;

  beforeAll(async () => {
    a = await SonarrSim.start({ autoGrabAfter: 0 });
    b = await SonarrSim.start({ autoGrabAfter: 0 });
    t = await startWithServices([
      { id: 'sonarr', module: sonarrModule, sim: a, extra: { interval: 1, idle_interval: 1, timeout: 0.5 } },
      { id: 'sonarr_4k', module: sonarrModule, sim: b, extra: { interval: 1, idle_interval: 1 } },
    ]);
    c = await Collector.connect(t.url, ['media2mqtt/#']);
    // `status` is published when a whole poll succeeded: the first, full poll is over.
    await c.waitForTopic('media2mqtt/sonarr/status');
    await c.waitForTopic('media2mqtt/sonarr_4k/status');
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
    const service = t.app.instance('sonarr') as PolledService;
    const logStart = t.logs.length;
    await a.setFault(fault);
    await c.waitForTopic('media2mqtt/sonarr/availability', (v) => (v as Json).state === 'offline');
    const info = (await c.waitForTopic('media2mqtt/bridge/info', (v) => cause.test(String((v as Json).services.find((s: Json) => s.id === 'sonarr')?.last_error ?? '')))) as Json;
    expect(info.services.find((s: Json) => s.id === 'sonarr_4k').state).toBe('online');
    // Two failed polls at least, still one log line for the cause.
    await vi.waitFor(() => expect(service.failures).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 50 });
    const lines = t.logs.slice(logStart).filter((l) => l.includes('sonarr') && cause.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/warn/);
    expect((c.latest('media2mqtt/sonarr_4k/availability') as Json).state).toBe('online');
    expect((c.latest('media2mqtt/bridge/state') as Json).state).toBe('online');

    await a.setFault('none');
    await c.waitForTopic('media2mqtt/sonarr/availability', (v) => (v as Json).state === 'online', 20_000);
    expect(service.failures).toBe(0);
    expect(t.logs.slice(logStart).some((l) => l.includes('reachable again'))).toBe(true);
    for (const l of t.logs) for (const k of t.secrets) expect(l).not.toContain(k);
  }, 40_000);
});
