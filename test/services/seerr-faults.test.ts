import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jellyseerrModule } from '../../src/services/jellyseerr/index.js';
import { overseerrModule } from '../../src/services/overseerr/index.js';
import { JELLYSEERR, OVERSEERR } from '../../src/services/seerr/flavour.js';
import { SeerrSimulator } from '../../src/services/seerr/sim.js';
import type { Fault } from '../../src/services/sim/server.js';
import type { PolledService } from '../../src/services/service.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';

type Info = { services: { id: string; state: string; last_error: string | null }[] };

/** Each fault mode and the cause the bridge must report for it. */
const FAULTS: [Fault, RegExp][] = [
  ['down', /connection refused/],
  ['slow', /no answer within 0\.5 s/],
  // The apps answer a missing or wrong key with 403 (server/middleware/auth.ts).
  ['unauthorized', /403 forbidden/],
  ['error', /HTTP 500/],
  ['malformed', /not JSON/],
];

describe('jellyseerr: fault modes (an overseerr instance beside it stays online)', () => {
  let sim: SeerrSimulator;
  let other: SeerrSimulator;
  let t: TestApp & { secrets: string[] };
  let sub: Collector;

  beforeAll(async () => {
    sim = await SeerrSimulator.start(JELLYSEERR);
    other = await SeerrSimulator.start(OVERSEERR);
    t = await startWithServices([
      { id: 'jellyseerr', module: jellyseerrModule, sim, extra: { interval: 1, idle_interval: 1, timeout: 0.5 } },
      { id: 'overseerr', module: overseerrModule, sim: other, extra: { interval: 1, idle_interval: 1 } },
    ]);
    sub = await Collector.connect(t.url, ['media2mqtt/#']);
    await sub.waitForTopic('media2mqtt/jellyseerr/availability', (v) => (v as { state: string }).state === 'online');
    await sub.waitForTopic('media2mqtt/overseerr/availability', (v) => (v as { state: string }).state === 'online');
  });
  afterAll(async () => {
    await sub?.close();
    await t?.stop();
    await sim?.stop();
    await other?.stop();
  });

  const entry = (id: string) => (sub.latest('media2mqtt/bridge/info') as Info | undefined)?.services.find((s) => s.id === id);

  for (const [fault, cause] of FAULTS) {
    it(`${fault}: offline with the cause in bridge/info, logged once, the other instance unaffected, then recovers`, async () => {
      const service = t.app.instance('jellyseerr') as PolledService;
      const logsBefore = t.logs.length;
      const otherOffline = () => sub.on('media2mqtt/overseerr/availability').some((m) => m.payload.includes('offline'));
      await sim.server.setFault(fault);
      await sub.waitForTopic('media2mqtt/jellyseerr/availability', (v) => (v as { state: string }).state === 'offline');
      await sub.waitFor(() => cause.test(entry('jellyseerr')?.last_error ?? ''), `last_error matching ${String(cause)}`);
      await sub.waitFor(() => service.failures >= 3, 'three failed polls', 20_000);
      const lines = t.logs.slice(logsBefore).filter((l) => l.includes(sim.server.url) && cause.test(l));
      expect(lines, lines.join('\n')).toHaveLength(1);
      expect(lines[0]).toMatch(/ warn /);
      expect(entry('overseerr')).toMatchObject({ state: 'online', last_error: null });
      expect(otherOffline()).toBe(false);

      await sim.server.setFault('none');
      await sub.waitForTopic('media2mqtt/jellyseerr/availability', (v) => (v as { state: string }).state === 'online', 20_000);
      await sub.waitFor(() => entry('jellyseerr')?.state === 'online' && entry('jellyseerr')?.last_error === null, 'bridge/info back online');
      expect(service.failures).toBe(0);
    }, 40_000);
  }

  it('after all that, the states are right again and nothing leaked', async () => {
    sim.addRequest(1022789);
    await sub.waitForTopic('media2mqtt/jellyseerr/requests', (v) => JSON.stringify(v) === JSON.stringify(sim.counts()));
    for (const s of t.secrets) {
      expect(sub.messages.some((m) => m.payload.includes(s))).toBe(false);
      expect(t.logs.some((l) => l.includes(s))).toBe(false);
    }
    expect(sub.latest('media2mqtt/bridge/state')).toEqual({ state: 'online' });
  });
});
