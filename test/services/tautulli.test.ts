import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tautulliModule } from '../../src/services/tautulli/index.js';
import { TautulliSim } from '../../src/services/tautulli/sim.js';
import type { ServiceInstance } from '../../src/services/service.js';
import { Collector } from '../helpers/mqtt.js';
import { validateDevicePayload } from '../helpers/ha-rules.js';
import { postWebhook, startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';

type Device = { device: Record<string, unknown>; components: Record<string, Record<string, unknown>> };
type Activity = { stream_count: number; transcodes: number; direct_plays: number; direct_streams: number; total_bandwidth: number; lan_bandwidth: number; wan_bandwidth: number; list: { total: number; sessions: Record<string, unknown>[] } };

describe('tautulli: entities and states through the real broker', () => {
  let simA: TautulliSim;
  let simB: TautulliSim;
  let t: TestApp & { secrets: string[] };
  let sub: Collector;

  beforeAll(async () => {
    simA = await TautulliSim.start();
    simB = await TautulliSim.start();
    simB.stopAll();
    simB.startPlayback(4, 0.5); // one WAN transcode
    simB.startPlayback(2, 0.2); // one LAN direct stream
    // Long intervals: after the first poll, only a webhook (or refresh()) can explain a change.
    t = await startWithServices([
      { id: 'tautulli', module: tautulliModule, sim: simA, extra: { interval: 3600, idle_interval: 3600, name: 'Tautulli' } },
      { id: 'tautulli_2', module: tautulliModule, sim: simB, extra: { interval: 3600, idle_interval: 3600, name: 'Tautulli (remote)', list_limit: 1 } },
    ]);
    sub = await Collector.connect(t.url, ['homeassistant/#', 'media2mqtt/#']);
  });
  afterAll(async () => {
    await sub?.close();
    await t?.stop();
    await simA?.stop();
    await simB?.stop();
  });

  it('publishes a valid HA device whose every state topic gets a value with the templated field', async () => {
    const dev = (await sub.waitForTopic('homeassistant/device/media2mqtt_tautulli/config', (v) => !!(v as Device).device?.sw_version)) as Device;
    expect(validateDevicePayload('homeassistant/device/media2mqtt_tautulli/config', dev as never)).toEqual([]);
    expect(dev.device).toMatchObject({ name: 'Tautulli', manufacturer: 'Tautulli', sw_version: simA.tautulliVersion, via_device: 'media2mqtt_bridge' });
    expect(Object.keys(dev.components)).toEqual(
      expect.arrayContaining(['streams', 'transcodes', 'direct_plays', 'direct_streams', 'bandwidth', 'lan_bandwidth', 'wan_bandwidth', 'plex_connected', 'plex_version', 'last_poll', 'version']),
    );
    expect(dev.components.bandwidth).toMatchObject({ device_class: 'data_rate', unit_of_measurement: 'kbit/s', state_class: 'measurement' });
    // Event topics are not retained (a subscriber sees only events after it subscribed).
    const comps = Object.values(dev.components).filter((c) => typeof c.state_topic === 'string' && c.platform !== 'event');
    await sub.waitFor(() => comps.every((c) => sub.latest(c.state_topic as string) !== undefined), 'a value on every state topic');
    for (const c of comps) {
      const value = sub.latest(c.state_topic as string) as Record<string, unknown>;
      const field = /value_json\.([a-z0-9_]+)/.exec(String(c.value_template ?? ''))?.[1];
      if (field) expect(value, `${String(c.unique_id)} reads ${field}`).toHaveProperty(field);
      const attr = /value_json\.([a-z0-9_]+)/.exec(String(c.json_attributes_template ?? ''))?.[1];
      if (attr) expect(typeof value[attr], `${String(c.unique_id)} attributes ${attr}`).toBe('object');
    }
  });

  it('the values equal what the simulator holds', async () => {
    const a = simA.activity() as Record<string, any>;
    const activity = (await sub.waitForTopic('media2mqtt/tautulli/activity')) as Activity;
    expect(activity).toMatchObject({
      stream_count: Number(a.stream_count),
      transcodes: a.stream_count_transcode,
      direct_plays: a.stream_count_direct_play,
      direct_streams: a.stream_count_direct_stream,
      total_bandwidth: a.total_bandwidth,
      lan_bandwidth: a.lan_bandwidth,
      wan_bandwidth: a.wan_bandwidth,
    });
    expect(activity).toMatchObject({ stream_count: 2, transcodes: 1, direct_plays: 1, direct_streams: 0, total_bandwidth: 12400 + 4300, lan_bandwidth: 12400, wan_bandwidth: 4300 });
    expect(activity.list.total).toBe(2);
    expect(activity.list.sessions).toEqual([
      expect.objectContaining({ user: 'Jon', title: 'The Last of Us - Long, Long Time', state: 'playing', progress: 10, decision: 'direct_play', quality: 'Original', resolution: '1080p', player: 'Living Room TV', location: 'lan', bandwidth: 12400 }),
      expect.objectContaining({ user: 'Sansa', title: 'Dune: Part Two', state: 'playing', progress: 40, decision: 'transcode', quality: '4 Mbps 720p', resolution: '720p', player: 'iPhone', location: 'wan', bandwidth: 4300 }),
    ]);
    expect(await sub.waitForTopic('media2mqtt/tautulli/server')).toEqual({ plex_name: 'Winterfell', plex_version: simA.plexVersion, plex_platform: 'Linux', plex_connected: true });
    expect(await sub.waitForTopic('media2mqtt/tautulli/status')).toMatchObject({ version: simA.tautulliVersion });
  });

  it('two instances stay apart (topics, devices, values, list_limit)', async () => {
    const b = (await sub.waitForTopic('media2mqtt/tautulli_2/activity')) as Activity;
    expect(b).toMatchObject({ stream_count: 2, transcodes: 1, direct_plays: 0, direct_streams: 1, wan_bandwidth: 2100, lan_bandwidth: 21800, total_bandwidth: 23900 });
    expect(b.list.total).toBe(2);
    expect(b.list.sessions).toHaveLength(1); // list_limit 1
    expect(b.list.sessions[0]).toMatchObject({ user: 'Sam', decision: 'transcode' });
    expect((sub.latest('media2mqtt/tautulli/activity') as Activity).list.sessions.map((s) => s.user)).toEqual(['Jon', 'Sansa']);
    const devB = (await sub.waitForTopic('homeassistant/device/media2mqtt_tautulli_2/config')) as Device;
    expect(validateDevicePayload('homeassistant/device/media2mqtt_tautulli_2/config', devB as never)).toEqual([]);
    expect(devB.device.name).toBe('Tautulli (remote)');
    expect(devB.components.streams!.state_topic).toBe('media2mqtt/tautulli_2/sessions');
    expect(devB.components.streams!.unique_id).not.toBe(((await sub.waitForTopic('homeassistant/device/media2mqtt_tautulli/config')) as Device).components.streams!.unique_id);
  });

  it('a poll is one get_activity call; server info comes only on the first poll', async () => {
    await sub.waitForTopic('media2mqtt/tautulli/activity');
    const cmds = () => simA.server.requests.map((r) => r.query.cmd);
    expect(cmds().sort()).toEqual(['get_activity', 'get_server_info', 'get_tautulli_info', 'server_status']);
    const before = simA.server.requests.length;
    await (t.app.instance('tautulli') as ServiceInstance).refresh();
    expect(simA.server.requests.slice(before).map((r) => r.query.cmd)).toEqual(['get_activity']);
  });

  it('a Tautulli webhook (playback start) refreshes the activity without waiting for the poll', async () => {
    await sub.waitForTopic('media2mqtt/tautulli/activity', (v) => (v as Activity).stream_count === 2);
    simA.startPlayback(3, 0);
    // Tautulli's webhook agent sends whatever JSON the user templated; any body triggers a refresh.
    const res = await postWebhook(t, 'tautulli', { action: 'play', user: 'Bran', title: 'Oppenheimer', session_key: '31' });
    expect(res.status).toBe(202);
    const after = (await sub.waitForTopic('media2mqtt/tautulli/activity', (v) => (v as Activity).stream_count === 3)) as Activity;
    expect(after.direct_plays).toBe(2);
    expect(after.list.sessions.map((s) => s.user)).toContain('Bran');
    expect((sub.latest('media2mqtt/tautulli_2/activity') as Activity).stream_count).toBe(2);
  });

  it('sessions progress, pause and end in the simulated world', async () => {
    const sim = await TautulliSim.start();
    try {
      const progress = () => (sim.activity().sessions as { progress_percent: string }[]).map((s) => Number(s.progress_percent));
      expect(progress()).toEqual([10, 40]);
      sim.tick();
      expect(progress()).toEqual([20, 50]);
      sim.tick();
      sim.tick(); // 3rd tick: the first session pauses and a new one starts
      expect((sim.activity().sessions as { state: string }[]).map((s) => s.state)).toEqual(['paused', 'playing', 'playing']);
      for (let i = 0; i < 12; i++) sim.tick();
      expect(sim.sessions.every((s) => s.offsetMs < s.playback.duration_min * 60_000)).toBe(true);
      expect(sim.sessions.some((s) => s.key === 27 || s.key === 28)).toBe(false); // the first two ended
    } finally {
      await sim.stop();
    }
  });

  it('no credential appears in any published payload, log line or the simulator request log', async () => {
    expect(t.secrets).toEqual(expect.arrayContaining([simA.apiKey, simB.apiKey]));
    for (const s of t.secrets) {
      expect(sub.messages.some((m) => m.payload.includes(s) || m.topic.includes(s))).toBe(false);
      expect(t.logs.some((l) => l.includes(s))).toBe(false);
      expect(JSON.stringify(simA.server.requests)).not.toContain(s);
    }
    expect(simA.server.requests.every((r) => r.query.apikey === '<redacted>')).toBe(true);
  });
});
