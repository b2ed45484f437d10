import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { alertEvent } from '../src/host/alerts.js';
import { Collector } from './helpers/mqtt.js';
import { instantiate, loadBlueprint, mqttTriggers, runAutomation, validateBlueprint, type Effect } from './ecosystem/blueprint.js';
import { startLiveDemo, type LiveDemo } from './ecosystem/demo.js';
import { renderAll, type HaStates } from './ecosystem/ha-jinja.js';
import { startNodeRed, type NodeRed } from './ecosystem/node-red.js';

const DASH = new URL('../dashboards/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, DASH), 'utf8');
const BLUEPRINTS = readdirSync(new URL('blueprints/', DASH)).filter((f) => f.endsWith('.yaml'));
const bp = (name: string) => loadBlueprint(new URL(`blueprints/${name}`, DASH).pathname);

let demo: LiveDemo;
beforeAll(async () => {
  demo = await startLiveDemo();
  const types = ['jellyfin', 'jellyseerr', 'overseerr', 'plex', 'prowlarr', 'qbittorrent', 'radarr', 'sabnzbd', 'sonarr', 'tautulli', 'system'];
  await demo.sub.waitFor(() => !demo.alive() || types.every((t) => demo.sub.latest(`homeassistant/device/media2mqtt_${t}/config`) !== undefined), 'a device per service', 60_000).catch((err: Error) => {
    throw new Error(`${err.message}\n${demo.output()}`);
  });
}, 90_000);
afterAll(async () => demo?.stop());

/** Home Assistant's state of these entities now: each one's value_template rendered on its state topic. */
function states(ids: string[]): HaStates {
  const all = demo.entities();
  const wanted = ids.map((id) => {
    const c = all.get(id);
    if (!c) throw new Error(`${id} does not exist in the demo`);
    return { id, c, payload: demo.sub.latest(c.state_topic) };
  });
  const values = renderAll(wanted.map((w) => ({ template: w.c.value_template ?? '{{ value }}', variables: { value_json: w.payload, value: JSON.stringify(w.payload) } })));
  return Object.fromEntries(wanted.map((w, i) => [w.id, { state: String(values[i]), name: `${w.c.name}` }]));
}

const notifications = (effects: Effect[]) => effects.filter((e): e is Extract<Effect, { kind: 'notify' }> => e.kind === 'notify');
const publishes = (effects: Effect[]) => effects.filter((e): e is Extract<Effect, { kind: 'action' }> => e.kind === 'action' && e.action === 'mqtt.publish').map((e) => e.data as { topic: string; payload: string });

/** Publishes what an automation would, and returns the bridge's answer to it. */
async function send(p: { topic: string; payload: string }): Promise<Record<string, any>> {
  const responseTopic = p.topic.replace('/set/', '/response/');
  const c = await Collector.connect(demo.url, [responseTopic]);
  try {
    await c.client.publishAsync(p.topic, p.payload, { qos: 1 });
    await c.waitFor(() => c.on(responseTopic).length > 0, responseTopic);
    return JSON.parse(c.on(responseTopic)[0]!.payload) as Record<string, any>;
  } finally {
    await c.close();
  }
}

describe('the demo follows its configuration', () => {
  it('publishes on the broker in mqtt.server and keeps its data in its own directory', async () => {
    // Online once every instance is routable (after the devices): wait for it.
    await demo.sub.waitForTopic('media2mqtt/bridge/state', (v) => (v as { state: string }).state === 'online', 30_000);
    await demo.sub.waitFor(() => existsSync(join(demo.dir, 'demo', 'media2mqtt.json')), 'the demo data file');
    expect(existsSync(join(demo.dir, 'media2mqtt.json'))).toBe(false);
  });
});

describe('Home Assistant blueprints', () => {
  it.each(BLUEPRINTS)('%s is a blueprint Home Assistant accepts', (file) => {
    expect(validateBlueprint(bp(file))).toEqual([]);
  });

  it('the schema check refuses what Home Assistant refuses', () => {
    const doc = bp('approve_request.yaml');
    expect(validateBlueprint({ ...doc, blueprint: { ...doc.blueprint, input: {} } }).join('\n')).toMatch(/Missing input definition for .*notify_device/);
    expect(validateBlueprint({ ...doc, trigger: doc.triggers, triggers: undefined, bogus: 1 })).toContain('bogus: extra key not allowed in an automation');
    expect(validateBlueprint({ ...doc, mode: 'sometimes' }).join()).toMatch(/mode: sometimes/);
  });

  it('approve_request: a new request from the demo becomes a notification; Approve and Decline (with a reason) answer ok', async () => {
    const auto = instantiate(bp('approve_request.yaml'), { notify_device: 'phone' });
    const [trigger] = mqttTriggers(auto).filter((t) => t.id === 'new_request');
    expect(trigger!.topic).toBe('media2mqtt/bridge/event');
    const isNew = (m: { topic: string; payload: string }) => m.topic === trigger!.topic && JSON.parse(m.payload).type === 'new_request';
    await demo.sub.waitFor(() => demo.sub.messages.some(isNew), 'a new_request event', 60_000);
    const event = JSON.parse(demo.sub.messages.find(isNew)!.payload) as { instance: string; data: { request_id: number; title: string } };
    // The trigger's own value_template picks the event out.
    expect(renderAll([{ template: trigger!.value_template!, variables: { value_json: event } }])[0]).toBe(trigger!.payload);

    const asked = runAutomation(auto, { id: 'new_request', platform: 'mqtt', topic: trigger!.topic, payload: JSON.stringify(event), payload_json: event });
    const [note] = notifications(asked.effects);
    expect(note!.message).toContain(event.data.title);
    const actions = (note!.data as { actions: { action: string; title: string }[] }).actions;
    expect(actions.map((a) => a.action)).toEqual([`MEDIA2MQTT_APPROVE:${event.instance}:${event.data.request_id}`, `MEDIA2MQTT_DECLINE:${event.instance}:${event.data.request_id}`]);

    const approve = runAutomation(auto, { id: 'answer', platform: 'event', event: { data: { action: actions[0]!.action } } });
    const [approveMsg] = publishes(approve.effects);
    expect(approveMsg!.topic).toBe(`media2mqtt/${event.instance}/set/approve`);
    expect(JSON.parse(approveMsg!.payload)).toEqual({ id: event.data.request_id });
    expect(await send(approveMsg!)).toMatchObject({ status: 'ok' });

    // Decline another pending request of the same instance, with a typed reason. The demo world
    // moves on (on a loaded machine its other requests may all be answered by now): wait for one.
    const other = () => (demo.sub.latest(`media2mqtt/${event.instance}/pending`) as { list: { requests: { id: number }[] } } | undefined)?.list.requests.find((r) => r.id !== event.data.request_id);
    await demo.sub.waitFor(() => other() !== undefined, 'another pending request', 60_000);
    const pending = other()!;
    const decline = runAutomation(auto, { id: 'answer', platform: 'event', event: { data: { action: `MEDIA2MQTT_DECLINE:${event.instance}:${pending.id}`, reply_text: 'Already in 4K' } } });
    const [declineMsg] = publishes(decline.effects);
    expect(JSON.parse(declineMsg!.payload)).toEqual({ id: pending.id, reason: 'Already in 4K' });
    expect(await send(declineMsg!)).toMatchObject({ status: 'ok', data: { reason: 'Already in 4K' } });

    // Somebody else's notification action does nothing.
    expect(publishes(runAutomation(auto, { id: 'answer', platform: 'event', event: { data: { action: 'OPEN_GARAGE' } } }).effects)).toEqual([]);
  }, 150_000);

  it("the README's approve automation reads request_id and the event's instance, and the bridge approves", async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /approving a request from an actionable notification[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const [ask, answer] = (YAML.parse(block) as { automation: Record<string, any>[] }).automation.map((a) => instantiate({ blueprint: { input: {} }, ...a }));
    expect(validateBlueprint({ blueprint: { name: 'README', domain: 'automation' }, ...ask })).toEqual([]);
    expect(validateBlueprint({ blueprint: { name: 'README', domain: 'automation' }, ...answer })).toEqual([]);
    const isNew = (m: { topic: string; payload: string }) => m.topic === 'media2mqtt/bridge/event' && JSON.parse(m.payload).type === 'new_request';
    await demo.sub.waitFor(() => demo.sub.messages.filter(isNew).length >= 2, 'two new_request events', 90_000);
    // The second one: the blueprint test may already have approved the first.
    const event = JSON.parse(demo.sub.messages.filter(isNew)[1]!.payload);
    const [notify] = runAutomation(ask!, { id: '0', platform: 'mqtt', payload_json: event }).effects as Extract<Effect, { kind: 'action' }>[];
    const approveAction = (notify!.data.data as { actions: { action: string }[] }).actions[0]!.action;
    const [msg] = publishes(runAutomation(answer!, { id: '0', platform: 'event', event: { data: { action: approveAction } } }).effects);
    expect(msg!.topic).toBe(`media2mqtt/${event.instance}/set/approve`);
    expect(JSON.parse(msg!.payload)).toEqual({ id: event.data.request_id });
    expect(await send(msg!)).toMatchObject({ status: 'ok' });
  }, 100_000);

  it('pause_torrents_while_transcoding: the demo transcodes, so torrents pause; with no transcode they resume', async () => {
    const auto = instantiate(bp('pause_torrents_while_transcoding.yaml'));
    const sensors = auto.variables.sensors as string[];
    await demo.sub.waitFor(() => sensors.every((s) => demo.entities().has(s)) && sensors.every((s) => demo.sub.latest(demo.entities().get(s)!.state_topic) !== undefined), 'the transcode sensors', 30_000);
    const now = states(sensors);
    expect(Object.values(now).some((s) => Number(s.state) > 0)).toBe(true);
    const [pause] = publishes(runAutomation(auto, { id: '0', platform: 'state', entity_id: sensors[0] }, now).effects);
    expect(pause!.topic).toBe('media2mqtt/qbittorrent/set/pause');
    expect(JSON.parse(pause!.payload)).toEqual({ hashes: 'all' });
    expect(await send(pause!)).toMatchObject({ status: 'ok' });

    const idle = Object.fromEntries(sensors.map((s) => [s, { state: '0' }]));
    const effects = runAutomation(auto, { id: '0', platform: 'state', entity_id: sensors[0] }, idle).effects;
    expect(effects[0]).toEqual({ kind: 'delay' });
    const [resume] = publishes(effects);
    expect(resume!.topic).toBe('media2mqtt/qbittorrent/set/resume');
    expect(await send(resume!)).toMatchObject({ status: 'ok' });

    const alt = instantiate(bp('pause_torrents_while_transcoding.yaml'), { how: 'alt_speed' });
    const [on] = publishes(runAutomation(alt, { id: '0', platform: 'state' }, now).effects);
    expect(await send(on!)).toMatchObject({ status: 'ok' });
    await send({ topic: 'media2mqtt/qbittorrent/set/alt_speed', payload: 'off' });
  }, 60_000);

  it('request_available: the available-requests sensor exists and a rise becomes a notification', () => {
    const auto = instantiate(bp('request_available.yaml'), { notify_device: 'phone' });
    const sensor = auto.triggers[0].entity_id as string;
    const [now] = Object.values(states([sensor]));
    const n = Number(now!.state);
    expect(Number.isInteger(n)).toBe(true);
    const rise = runAutomation(auto, { id: '0', platform: 'state', to_state: { state: String(n + 1), name: 'Jellyseerr Available requests' }, from_state: { state: String(n) } });
    expect(notifications(rise.effects)[0]!.message).toBe('1 request is now available (Jellyseerr).');
    expect(runAutomation(auto, { id: '0', to_state: { state: String(n) }, from_state: { state: String(n + 1) } }).ran).toBe(false);
  });

  it('host_problems: alert and alert_cleared events of the bridge become notifications', async () => {
    const auto = instantiate(bp('host_problems.yaml'), { notify_device: 'phone' });
    const topics = mqttTriggers(auto).map((t) => t.topic);
    expect(new Set(topics)).toEqual(new Set(['media2mqtt/bridge/event']));
    expect(demo.sub.on('media2mqtt/bridge/event').length).toBeGreaterThan(0);
    // The bridge's own builder, as the host publishes it.
    const label = { metric: 'disk', label: 'Disk usage /srv', unit: '%', extra: { mount: '/srv' } } as const;
    const alert = { instance: 'system', ...alertEvent({ from: 'ok', to: 'critical', value: 97, threshold: 95 } as never, label as never) };
    const cleared = { instance: 'system', ...alertEvent({ from: 'critical', to: 'ok', value: 80, threshold: 95 } as never, label as never) };
    const fire = (ev: Record<string, any>, inputs = {}) => notifications(runAutomation(instantiate(bp('host_problems.yaml'), { notify_device: 'phone', ...inputs }), { id: ev.type, platform: 'mqtt', payload_json: ev }).effects);
    const [n] = fire(alert);
    expect(n).toMatchObject({ title: 'Host problem (critical)', message: alert.data.message, data: { tag: 'media2mqtt-system-disk-/srv' } });
    expect(fire(cleared)[0]).toMatchObject({ title: 'Host problem cleared (critical)', message: cleared.data.message });
    expect(fire(cleared, { notify_cleared: false })).toEqual([]);
    expect(fire({ ...alert, data: { ...alert.data, level: 'warning' } }, { min_level: 'critical' })).toEqual([]);
  });
});

/** Every entity id a Lovelace config names: `entity:` values and plain `entities:` entries. */
function lovelaceEntities(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) lovelaceEntities(n, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'entity' && typeof v === 'string') out.add(v);
      else if (k === 'entities' && Array.isArray(v)) for (const e of v) typeof e === 'string' ? out.add(e) : lovelaceEntities(e, out);
      else lovelaceEntities(v, out);
    }
  }
  return out;
}

describe('Home Assistant dashboards', () => {
  it.each(['homeassistant-dashboard.yaml', 'homeassistant-host-card.yaml'])('every entity of %s exists in the demo', async (file) => {
    const wanted = [...lovelaceEntities(YAML.parse(read(file)))];
    expect(wanted.length).toBeGreaterThan(5);
    await demo.sub.waitFor(() => wanted.every((e) => demo.entities().has(e)), `the entities of ${file}`, 30_000).catch(() => undefined);
    expect(wanted.filter((e) => !demo.entities().has(e))).toEqual([]);
  });

  it('the whole-stack dashboard has a view per family, and its markdown renders the pending requests', async () => {
    const dash = YAML.parse(read('homeassistant-dashboard.yaml')) as { views: { title: string; cards: any[] }[] };
    expect(dash.views.map((v) => v.title)).toEqual(['Overview', 'Downloads', 'Library', 'Watching', 'Requests', 'Host']);
    const md = dash.views.flatMap((v) => v.cards).find((c) => c.type === 'markdown');
    const id = 'sensor.media2mqtt_jellyseerr_pending_requests';
    const c = demo.entities().get(id)!;
    // At least one pending request to render (the demo answers its requests as it goes; new ones follow).
    const listed = () => ((demo.sub.latest(c.json_attributes_topic) as { list?: { requests?: unknown[] } } | undefined)?.list?.requests?.length ?? 0) > 0;
    await demo.sub.waitFor(listed, 'a pending request', 60_000);
    const pending = demo.sub.latest(c.json_attributes_topic) as Record<string, unknown>;
    const attributes = JSON.parse(String(renderAll([{ template: c.json_attributes_template, variables: { value_json: pending } }])[0]));
    const [text] = renderAll([{ template: md.content, variables: {} }], { [id]: { state: '1', attributes: attributes as Record<string, unknown> } });
    const first = (attributes as { requests: { title: string }[] }).requests[0]!;
    expect(text).toContain(`**${first.title}**`);
  }, 90_000);
});

// The MQTT data source's dashboards (grafana-prometheus.json reads Prometheus; test/ha checks it).
const GRAFANA = readdirSync(DASH).filter((f) => /^grafana-.*\.json$/.test(f) && f !== 'grafana-prometheus.json');

describe('Grafana dashboards (MQTT data source)', () => {
  it('one per family beside the host one', () => {
    expect(GRAFANA.sort()).toEqual(['grafana-arr.json', 'grafana-downloads.json', 'grafana-host.json', 'grafana-media.json', 'grafana-requests.json']);
  });

  it.each(GRAFANA)('%s: every panel reads a topic of the demo that carries its fields as numbers', async (file) => {
    const dash = JSON.parse(read(file)) as { templating: { list: { name: string; current: { value: string } }[] }; panels: any[] };
    const iface = demo.sub.messages.find((m) => /^media2mqtt\/system\/net_/.test(m.topic))?.topic.split('net_')[1];
    const vars: Record<string, string> = Object.fromEntries(dash.templating.list.map((v) => [v.name, v.name === 'iface' && iface ? iface : v.current.value]));
    for (const panel of dash.panels) {
      const topic = String(panel.targets[0].topic).replace(/\$\{(\w+)\}/g, (_m, v: string) => vars[v] ?? `<unknown variable ${v}>`);
      const fields: string[] = panel.transformations[0].options.include.names.filter((n: string) => n !== 'Time');
      const payload = (await demo.sub.waitForTopic(topic, () => true, 30_000)) as Record<string, unknown>;
      for (const f of fields) {
        // Swap fields exist only on hosts with swap (README, Host device); the panel shows the others.
        if (f.startsWith('swap_') && !payload.swap_total) continue;
        expect(typeof payload[f] === 'number' && Number.isFinite(payload[f]), `${file} "${panel.title}": ${f} on ${topic}`).toBe(true);
      }
    }
  }, 60_000);
});

describe('Node-RED 4 flows, deployed in a real headless Node-RED', () => {
  let red: NodeRed;
  const files = ['node-red-approve.json', 'node-red-throttle.json', 'node-red-notify.json'];
  beforeAll(async () => {
    // Node-RED's own import keeps one copy of a config node shared by several flows.
    const byId = new Map<string, unknown>();
    for (const f of files) for (const n of JSON.parse(read(f)) as { id: string }[]) byId.set(n.id, n);
    red = await startNodeRed([...byId.values()], { MEDIA2MQTT_MQTT_HOST: '127.0.0.1', MEDIA2MQTT_MQTT_PORT: String(demo.port) });
  }, 60_000);
  afterAll(async () => red?.stop());

  it('every flow deploys and its broker node connects to the port given in the environment', async () => {
    // RED.start() resolves before the flows have started: poll (Node-RED has no "flows started" promise here).
    const poll = async (ok: () => boolean) => {
      for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await poll(() => !!red.node('m2m_broker')?.connected);
    for (const f of files) for (const n of JSON.parse(read(f)) as { id: string; type: string }[]) if (n.type !== 'tab') expect(red.node(n.id), `${f}: ${n.id}`).toBeTruthy();
    const broker = red.node('m2m_broker');
    expect(broker.connected).toBe(true);
    expect(`${broker.broker}:${broker.port}`).toBe(`127.0.0.1:${demo.port}`);
  });

  it('approve from a dashboard: the page lists pending requests, and Approve is answered by the bridge', async () => {
    await red.waitFor('the pending lists', () => red.received('m2m_approve_remember').length >= 2);
    // The demo's world approves requests by itself too (the request lifecycle's pipeline): wait for
    // two that are pending (one to approve, one to decline), then for the page to list the first.
    type Pending = { list: { requests: { id: number; title: string }[] } };
    await demo.sub.waitForTopic('media2mqtt/overseerr/pending', (v) => (v as Pending).list.requests.length > 1, 90_000);
    const pending = (demo.sub.latest('media2mqtt/overseerr/pending') as Pending).list.requests;
    const title = pending[0]!.title.replace(/&/g, '&amp;').replace(/'/g, '&#39;');
    let page = '';
    for (let i = 0; i < 100 && !page.includes(title); i++) {
      if (i) await new Promise((r) => setTimeout(r, 200));
      page = await (await fetch(`${red.url}/media2mqtt/requests`)).text();
    }
    expect(page).toContain(title);
    const answer = await fetch(`${red.url}/media2mqtt/requests/overseerr/${pending[0]!.id}/approve`, { method: 'POST' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: 'ok' });
    const bad = await fetch(`${red.url}/media2mqtt/requests/overseerr/1/delete`, { method: 'POST' });
    expect(bad.status).toBe(400);
    const declined = await fetch(`${red.url}/media2mqtt/requests/overseerr/${pending[1]!.id}/decline`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'Not this one' }) });
    expect(await declined.json()).toMatchObject({ status: 'ok', data: { reason: 'Not this one' } });
  }, 120_000);

  it('throttle while streaming: the demo streams, so qBittorrent and SABnzbd get the commands and answer ok', async () => {
    await red.waitFor('both answers', () => red.received('m2m_throttle_debug').length >= 2, 30_000);
    const answers = red.received('m2m_throttle_debug').map((m) => m.payload);
    expect(answers.every((a) => a.status === 'ok' && a.transaction === 'node-red-throttle')).toBe(true);
    expect(red.received('m2m_throttle_out').map((m) => m.topic).sort()).toEqual(['media2mqtt/qbittorrent/set/alt_speed', 'media2mqtt/sabnzbd/set/speed_limit']);
  }, 40_000);

  it('notifications: a new request from the demo is routed to the link out as a title and a line of text', async () => {
    await red.waitFor('a new_request notification', () => red.received('m2m_notify_link').some((m) => m.topic === 'New request'), 60_000);
    const n = red.received('m2m_notify_link').find((m) => m.topic === 'New request')!;
    expect(n.payload).toBe(`${n.event.data.requested_by} asks for ${n.event.data.title}${n.event.data.year ? ` (${n.event.data.year})` : ''} (${n.event.instance})`);
    // Events not worth a notification stop at the switch.
    expect(red.received('m2m_notify_format').every((m) => ['new_request', 'alert', 'alert_cleared', 'download_finished', 'service_offline', 'health_issue'].includes(m.payload.type))).toBe(true);
  }, 70_000);
});
