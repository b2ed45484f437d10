import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { LogHub } from '../../src/log.js';
import type { ServiceInstance } from '../../src/services/service.js';
import { tautulliModule } from '../../src/services/tautulli/index.js';
import { TautulliSim } from '../../src/services/tautulli/sim.js';
import type { TestApp } from '../helpers/app.js';
import { validateDevicePayload } from '../helpers/ha-rules.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';

type Device = { device: Record<string, unknown>; components: Record<string, Record<string, unknown>> };
type Sessions = { count: number; playing: number; paused: number; transcoding: number; direct_play: number; bandwidth_kbps: number; watching: boolean; now_playing: Record<string, Record<string, unknown>>; list: { total: number; items: Record<string, unknown>[] } };
type Stats = { today_watch_time: number; today_sessions: number; today_transcode_share: number; today: { users: Record<string, number> } };

const CONFIG = 'homeassistant/device/media2mqtt_tautulli/config';
const EVENTS = 'media2mqtt/tautulli/playback_event';

describe('tautulli: playback sessions through the real broker', () => {
  let sim: TautulliSim;
  let t: TestApp & { secrets: string[] };
  let sub: Collector;
  let jon: number;
  let sansa: number;
  const poll = () => (t.app.instance('tautulli') as ServiceInstance).refresh();
  const events = () => sub.on(EVENTS).filter((m) => m.payload).map((m) => JSON.parse(m.payload) as Record<string, unknown>);
  const eventLog = () => events().map((e) => `${String(e.event_type)}:${String(e.user)}`);
  const device = () => sub.latest(CONFIG) as Device;

  beforeAll(async () => {
    sim = await TautulliSim.start();
    sim.stopAll();
    t = await startWithServices([{ id: 'tautulli', module: tautulliModule, sim, extra: { interval: 3600, idle_interval: 3600, name: 'Tautulli' } }]);
    sub = await Collector.connect(t.url, ['homeassistant/#', 'media2mqtt/#']);
    // Events are not retained on bridge/event: playback starts once the subscriber listens.
    await sub.waitForTopic('media2mqtt/tautulli/sessions');
    jon = sim.startPlayback(0, 0.1).key; // Jon, LAN, direct play, TV
    sansa = sim.startPlayback(1, 0.4).key; // Sansa, WAN, transcode, iPhone
    await poll();
  });
  afterAll(async () => {
    await sub?.close();
    await t?.stop();
    await sim?.stop();
  });

  it('publishes the normalised sessions, and a playback_started event per session, once', async () => {
    const s = (await sub.waitForTopic('media2mqtt/tautulli/sessions', (v) => (v as Sessions).count === 2)) as Sessions;
    expect(s).toMatchObject({ count: 2, playing: 2, paused: 0, transcoding: 1, direct_play: 1, bandwidth_kbps: 12400 + 4300, watching: true });
    expect(s.list.items[0]).toMatchObject({
      user: 'Jon', title: 'The Last of Us – S01E03 – Long, Long Time', series: 'The Last of Us', season: 1, episode: 3, media_type: 'episode',
      state: 'playing', play_method: 'direct_play', resolution: '1080p', device: 'Living Room TV', device_kind: 'tv', client: 'Plex for LG', location: 'lan',
      video_codec: 'h264', audio_codec: 'eac3', bandwidth: 12400, progress: 10,
    });
    expect(s.list.items[1]).toMatchObject({ user: 'Sansa', title: 'Dune: Part Two (2024)', play_method: 'transcode', transcode_reasons: ['video_transcode', 'audio_transcode', 'container_transcode'], resolution: '720p', device_kind: 'mobile', location: 'wan', video_codec: 'h264' });
    await sub.waitFor(() => events().length >= 2, 'two start events');
    expect(eventLog()).toEqual(['playback_started:Jon', 'playback_started:Sansa']);
    // A poll that finds nothing new fires nothing.
    await poll();
    await poll();
    expect(eventLog()).toEqual(['playback_started:Jon', 'playback_started:Sansa']);
    const bridge = sub.on('media2mqtt/bridge/event').map((m) => JSON.parse(m.payload) as { type: string; instance?: string });
    expect(bridge.filter((e) => e.type === 'playback_started' && e.instance === 'tautulli')).toHaveLength(2);
  });

  it('the HA device has the session entities and one now-playing sensor per watching user, all valid', async () => {
    const dev = (await sub.waitForTopic(CONFIG, (v) => !!(v as Device).components?.now_playing_sansa && !!(v as Device).components?.now_playing_jon)) as Device;
    expect(validateDevicePayload(CONFIG, dev as never)).toEqual([]);
    expect(Object.keys(dev.components)).toEqual(expect.arrayContaining(['streams', 'transcodes', 'direct_plays', 'direct_streams', 'bandwidth', 'watching', 'playback', 'watch_time_today', 'transcode_share', 'lan_bandwidth', 'now_playing_jon', 'now_playing_sansa']));
    expect(dev.components.playback).toMatchObject({ platform: 'event', state_topic: EVENTS, event_types: ['playback_started', 'paused', 'resumed', 'stopped'] });
    expect(dev.components.bandwidth).toMatchObject({ device_class: 'data_rate', unit_of_measurement: 'kbit/s', state_topic: 'media2mqtt/tautulli/sessions' });
    expect(dev.components.watching).toMatchObject({ platform: 'binary_sensor', state_topic: 'media2mqtt/tautulli/sessions' });
    expect(dev.components.now_playing_sansa).toMatchObject({ name: 'Now playing Sansa', state_topic: 'media2mqtt/tautulli/sessions' });
    expect(String(dev.components.now_playing_sansa!.value_template)).toContain("now_playing.get('sansa')");
    expect((sub.latest('media2mqtt/tautulli/sessions') as Sessions).now_playing.sansa).toMatchObject({ user: 'Sansa', title: 'Dune: Part Two (2024)', playback_state: 'playing', play_method: 'transcode' });
  });

  it('pause and resume fire once each', async () => {
    sim.pausePlayback(jon);
    await poll();
    await poll();
    await sub.waitFor(() => events().length >= 3, 'the pause');
    expect(eventLog().slice(2)).toEqual(['paused:Jon']);
    expect(events()[2]).toMatchObject({ event_type: 'paused', state: 'paused', play_method: 'direct_play', device_kind: 'tv' });
    expect(sub.latest('media2mqtt/tautulli/sessions')).toMatchObject({ playing: 1, paused: 1, watching: true });
    sim.resumePlayback(jon);
    await poll();
    await poll();
    await sub.waitFor(() => events().length >= 4, 'the resume');
    expect(eventLog().slice(3)).toEqual(['resumed:Jon']);
  });

  it('a stop fires once, removes that user\'s now-playing entity from discovery, and lands in the stats', async () => {
    sim.stopPlayback(sansa);
    await poll();
    await poll();
    await sub.waitFor(() => events().length >= 5, 'the stop');
    expect(eventLog().slice(4)).toEqual(['stopped:Sansa']);
    expect(events()[4]).toMatchObject({ event_type: 'stopped', reason: 'ended', play_method: 'transcode' });
    // HA removes a component sent with only its platform; then the config comes again without it.
    await sub.waitFor(() => sub.on(CONFIG).some((m) => (JSON.parse(m.payload) as Device).components?.now_playing_sansa?.unique_id === undefined && 'now_playing_sansa' in ((JSON.parse(m.payload) as Device).components ?? {})), 'the removal of now_playing_sansa');
    const removal = sub.on(CONFIG).map((m) => JSON.parse(m.payload) as Device).find((d) => d.components.now_playing_sansa && !d.components.now_playing_sansa.unique_id)!;
    expect(removal.components.now_playing_sansa).toEqual({ platform: 'sensor' });
    await sub.waitFor(() => !('now_playing_sansa' in (device().components ?? {})), 'a config without now_playing_sansa');
    expect(validateDevicePayload(CONFIG, device() as never)).toEqual([]);
    expect(device().components.now_playing_jon).toBeDefined();
    const stats = (await sub.waitForTopic('media2mqtt/tautulli/stats', (v) => (v as Stats).today_sessions === 1)) as Stats;
    expect(stats.today_transcode_share).toBe(100);
    expect(Object.keys(stats.today.users)).toEqual(['Sansa']);
    expect(sub.latest('media2mqtt/tautulli/sessions')).toMatchObject({ count: 1, transcoding: 0 });
  });

  it('the last user leaving empties the sessions and clears "someone watching"', async () => {
    sim.stopPlayback(jon);
    await poll();
    await sub.waitForTopic('media2mqtt/tautulli/sessions', (v) => (v as Sessions).count === 0);
    expect(sub.latest('media2mqtt/tautulli/sessions')).toMatchObject({ count: 0, watching: false, bandwidth_kbps: 0, now_playing: {} });
    expect(eventLog()).toEqual(['playback_started:Jon', 'playback_started:Sansa', 'paused:Jon', 'resumed:Jon', 'stopped:Sansa', 'stopped:Jon']);
    await sub.waitFor(() => !Object.keys(device().components ?? {}).some((k) => k.startsWith('now_playing_')), 'no now-playing entity left');
  });
});

describe('tautulli: a bridge restart mid-session', () => {
  it('announces nothing twice and counts the watch time once', async () => {
    const sim = await TautulliSim.start();
    sim.stopAll();
    const key = sim.startPlayback(3, 0.1).key; // Bran, direct play
    const dir = mkdtempSync(join(tmpdir(), 'media2mqtt-restart-'));
    const start = async () => {
      const config = configSchema.parse({
        broker: { port: 0 }, http: { enabled: false }, store: { data_dir: dir }, system: { enabled: false }, homeassistant: { birth_delay: 0.05 },
        services: { tautulli: { ...sim.config(), interval: 3600, idle_interval: 3600 } },
      });
      // Events are counted in the log: every one is logged at info, from the first poll on.
      const logs: string[] = [];
      const app = new App({ config, file: null, secrets: [sim.apiKey] }, { logs: new LogHub({ level: 'info', format: 'text', write: (l) => void logs.push(l) }), modules: { tautulli: tautulliModule } });
      await app.start();
      const sub = await Collector.connect(`mqtt://127.0.0.1:${app.brokerListeners!.tcp}`, ['media2mqtt/#']);
      const types = () => logs.map((l) => /(playback_started|paused|resumed|stopped): /.exec(l)?.[1]).filter(Boolean);
      return { app, sub, types, refresh: () => (app.instance('tautulli') as ServiceInstance).refresh() };
    };
    try {
      const a = await start();
      await a.sub.waitForTopic('media2mqtt/tautulli/sessions', (v) => (v as Sessions).count === 1);
      expect(a.types()).toEqual(['playback_started']);
      await a.sub.close();
      await a.app.stop();

      const b = await start();
      await b.sub.waitForTopic('media2mqtt/tautulli/sessions', (v) => (v as Sessions).count === 1);
      await b.refresh();
      expect(b.types()).toEqual([]); // no second playback_started
      expect(b.sub.latest('media2mqtt/tautulli/playback_event')).toBeUndefined();
      sim.stopPlayback(key);
      await b.refresh();
      expect(b.types()).toEqual(['stopped']);
      const stats = (await b.sub.waitForTopic('media2mqtt/tautulli/stats', (v) => (v as Stats).today_sessions === 1)) as Stats;
      expect(stats.today.users).toEqual({ Bran: stats.today_watch_time });
      await b.sub.close();
      await b.app.stop();

      const c = await start();
      await c.sub.waitForTopic('media2mqtt/tautulli/sessions', (v) => (v as Sessions).count === 0);
      const again = (await c.sub.waitForTopic('media2mqtt/tautulli/stats')) as Stats;
      expect(c.types()).toEqual([]);
      expect(again).toMatchObject({ today_sessions: 1, today_watch_time: stats.today_watch_time });
      await c.sub.close();
      await c.app.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await sim.stop();
    }
  });
});
