import { describe, expect, it } from 'vitest';
import { serviceConfigSchema } from '../../src/config/schema.js';
import { buildDevicePayload } from '../../src/ha/discovery.js';
import { Topics } from '../../src/mqtt/contract.js';
import { SessionFeature } from '../../src/sessions/feature.js';
import { LEGACY_SESSION_ENTITIES } from '../../src/sessions/entities.js';
import { sessionsState, type SessionStates, type SessionsState } from '../../src/sessions/publish.js';
import type { InstanceStorage } from '../../src/store/db.js';
import type { ServiceContext } from '../../src/services/service.js';
import type { SessionsConfig } from '../../src/services/settings.js';
import { recordingContext, type RecordingContext } from '../fixtures/host/context.js';
import { validateDevicePayload } from '../helpers/ha-rules.js';
import { NOON, S, session } from './fixtures.js';

function setup(storage?: InstanceStorage, sessions: Record<string, unknown> = {}) {
  const ctx = recordingContext('jellyfin');
  if (storage) (ctx as { storage: InstanceStorage }).storage = storage;
  const cfg = { ...serviceConfigSchema.parse({ type: 'jellyfin', url: 'http://x', api_key: 'k', sessions }), interval: 30, idle_interval: 120 };
  let now = NOON;
  const clock = { set: (t: number) => void (now = t) };
  const feature = new SessionFeature({ ...ctx, cfg, http: null as never } as ServiceContext<SessionsConfig, SessionStates>, { now: () => now });
  return { ctx, feature, clock };
}

const eventTypes = (ctx: RecordingContext) => ctx.events.map((e) => `${e.type}:${String(e.data.user)}`);
const discovery = (f: SessionFeature) =>
  buildDevicePayload(
    { topics: new Topics('media2mqtt'), origin: { name: 'media2mqtt', sw_version: '0', support_url: 'https://example.invalid' }, bridgeInstance: 'bridge' },
    { instance: 'jellyfin', name: 'Jellyfin', viaBridge: true, hasAvailability: true },
    f.entities(),
  );

describe('SessionFeature', () => {
  it('publishes sessions, events once per change, and per-user entities that come and go', () => {
    const { ctx, feature, clock } = setup();
    feature.start();
    expect(ctx.states.get('sessions')).toMatchObject({ count: 0, watching: false, now_playing: {} });
    expect(ctx.states.get('stats')).toMatchObject({ today_watch_time: 0 });
    const jon = session({ key: 'a', user: 'Jon Snow' });
    const sansa = session({ key: 'b', user: 'Sansa', play_method: 'transcode', bandwidth: 4000, location: 'wan' });
    feature.snapshot([jon, sansa]);
    expect(eventTypes(ctx)).toEqual(['playback_started:Jon Snow', 'playback_started:Sansa']);
    expect(ctx.published.filter((p) => p.name === 'playback_event').map((p) => p.payload.event_type)).toEqual(['playback_started', 'playback_started']);
    expect(ctx.states.get('sessions')).toMatchObject({ count: 2, transcoding: 1, direct_play: 1, bandwidth_kbps: 24000, wan_bandwidth_kbps: 4000, watching: true, users: 2 });
    expect(Object.keys(discovery(feature).components)).toEqual(expect.arrayContaining(['now_playing_jon_snow', 'now_playing_sansa', 'playback', 'watching']));
    const changed = ctx.entitiesChangedCount;
    clock.set(NOON + 30 * S);
    feature.snapshot([{ ...jon, state: 'paused' }, sansa]);
    clock.set(NOON + 60 * S);
    feature.snapshot([{ ...jon, state: 'paused' }, sansa]);
    expect(eventTypes(ctx).slice(2)).toEqual(['paused:Jon Snow']);
    expect(ctx.entitiesChangedCount).toBe(changed); // same users, same entities
    clock.set(NOON + 90 * S);
    feature.snapshot([{ ...jon, state: 'paused' }]);
    expect(eventTypes(ctx).slice(3)).toEqual(['stopped:Sansa']);
    expect(ctx.events.at(-1)!.data).toMatchObject({ event_type: 'stopped', reason: 'ended', watched: 60, play_method: 'transcode' });
    expect(ctx.entitiesChangedCount).toBe(changed + 1);
    expect(Object.keys(discovery(feature).components).filter((k) => k.startsWith('now_playing_'))).toEqual(['now_playing_jon_snow']);
    expect(ctx.states.get('stats')).toMatchObject({ today_watch_time: 60, today_sessions: 1, today_transcode_share: 100 });
    // Paused alone is not watching.
    expect(ctx.states.get('sessions')).toMatchObject({ count: 1, paused: 1, watching: false });
  });

  it('the discovery payload is valid for Home Assistant, with and without users', () => {
    const { feature } = setup();
    feature.start();
    expect(validateDevicePayload('homeassistant/device/media2mqtt_jellyfin/config', discovery(feature))).toEqual([]);
    feature.snapshot([session({ key: 'a', user: 'Zoë O’Brien' })]);
    const p = discovery(feature);
    expect(validateDevicePayload('homeassistant/device/media2mqtt_jellyfin/config', p)).toEqual([]);
    expect(p.components.now_playing_zoe_o_brien).toMatchObject({
      name: 'Now playing Zoë O’Brien',
      state_topic: 'media2mqtt/jellyfin/sessions',
      json_attributes_topic: 'media2mqtt/jellyfin/sessions',
    });
    expect(p.components.playback).toMatchObject({ platform: 'event', state_topic: 'media2mqtt/jellyfin/playback_event', event_types: ['playback_started', 'paused', 'resumed', 'stopped'] });
    expect(p.components.watch_time_today).toMatchObject({ device_class: 'duration', unit_of_measurement: 's', state_topic: 'media2mqtt/jellyfin/stats' });
  });

  it('keeps older entity keys and names when a service asks (unique_ids never change), each key once', () => {
    const ctx = recordingContext('plex');
    const cfg = { ...serviceConfigSchema.parse({ type: 'plex', url: 'http://x', token: 't' }), interval: 30, idle_interval: 120 };
    const f = new SessionFeature({ ...ctx, cfg, http: null as never } as ServiceContext<SessionsConfig, SessionStates>, { renamed: LEGACY_SESSION_ENTITIES });
    const entities = f.entities();
    expect(entities.map((e) => e.key)).toEqual(expect.arrayContaining(['sessions', 'transcoding', 'direct_plays', 'bandwidth']));
    expect(entities.map((e) => e.key)).not.toContain('streams');
    expect(entities.find((e) => e.key === 'sessions')).toMatchObject({ name: 'Active sessions', field: 'count', attributesField: 'list' });
    expect(entities.find((e) => e.key === 'transcoding')).toMatchObject({ name: 'Transcoding sessions', field: 'transcoding' });
  });

  it('a restart mid-session (same storage): no duplicate start, watch time counted once', async () => {
    const first = setup();
    first.feature.start();
    first.feature.snapshot([session({ key: 'r', user: 'Arya' })]);
    first.clock.set(NOON + 100 * S);
    first.feature.snapshot([session({ key: 'r', user: 'Arya' })]);
    await first.feature.stop();
    const second = setup(first.ctx.storage);
    second.clock.set(NOON + 130 * S);
    second.feature.start();
    // The restored session is on the topic at once, without an event.
    expect(second.ctx.states.get('sessions')).toMatchObject({ count: 1 });
    second.feature.snapshot([session({ key: 'r', user: 'Arya' })]);
    expect(second.ctx.events).toEqual([]);
    second.clock.set(NOON + 150 * S);
    second.feature.push({ key: 'r', state: 'stopped' });
    expect(eventTypes(second.ctx)).toEqual(['stopped:Arya']);
    expect(second.ctx.states.get('stats')).toMatchObject({ today_watch_time: 150, today_sessions: 1 });
    await new Promise((r) => setImmediate(r)); // the write after the stop
    const third = setup(first.ctx.storage);
    third.clock.set(NOON + 160 * S);
    third.feature.start();
    third.feature.snapshot([]);
    expect(third.ctx.events).toEqual([]);
    expect(third.ctx.states.get('stats')).toMatchObject({ today_watch_time: 150, today_sessions: 1 });
  });

  it('orphans end on the timer even when no poll succeeds', () => {
    const { ctx, feature, clock } = setup(undefined, { orphan_timeout: 60 });
    feature.start();
    feature.snapshot([session({ key: 'o' })]);
    clock.set(NOON + 61 * S);
    feature.tick();
    expect(eventTypes(ctx)).toEqual(['playback_started:alice', 'stopped:alice']);
    expect(ctx.events[1]!.data.reason).toBe('orphaned');
    expect(ctx.states.get('sessions')).toMatchObject({ count: 0, watching: false });
  });

  it('endAll leaves no phantom "playing"', () => {
    const { ctx, feature } = setup();
    feature.start();
    feature.snapshot([session({ key: 'a' }), session({ key: 'b', user: 'bob' })]);
    feature.endAll('offline');
    expect(ctx.states.get('sessions')).toMatchObject({ count: 0, playing: 0, watching: false, now_playing: {} });
    expect(ctx.events.filter((e) => e.type === 'stopped')).toHaveLength(2);
  });

  it('keeps the sessions state under 16 KB with 100 long sessions', () => {
    const long = 'x'.repeat(300);
    const many = Array.from({ length: 100 }, (_, i) => session({ key: `k${i}`, user: `user ${i}`, title: long, device: long }));
    const state: SessionsState = sessionsState(many, 100);
    expect(Buffer.byteLength(JSON.stringify(state.list))).toBeLessThan(16_000);
    expect(state.list.total).toBe(100);
    expect(state.list.items.length).toBeGreaterThan(5);
    expect(state.list.items.length).toBeLessThan(100);
    expect(Object.keys(state.now_playing)).toHaveLength(100);
  });
});
