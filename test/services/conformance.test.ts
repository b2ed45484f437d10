import { describe, expect, it } from 'vitest';
import type { Fault } from '../../src/services/sim/server.js';
import type { ServiceInstance } from '../../src/services/service.js';
import { SERVICE_TYPE_DEFS, loadServiceModule, type ServiceType } from '../../src/services/registry.js';
import { validateDevicePayload } from '../helpers/ha-rules.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';

/**
 * The conformance suite every registered service type runs, read from the registry (a new type
 * is covered without a test file of its own): against two instances of its simulator, the
 * device is valid for Home Assistant, every entity's state topic gets a value, each fault mode
 * takes only the faulty instance offline with a cause in words (logged once) and it recovers
 * by itself, and no credential ever reaches a topic or a log line.
 */

/** What the bridge must say for each fault, whatever the type. */
const CAUSES: Record<Exclude<Fault, 'none'>, RegExp> = {
  down: /connection refused/,
  slow: /no answer within 0\.5 s/,
  unauthorized: /401|403|unauthori[sz]ed|forbidden|refused the API key|wrong username or password/i,
  error: /HTTP 500/,
  malformed: /not JSON|unexpected answer|malformed|not XML/i,
};

type Info = { services: { id: string; state: string; last_error: string | null }[] };
const online = (v: unknown) => (v as { state: string }).state === 'online';
const offline = (v: unknown) => (v as { state: string }).state === 'offline';

describe('service conformance', () => {
  const types = Object.keys(SERVICE_TYPE_DEFS) as ServiceType[];

  it.concurrent.each(types)('%s: valid device, every state present, faults isolated and recovered, no secret anywhere', async (type) => {
    const module = await loadServiceModule(type);
    expect(module.simulator, `${type} has a simulator`).toBeDefined();
    const faulty = await module.simulator!();
    const other = await module.simulator!();
    const id = type;
    const otherId = `${type}_b`;
    const t = await startWithServices([
      { id, module, sim: faulty, extra: { interval: 1, idle_interval: 1, timeout: 0.5 } },
      { id: otherId, module, sim: other, extra: { interval: 1, idle_interval: 1 } },
    ]);
    const sub = await Collector.connect(t.url, ['media2mqtt/#', 'homeassistant/#']);
    try {
      for (const x of [id, otherId]) {
        await sub.waitForTopic(`media2mqtt/${x}/availability`, online, 20_000);
        await sub.waitForTopic(`media2mqtt/${x}/status`);
      }
      // The device as Home Assistant reads it, and a value on every state topic it names.
      const configTopic = `homeassistant/device/media2mqtt_${id}/config`;
      const device = (await sub.waitForTopic(configTopic)) as { components: Record<string, { state_topic?: string; platform: string }> };
      expect(validateDevicePayload(configTopic, device as never), type).toEqual([]);
      const stateTopics = [...new Set(Object.values(device.components).filter((c) => c.state_topic && c.platform !== 'event').map((c) => c.state_topic!))];
      expect(stateTopics.length).toBeGreaterThanOrEqual(2);
      for (const topic of stateTopics) await sub.waitForTopic(topic, () => true, 15_000);

      const service = t.app.instance(id) as ServiceInstance;
      // Discovery keys components by entity key: a key declared twice silently loses one entity.
      const keys = service.entities().map((e) => e.key);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i), `${type}: entity keys declared twice`).toEqual([]);
      const entry = (x: string) => (sub.latest('media2mqtt/bridge/info') as Info | undefined)?.services.find((s) => s.id === x);
      for (const [fault, cause] of Object.entries(CAUSES) as [Fault, RegExp][]) {
        const logsBefore = t.logs.length;
        const offlineBefore = sub.on(`media2mqtt/${otherId}/availability`).filter((m) => m.payload.includes('offline')).length;
        await faulty.server.setFault(fault);
        await sub.waitForTopic(`media2mqtt/${id}/availability`, offline, 20_000);
        await sub.waitFor(() => cause.test(entry(id)?.last_error ?? ''), `${type} ${fault}: last_error matching ${String(cause)} (got ${entry(id)?.last_error})`, 15_000);
        await sub.waitFor(() => service.failures >= 2, `${type} ${fault}: two failed polls`, 20_000);
        const lines = t.logs.slice(logsBefore).filter((l) => l.includes(faulty.server.url) && cause.test(l));
        expect(lines.length, `${type} ${fault} logged once:\n${lines.join('\n')}`).toBe(1);
        expect(lines[0]).toMatch(/ warn /);
        expect(entry(otherId), `${type} ${fault}: the other instance`).toMatchObject({ state: 'online', last_error: null });
        expect(sub.on(`media2mqtt/${otherId}/availability`).filter((m) => m.payload.includes('offline')).length).toBe(offlineBefore);

        await faulty.server.setFault('none');
        await sub.waitForTopic(`media2mqtt/${id}/availability`, online, 30_000);
        await sub.waitFor(() => entry(id)?.state === 'online' && entry(id)?.last_error === null, `${type} ${fault}: bridge/info back online`);
      }
      expect(t.secrets.length, `${type}'s simulator has credentials to leak`).toBeGreaterThan(0);
      for (const s of t.secrets) {
        expect(sub.messages.filter((m) => m.payload.includes(s)).map((m) => m.topic), `${type}: a credential on MQTT`).toEqual([]);
        expect(t.logs.filter((l) => l.includes(s)), `${type}: a credential in the log`).toEqual([]);
      }
      expect(sub.latest('media2mqtt/bridge/state')).toEqual({ state: 'online' });
    } finally {
      await sub.close();
      await t.stop();
      await faulty.stop();
      await other.stop();
    }
  }, 240_000);
});
