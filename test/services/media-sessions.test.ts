import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jellyfinModule } from '../../src/services/jellyfin/index.js';
import { JellyfinSim } from '../../src/services/jellyfin/sim.js';
import { plexModule } from '../../src/services/plex/index.js';
import { PlexSim } from '../../src/services/plex/sim.js';
import { normaliseJellyfinSessions } from '../../src/services/jellyfin/sessions.js';
import { sessionsSchema as jellyfinSessionsSchema } from '../../src/services/jellyfin/schemas.js';
import { DEMO_CYCLE as JELLYFIN_DEMO_CYCLE, JellyfinWorld } from '../../src/services/jellyfin/sim-world.js';
import { normalisePlexSessions } from '../../src/services/plex/sessions.js';
import { sessionsSchema as plexSessionsSchema } from '../../src/services/plex/schemas.js';
import { DEMO_CYCLE as PLEX_DEMO_CYCLE, PlexWorld } from '../../src/services/plex/sim-world.js';
import type { ServiceModule } from '../../src/services/module.js';
import type { PlaybackSession } from '../../src/sessions/model.js';
import { SessionTracker } from '../../src/sessions/tracker.js';
import type { ServiceInstance } from '../../src/services/service.js';
import type { TestApp } from '../helpers/app.js';
import { validateDevicePayload } from '../helpers/ha-rules.js';
import { Collector } from '../helpers/mqtt.js';
import { startWithServices } from '../helpers/services.js';

/**
 * Playback sessions of Jellyfin and Plex through the real broker: the shared session feature fed
 * by polls, by Jellyfin's `Sessions` pushes and by Plex's playing notifications.
 */

type Sim = JellyfinSim | PlexSim;
type Device = { components: Record<string, Record<string, unknown>> };
type Sessions = { count: number; playing: number; paused: number; transcoding: number; direct_play: number; watching: boolean; now_playing: Record<string, { title: string; playback_state: string }>; list: { items: { user: string; title: string; play_method: string }[] } };
type Stats = { today_sessions: number };
type Event = { event_type: string; user: string; title: string; reason?: string; play_method: string };

interface SessionCase<S extends Sim> {
  type: 'jellyfin' | 'plex';
  module: ServiceModule;
  start: () => Promise<S>;
  /** Ends the sessions the simulator's world starts with, so each test scripts its own. */
  clear: (sim: S) => void;
  /** `movie` 0 or 1 picks one of two films; `transcode` the play method. */
  play: (sim: S, user: string, movie: 0 | 1, transcode: boolean) => void;
  pause: (sim: S, user: string, paused: boolean) => void;
  stop: (sim: S, user: string) => void;
  titles: [string, string];
}

const jellyfin: SessionCase<JellyfinSim> = {
  type: 'jellyfin',
  module: jellyfinModule,
  start: () => JellyfinSim.start(),
  clear: (sim) => ['alice', 'bob'].forEach((u) => sim.world.stopPlayback(u)),
  play: (sim, user, movie, transcode) =>
    void sim.world.startPlayback({ user, device: `${user}'s phone`, client: 'Findroid', itemName: ['Arrival', 'Dune: Part Two'][movie]!, method: transcode ? 'Transcode' : 'DirectPlay' }),
  pause: (sim, user, paused) => sim.world.setPaused(user, paused),
  stop: (sim, user) => sim.world.stopPlayback(user),
  titles: ['Arrival (2016)', 'Dune: Part Two (2024)'],
};

const plex: SessionCase<PlexSim> = {
  type: 'plex',
  module: plexModule,
  start: () => PlexSim.start(),
  clear: (sim) => ['alice', 'bob', 'carol'].forEach((u) => sim.world.stopSession(u)),
  play: (sim, user, movie, transcode) =>
    void sim.world.startSession({ user, player: `${user}'s phone`, product: 'Plex for Android', platform: 'Android', itemTitle: ['The Matrix', 'Parasite'][movie]!, decision: transcode ? 'transcode' : 'directplay' }),
  pause: (sim, user, paused) => sim.world.setState(user, paused ? 'paused' : 'playing'),
  stop: (sim, user) => sim.world.stopSession(user),
  titles: ['The Matrix (1999)', 'Parasite (2019)'],
};

const base = 'media2mqtt';

/** What one instance published: its sessions, stats, events and HA device. */
function view(sub: Collector, id: string) {
  const topic = (name: string) => `${base}/${id}/${name}`;
  const config = `homeassistant/device/media2mqtt_${id}/config`;
  const events = () => sub.on(topic('playback_event')).filter((m) => m.payload).map((m) => JSON.parse(m.payload) as Event);
  return {
    topic,
    config,
    events,
    log: () => events().map((e) => `${e.event_type}:${e.user}`),
    sessions: () => sub.latest(topic('sessions')) as Sessions,
    device: () => sub.latest(config) as Device,
    waitSessions: (pred: (s: Sessions) => boolean, what = 'sessions') => sub.waitFor(() => !!sub.latest(topic('sessions')) && pred(sub.latest(topic('sessions')) as Sessions), `${id} ${what}`),
    waitEvents: (n: number, what = `${n} events`) => sub.waitFor(() => events().length >= n, `${id} ${what}`),
  };
}

function describeSessions<S extends Sim>(c: SessionCase<S>): void {
  describe(`${c.type}: playback sessions by polling, two servers side by side`, () => {
    const A = `${c.type}_a`;
    const B = `${c.type}_b`;
    let simA: S;
    let simB: S;
    let t: TestApp & { secrets: string[] };
    let sub: Collector;
    const poll = (id: string) => (t.app.instance(id) as ServiceInstance).refresh();
    const a = () => view(sub, A);
    const b = () => view(sub, B);

    beforeAll(async () => {
      simA = await c.start();
      simB = await c.start();
      c.clear(simA);
      c.clear(simB);
      const extra = { interval: 3600, idle_interval: 3600, live: false, timeout: 2 };
      t = await startWithServices([
        { id: A, module: c.module, sim: simA, extra },
        { id: B, module: c.module, sim: simB, extra },
      ]);
      sub = await Collector.connect(t.url, ['homeassistant/#', `${base}/#`]);
      // Online means the first poll is over (the empty sessions state is there before it): a
      // refresh() during that poll would join it and miss what the test starts next.
      for (const id of [A, B]) await sub.waitForTopic(`${base}/${id}/availability`, (v) => (v as { state: string }).state === 'online');
      await a().waitSessions((s) => s.count === 0);
      await b().waitSessions((s) => s.count === 0);
    });
    afterAll(async () => {
      await sub?.close();
      await t?.stop();
      await simA?.stop();
      await simB?.stop();
    });

    it('the same user on both servers: each instance shows and announces only its own playback', async () => {
      c.play(simA, 'erin', 0, true);
      c.play(simB, 'erin', 1, false);
      await poll(A);
      await poll(B);
      await a().waitSessions((s) => s.count === 1);
      await b().waitSessions((s) => s.count === 1);
      expect(a().sessions()).toMatchObject({ count: 1, playing: 1, transcoding: 1, direct_play: 0, watching: true });
      expect(a().sessions().list.items[0]).toMatchObject({ user: 'erin', title: c.titles[0], play_method: 'transcode' });
      expect(b().sessions()).toMatchObject({ count: 1, transcoding: 0, direct_play: 1 });
      expect(b().sessions().list.items[0]).toMatchObject({ user: 'erin', title: c.titles[1], play_method: 'direct_play' });
      expect(a().sessions().now_playing.erin).toMatchObject({ title: c.titles[0] });
      expect(b().sessions().now_playing.erin).toMatchObject({ title: c.titles[1] });
      await a().waitEvents(1);
      await b().waitEvents(1);
      // Polls that find nothing new fire nothing.
      await poll(A);
      await poll(B);
      await poll(A);
      expect(a().log()).toEqual(['playback_started:erin']);
      expect(b().log()).toEqual(['playback_started:erin']);
      expect(a().events()[0]).toMatchObject({ title: c.titles[0], play_method: 'transcode' });
      expect(b().events()[0]).toMatchObject({ title: c.titles[1], play_method: 'direct_play' });
    });

    it('a per-user now-playing sensor appears on each device, valid, beside the old entity keys', async () => {
      for (const [id, v] of [[A, a()], [B, b()]] as const) {
        await sub.waitFor(() => !!v.device()?.components?.now_playing_erin, `${v.config} with now_playing_erin`);
        expect(validateDevicePayload(v.config, v.device() as never)).toEqual([]);
        // The keys these sensors had before sessions existed: unique_ids do not change.
        expect(Object.keys(v.device().components)).toEqual(expect.arrayContaining(['sessions', 'transcoding', 'bandwidth', 'watching', 'playback', 'watch_time_today', 'direct_plays', 'now_playing_erin']));
        expect(Object.keys(v.device().components)).not.toContain('streams');
        expect(v.device().components.sessions).toMatchObject({ state_topic: v.topic('sessions'), unique_id: `media2mqtt_${id}_sessions` });
      }
    });

    it('a second user, a pause and a resume, a stop: one event each, and the stopped user\'s sensor goes', async () => {
      c.play(simA, 'frank', 1, false);
      await poll(A);
      await a().waitSessions((s) => s.count === 2);
      expect(a().sessions()).toMatchObject({ transcoding: 1, direct_play: 1 });
      c.pause(simA, 'erin', true);
      await poll(A);
      await poll(A);
      await a().waitSessions((s) => s.paused === 1);
      c.pause(simA, 'erin', false);
      await poll(A);
      await poll(A);
      await a().waitSessions((s) => s.paused === 0);
      c.stop(simA, 'frank');
      await poll(A);
      await poll(A);
      await a().waitSessions((s) => s.count === 1);
      await a().waitEvents(5);
      expect(a().log()).toEqual(['playback_started:erin', 'playback_started:frank', 'paused:erin', 'resumed:erin', 'stopped:frank']);
      expect(a().events()[4]).toMatchObject({ reason: 'ended', title: c.titles[1] });
      await sub.waitFor(() => !!a().device()?.components?.now_playing_erin && !('now_playing_frank' in a().device().components), 'now_playing_frank removed');
      const stats = (await sub.waitForTopic(a().topic('stats'), (v) => (v as Stats).today_sessions === 1)) as Stats;
      expect(stats.today_sessions).toBe(1);
      // The other server saw none of it.
      expect(b().log()).toEqual(['playback_started:erin']);
      expect(b().sessions()).toMatchObject({ count: 1, paused: 0 });
      expect((sub.latest(b().topic('stats')) as Stats).today_sessions).toBe(0);
    });

    it('an instance going down ends its sessions (reason offline), clears "watching" and the sensor; back up, it starts again', async () => {
      await simA.server.setFault('down');
      await poll(A);
      await sub.waitForTopic(a().topic('availability'), (v) => (v as { state: string }).state === 'offline');
      await a().waitEvents(6, 'the offline stop');
      expect(a().log().slice(5)).toEqual(['stopped:erin']);
      expect(a().events()[5]).toMatchObject({ event_type: 'stopped', reason: 'offline', title: c.titles[0] });
      await a().waitSessions((s) => s.count === 0 && s.watching === false);
      await sub.waitFor(() => !Object.keys(a().device()?.components ?? {}).some((k) => k.startsWith('now_playing_')), 'no now-playing sensor on A');
      // The other server carries on.
      expect(b().sessions()).toMatchObject({ count: 1, watching: true });
      expect(b().log()).toEqual(['playback_started:erin']);
      // A second failed poll announces nothing more.
      await poll(A);
      expect(a().log()).toHaveLength(6);
      await simA.server.setFault('none');
      await poll(A);
      await a().waitEvents(7, 'the start after the outage');
      expect(a().log().slice(6)).toEqual(['playback_started:erin']);
      await a().waitSessions((s) => s.count === 1);
    });
  });

  describe(`${c.type}: playback sessions from the live channel (polling every hour)`, () => {
    const id = c.type;
    let sim: S;
    let t: TestApp & { secrets: string[] };
    let sub: Collector;
    const v = () => view(sub, id);

    beforeAll(async () => {
      sim = await c.start();
      c.clear(sim);
      t = await startWithServices([{ id, module: c.module, sim, extra: { interval: 3600, idle_interval: 3600, timeout: 2 } }]);
      sub = await Collector.connect(t.url, ['homeassistant/#', `${base}/#`]);
      await sub.waitForTopic(v().topic('status'), (s) => (s as { live?: string }).live === 'connected');
      await v().waitSessions((s) => s.count === 0);
    });
    afterAll(async () => {
      await sub?.close();
      await t?.stop();
      await sim?.stop();
    });

    it('a start and a stop between two polls each fire once' + (c.type === 'plex' ? ' (the stop beats the details)' : ''), async () => {
      c.play(sim, 'frank', 0, false);
      c.stop(sim, 'frank');
      await v().waitEvents(2);
      if (c.type === 'jellyfin') {
        // Jellyfin pushes the whole list each time: the details come with the start.
        expect(v().log()).toEqual(['playback_started:frank', 'stopped:frank']);
        expect(v().events()[0]).toMatchObject({ title: c.titles[0] });
      } else {
        // Plex notifications carry only the key: announced without details rather than not at all.
        expect(v().events().map((e) => e.event_type)).toEqual(['playback_started', 'stopped']);
        expect(v().events()[0]).toMatchObject({ user: 'unknown', title: 'unknown' });
      }
      expect(v().events()[1]).toMatchObject({ reason: 'ended' });
      // The refresh the pushes asked for, and a poll, add nothing.
      await (t.app.instance(id) as ServiceInstance).refresh();
      await v().waitSessions((s) => s.count === 0);
      expect(v().events()).toHaveLength(2);
    });

    it('start, pause, resume and stop pushed by the server: one event each, with the details', async () => {
      c.play(sim, 'erin', 1, true);
      await v().waitEvents(3, 'the start');
      expect(v().events()[2]).toMatchObject({ event_type: 'playback_started', user: 'erin', title: c.titles[1], play_method: 'transcode' });
      await v().waitSessions((s) => s.now_playing.erin?.title === c.titles[1]);
      await sub.waitFor(() => !!v().device()?.components?.now_playing_erin, 'now_playing_erin');
      c.pause(sim, 'erin', true);
      await v().waitEvents(4, 'the pause');
      await v().waitSessions((s) => s.paused === 1);
      c.pause(sim, 'erin', false);
      await v().waitEvents(5, 'the resume');
      c.stop(sim, 'erin');
      await v().waitEvents(6, 'the stop');
      await v().waitSessions((s) => s.count === 0 && !s.watching);
      await (t.app.instance(id) as ServiceInstance).refresh();
      expect(v().log().slice(2)).toEqual(['playback_started:erin', 'paused:erin', 'resumed:erin', 'stopped:erin']);
      await sub.waitFor(() => !('now_playing_erin' in (v().device()?.components ?? {})), 'now_playing_erin removed');
    });

    if (c.type === 'jellyfin') {
      it('ServerShuttingDown ends what plays at once (reason server_shutdown)', async () => {
        const before = v().events().length;
        c.play(sim, 'gina', 0, false);
        await v().waitEvents(before + 1, 'the start');
        (sim as JellyfinSim).sendRaw(JSON.stringify({ MessageType: 'ServerShuttingDown', MessageId: 'x' }));
        await v().waitEvents(before + 2, 'the shutdown stop');
        expect(v().events()[before + 1]).toMatchObject({ event_type: 'stopped', user: 'gina', reason: 'server_shutdown' });
        await v().waitSessions((s) => s.count === 0);
      });
    }
  });
}

describeSessions(jellyfin);
describeSessions(plex);

describe('the demo playback script (media2mqtt demo)', () => {
  /** Two cycles of ticks, each followed by what a poll would normalise, through a tracker. */
  function run(cycle: number, step: () => void, read: () => PlaybackSession[], pushed: boolean): string[] {
    const tracker = new SessionTracker({ orphanTimeout: 3600 });
    const log: string[] = [];
    const t0 = Date.now();
    tracker.snapshot(read(), t0);
    for (let i = 1; i <= 2 * cycle; i++) {
      step();
      const now = t0 + i * 5000;
      for (const e of tracker.snapshot(read(), now, now, pushed).events) log.push(`${e.type}:${e.session.user}:${e.session.play_method}`);
    }
    return log;
  }
  const expected = [
    'playback_started:erin:transcode', 'paused:alice:direct_play', 'resumed:alice:direct_play', 'paused:erin:transcode', 'stopped:erin:transcode',
  ];

  // Jellyfin lists come as the WebSocket pushes them (erin's replay of the same film on the same
  // phone keeps its key, 20 s after the stop); Plex's as a poll reads them (a new sessionKey each time).
  it('Jellyfin: a second user starts a transcode, pauses and stops; alice (direct play) pauses and resumes; every cycle', () => {
    const w = new JellyfinWorld();
    const log = run(JELLYFIN_DEMO_CYCLE, () => { w.tick(); w.demoStep(); }, () => normaliseJellyfinSessions(jellyfinSessionsSchema.parse(w.sessions.map((s) => w.sessionDto(s)))), true);
    expect(log).toEqual([...expected, ...expected]);
  });

  it('Plex: the same script', () => {
    const w = new PlexWorld();
    const log = run(PLEX_DEMO_CYCLE, () => { w.tick(); w.demoStep(); }, () => normalisePlexSessions(plexSessionsSchema.parse({ MediaContainer: { size: w.sessions.length, Metadata: w.sessions.map((s) => w.sessionMetadata(s)) } }).MediaContainer.Metadata ?? []), false);
    expect(log).toEqual([...expected, ...expected]);
  });
});
