import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { Collector } from './helpers/mqtt.js';
import { startApp, type TestApp } from './helpers/app.js';

const read = (f: string) => readFileSync(new URL(`../dashboards/${f}`, import.meta.url), 'utf8');
const fast = { cpu: 1, memory: 1, load: 1, network: 1, disk_io: 1, disk_usage: 1, temperature: 1, processes: 1, gpu: 60, docker: 30 };

describe('shipped dashboards match what the bridge publishes', () => {
  let t: TestApp;
  let sub: Collector;
  beforeAll(async () => {
    t = await startApp({ system: { intervals: fast } });
    sub = await Collector.connect(t.url, ['homeassistant/#', 'media2mqtt/#']);
    await sub.waitForTopic('media2mqtt/system/cpu');
    await sub.waitFor(() => sub.messages.some((m) => /^media2mqtt\/system\/net_/.test(m.topic)), 'a network interface');
  });
  afterAll(async () => {
    await sub?.close();
    await t?.stop();
  });

  it('every Grafana panel reads a topic that carries its fields', async () => {
    const dash = JSON.parse(read('grafana-host.json'));
    const iface = sub.messages.find((m) => /^media2mqtt\/system\/net_/.test(m.topic))!.topic.split('net_')[1]!;
    for (const panel of dash.panels) {
      const topic = String(panel.targets[0].topic).replace('${iface}', iface);
      const fields: string[] = panel.transformations[0].options.include.names.filter((n: string) => n !== 'Time');
      const payload = (await sub.waitForTopic(topic)) as Record<string, unknown>;
      for (const f of fields) if (!(f === 'swap_used_percent' && !('swap_total' in payload && payload.swap_total))) expect(payload, `${panel.title}: ${f}`).toHaveProperty(f);
    }
  });

  it('every entity of the Home Assistant card exists', async () => {
    const card = YAML.parse(read('homeassistant-host-card.yaml'));
    const ids = new Set<string>();
    for (const m of sub.messages.filter((x) => x.topic.startsWith('homeassistant/device/') && x.payload)) {
      for (const c of Object.values(JSON.parse(m.payload).components as Record<string, { default_entity_id?: string }>)) if (c.default_entity_id) ids.add(c.default_entity_id);
    }
    const wanted = card.cards.flatMap((c: { entities: { entity: string }[] }) => c.entities.map((e) => e.entity));
    expect(wanted.filter((e: string) => !ids.has(e))).toEqual([]);
  });

  it('the Node-RED flow subscribes to and commands real topics', async () => {
    const flow = JSON.parse(read('node-red-flow.json')) as { type: string; topic?: string }[];
    const topics = flow.filter((n) => n.type === 'mqtt in' || n.type === 'mqtt out').map((n) => n.topic);
    expect(topics).toEqual(['media2mqtt/bridge/event', 'media2mqtt/bridge/set/resync', 'media2mqtt/+/response/+']);
    const c = await Collector.connect(t.url, ['media2mqtt/+/response/+']);
    await c.client.publishAsync('media2mqtt/bridge/set/resync', '{"transaction":"node-red"}', { qos: 1 });
    await c.waitForTopic('media2mqtt/bridge/response/resync', (v) => (v as { transaction?: string }).transaction === 'node-red');
    await c.close();
  });
});
