import { describe, expect, it } from 'vitest';
import { Analytics } from '../../src/sessions/analytics.js';
import { MAX_PENDING_KEYS, MAX_PENDING_STEPS, SessionTracker, type TrackerResult } from '../../src/sessions/tracker.js';
import { NOON, S, session } from './fixtures.js';

const types = (r: TrackerResult) => r.events.map((e) => `${e.type}:${e.session.key}`);

describe('SessionTracker: polls', () => {
  it('start, progress, pause, resume, stop: one event per change, playing time only', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    const a = (over: Parameters<typeof session>[0]) => session({ ...over });
    expect(types(t.snapshot([a({ key: 'k1' })], NOON))).toEqual(['playback_started:k1']);
    // Progress only: nothing fires, 30 s of play counted.
    expect(types(t.snapshot([a({ key: 'k1', position: 30 })], NOON + 30 * S))).toEqual([]);
    expect(types(t.snapshot([a({ key: 'k1', position: 60 })], NOON + 60 * S))).toEqual([]);
    expect(t.watchedMs('k1')).toBe(60 * S);
    expect(types(t.snapshot([a({ key: 'k1', state: 'paused', position: 75 })], NOON + 90 * S))).toEqual(['paused:k1']);
    // Still paused: no second event, no time counted for the paused 120 s.
    expect(types(t.snapshot([a({ key: 'k1', state: 'paused', position: 75 })], NOON + 150 * S))).toEqual([]);
    expect(types(t.snapshot([a({ key: 'k1', state: 'playing', position: 75 })], NOON + 210 * S))).toEqual(['resumed:k1']);
    expect(t.watchedMs('k1')).toBe(90 * S);
    // Buffering is neither a pause nor playing time.
    expect(types(t.snapshot([a({ key: 'k1', state: 'buffering' })], NOON + 240 * S))).toEqual([]);
    expect(types(t.snapshot([a({ key: 'k1', state: 'playing' })], NOON + 250 * S))).toEqual([]);
    expect(t.watchedMs('k1')).toBe(120 * S);
    const end = t.snapshot([], NOON + 280 * S);
    expect(types(end)).toEqual(['stopped:k1']);
    expect(end.events[0]).toMatchObject({ reason: 'ended', watched_ms: 120 * S });
    expect(end.finished).toHaveLength(1);
    expect(Object.values(end.finished[0]!.slices).reduce((x, y) => x + y)).toBe(120 * S);
    expect(types(t.snapshot([], NOON + 300 * S))).toEqual([]);
  });

  it('two users on two devices are tracked apart', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    const jon = session({ key: 'a', user: 'jon' });
    const sansa = session({ key: 'b', user: 'sansa', play_method: 'transcode', device_kind: 'mobile' });
    expect(types(t.snapshot([jon], NOON))).toEqual(['playback_started:a']);
    expect(types(t.snapshot([jon, sansa], NOON + 10 * S))).toEqual(['playback_started:b']);
    expect(types(t.snapshot([{ ...jon, state: 'paused' }, sansa], NOON + 20 * S))).toEqual(['paused:a']);
    const r = t.snapshot([sansa], NOON + 40 * S);
    expect(types(r)).toEqual(['stopped:a']);
    expect(r.finished[0]!.session.user).toBe('jon');
    expect(t.watchedMs('a')).toBe(0);
    expect(r.events[0]!.watched_ms).toBe(20 * S);
    expect(t.watchedMs('b')).toBe(30 * S);
    expect(t.sessions.map((s) => s.user)).toEqual(['sansa']);
  });
});

describe('SessionTracker: pushes between polls', () => {
  it('a start and a stop between two polls each fire once; the next poll fires nothing', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    expect(types(t.snapshot([], NOON))).toEqual([]);
    const s = session({ key: 'p1' });
    expect(types(t.push({ key: 'p1', state: 'playing', session: s }, NOON + 5 * S))).toEqual(['playback_started:p1']);
    // The same start again (webhook and WebSocket both report it): nothing new.
    expect(types(t.push({ key: 'p1', state: 'playing', session: s }, NOON + 6 * S))).toEqual([]);
    const stop = t.push({ key: 'p1', state: 'stopped' }, NOON + 20 * S);
    expect(types(stop)).toEqual(['stopped:p1']);
    expect(stop.finished[0]!.slices).toEqual({ [Object.keys(stop.finished[0]!.slices)[0]!]: 15 * S });
    expect(types(t.snapshot([], NOON + 30 * S))).toEqual([]);
  });

  it('a poll sent before a push stop that still lists the session does not start it again', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    const s = session({ key: 'p2' });
    t.snapshot([s], NOON);
    expect(types(t.push({ key: 'p2', state: 'stopped' }, NOON + 10 * S))).toEqual(['stopped:p2']);
    // The request left at +9 s, before the stop; the answer arrives at +11 s.
    expect(types(t.snapshot([s], NOON + 11 * S, NOON + 9 * S))).toEqual([]);
    // The server still lists it a little later (it lags): still within the grace, still nothing.
    expect(types(t.snapshot([s], NOON + 40 * S))).toEqual([]);
  });

  it('a pushed full list restarts a key that just ended (a replay on the same device); a poll within the grace does not', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    const s = session({ key: 'dev1:item' });
    t.snapshot([s], NOON, NOON, true);
    expect(types(t.snapshot([], NOON + 10 * S, NOON + 10 * S, true))).toEqual(['stopped:dev1:item']);
    // A lagging poll still listing it: nothing.
    expect(types(t.snapshot([s], NOON + 15 * S, NOON + 9 * S))).toEqual([]);
    expect(types(t.snapshot([s], NOON + 20 * S))).toEqual([]);
    // The server pushes it again: the user pressed play again.
    expect(types(t.snapshot([s], NOON + 25 * S, NOON + 25 * S, true))).toEqual(['playback_started:dev1:item']);
    // Later polls see it as the open session it is (progress, no second start, no stop).
    expect(types(t.snapshot([{ ...s, position: 30 }], NOON + 30 * S))).toEqual([]);
    expect(t.sessions[0]!.position).toBe(30);
  });

  it('a poll sent before a push start that does not list it yet does not stop it', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    t.snapshot([], NOON);
    t.push({ key: 'p3', state: 'playing', session: session({ key: 'p3' }) }, NOON + 10 * S);
    expect(types(t.snapshot([], NOON + 11 * S, NOON + 9 * S))).toEqual([]);
    // A stale answer listing it as playing after a push pause does not undo the pause.
    expect(types(t.push({ key: 'p3', state: 'paused' }, NOON + 20 * S))).toEqual(['paused:p3']);
    expect(types(t.snapshot([session({ key: 'p3' })], NOON + 21 * S, NOON + 19 * S))).toEqual([]);
    expect(t.sessions[0]!.state).toBe('paused');
    // A later poll without it stops it.
    expect(types(t.snapshot([], NOON + 60 * S, NOON + 59 * S))).toEqual(['stopped:p3']);
  });

  it('a push for an unknown key without details asks for a poll instead of inventing a session', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    const r = t.push({ key: 'x', state: 'playing', position: 12 }, NOON);
    expect(r).toMatchObject({ unknown: true, events: [] });
    expect(t.sessions).toEqual([]);
    expect(t.pendingKeys).toEqual(['x']);
  });

  it('details arriving with the next poll announce a pending key from its first push, with its pauses', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    t.snapshot([], NOON);
    expect(t.push({ key: 'x', state: 'playing', position: 0 }, NOON + 10 * S).unknown).toBe(true);
    expect(t.push({ key: 'x', state: 'playing', position: 20 }, NOON + 30 * S).unknown).toBe(true);
    expect(t.push({ key: 'x', state: 'paused', position: 20 }, NOON + 30 * S).unknown).toBe(true);
    expect(t.push({ key: 'x', state: 'playing', position: 20 }, NOON + 50 * S).unknown).toBe(true);
    const r = t.snapshot([session({ key: 'x', position: 30, user: 'bob' })], NOON + 60 * S, NOON + 55 * S);
    expect(types(r)).toEqual(['playback_started:x', 'paused:x', 'resumed:x']);
    expect(r.events.map((e) => e.time)).toEqual([NOON + 10 * S, NOON + 30 * S, NOON + 50 * S]);
    expect(r.events[0]!.session.user).toBe('bob');
    // Played 10→30 and 50→60: the pause is not counted.
    expect(t.watchedMs('x')).toBe(30 * S);
    expect(t.startedAt('x')).toBe(NOON + 10 * S);
    expect(t.pendingKeys).toEqual([]);
    // Nothing fires twice: the next poll and push are just progress.
    expect(types(t.snapshot([session({ key: 'x', position: 40, user: 'bob' })], NOON + 70 * S))).toEqual([]);
    expect(types(t.push({ key: 'x', state: 'playing', position: 45 }, NOON + 75 * S))).toEqual([]);
  });

  it('a start and a stop pushed before any details still fire once each, with a minimal session', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    t.snapshot([], NOON);
    t.push({ key: 'y', state: 'playing', position: 0 }, NOON + 5 * S);
    t.push({ key: 'y', state: 'playing', position: 15 }, NOON + 20 * S);
    const stop = t.push({ key: 'y', state: 'stopped', position: 18 }, NOON + 23 * S);
    expect(stop.unknown).toBe(false);
    expect(types(stop)).toEqual(['playback_started:y', 'stopped:y']);
    expect(stop.events[0]).toMatchObject({ time: NOON + 5 * S, session: { key: 'y', user: 'unknown', title: 'unknown', state: 'playing' } });
    expect(stop.events[1]).toMatchObject({ reason: 'ended', watched_ms: 18 * S });
    expect(stop.finished).toHaveLength(1);
    // The refresh the first push asked for lands after the stop and still lists it (the server lags): nothing.
    expect(types(t.snapshot([session({ key: 'y' })], NOON + 24 * S, NOON + 6 * S))).toEqual([]);
    // A second stop, or a stop with details, of the same key: nothing more.
    expect(types(t.push({ key: 'y', state: 'stopped' }, NOON + 25 * S))).toEqual([]);
    expect(t.sessions).toEqual([]);
  });

  it('a stop for a key never seen at all invents nothing; a late report of an ended key is not remembered', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    expect(t.push({ key: 'z', state: 'stopped' }, NOON)).toMatchObject({ unknown: false, events: [] });
    t.snapshot([session({ key: 'k' })], NOON);
    t.snapshot([], NOON + 10 * S);
    expect(t.push({ key: 'k', state: 'playing' }, NOON + 11 * S).unknown).toBe(true);
    expect(t.pendingKeys).toEqual([]);
    expect(types(t.push({ key: 'k', state: 'stopped' }, NOON + 12 * S))).toEqual([]);
  });

  it('pending keys are bounded, and forgotten after the orphan timeout without confirmation', () => {
    const t = new SessionTracker({ orphanTimeout: 60 });
    for (let i = 0; i < MAX_PENDING_KEYS + 10; i++) t.push({ key: `k${i}`, state: 'playing' }, NOON + i);
    expect(t.pendingKeys).toHaveLength(MAX_PENDING_KEYS);
    expect(t.pendingKeys[0]).toBe('k10');
    // Flapping state on one key keeps only a bounded history (the start and the latest changes).
    for (let i = 0; i < 100; i++) t.push({ key: 'k20', state: i % 2 ? 'playing' : 'paused' }, NOON + S + i * S);
    const r = t.snapshot([session({ key: 'k20' })], NOON + 200 * S, NOON + 199 * S);
    expect(r.events.length).toBeLessThanOrEqual(MAX_PENDING_STEPS);
    expect(r.events[0]).toMatchObject({ type: 'playback_started', time: NOON + 20 });
    expect(t.expire(NOON + 200 * S).events).toEqual([]);
    expect(t.pendingKeys).toEqual([]);
  });

  it('a partial push updates the position and state of a known session', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    t.snapshot([session({ key: 'k', duration: 1000 })], NOON);
    expect(types(t.push({ key: 'k', state: 'paused', position: 250 }, NOON + 10 * S))).toEqual(['paused:k']);
    expect(t.sessions[0]).toMatchObject({ state: 'paused', position: 250, progress: 25, user: 'alice' });
  });
});

describe('SessionTracker: orphans, instance down, restart', () => {
  it('after an outage ends everything, the first poll of the instance back starts what it lists at once', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    t.snapshot([session({ key: 'a' })], NOON);
    t.push({ key: 'q', state: 'playing' }, NOON + S);
    expect(types(t.endAll('offline', NOON + 5 * S))).toEqual(['stopped:a']);
    expect(t.pendingKeys).toEqual([]);
    expect(types(t.snapshot([session({ key: 'a' })], NOON + 10 * S))).toEqual(['playback_started:a']);
  });

  it('a session not seen for orphan_timeout ends as orphaned, counting only observed play', () => {
    const t = new SessionTracker({ orphanTimeout: 120 });
    t.push({ key: 'o', state: 'playing', session: session({ key: 'o' }) }, NOON);
    t.push({ key: 'o', state: 'playing' }, NOON + 30 * S);
    expect(types(t.expire(NOON + 150 * S))).toEqual([]);
    const r = t.expire(NOON + 151 * S);
    expect(types(r)).toEqual(['stopped:o']);
    expect(r.events[0]).toMatchObject({ reason: 'orphaned', watched_ms: 30 * S });
    expect(types(t.expire(NOON + 400 * S))).toEqual([]);
  });

  it('endAll ends everything once, with the reason', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    t.snapshot([session({ key: 'a' }), session({ key: 'b', user: 'bob' })], NOON);
    const r = t.endAll('offline', NOON + 10 * S);
    expect(types(r)).toEqual(['stopped:a', 'stopped:b']);
    expect(r.events.every((e) => e.reason === 'offline')).toBe(true);
    expect(t.sessions).toEqual([]);
    expect(types(t.endAll('offline', NOON + 11 * S))).toEqual([]);
  });

  it('a restart mid-session: no second start, time counted once, aggregates not doubled', () => {
    const analytics = new Analytics(30);
    const t1 = new SessionTracker({ orphanTimeout: 300 });
    t1.snapshot([session({ key: 'r' })], NOON);
    t1.snapshot([session({ key: 'r' })], NOON + 60 * S);
    const saved = JSON.parse(JSON.stringify(t1.state())); // as it goes through the data file
    // The bridge restarts; 30 s later the first poll still shows the session.
    const t2 = new SessionTracker({ orphanTimeout: 300 }, saved);
    expect(types(t2.snapshot([session({ key: 'r' })], NOON + 90 * S))).toEqual([]);
    const end = t2.snapshot([], NOON + 120 * S);
    expect(types(end)).toEqual(['stopped:r']);
    for (const f of end.finished) analytics.add(f);
    // 0–90 s observed playing (across the restart); 90–120 s it vanished at some unknown moment.
    expect(end.events[0]!.watched_ms).toBe(90 * S);
    expect(analytics.stats(NOON + 120 * S).today_watch_time).toBe(90);
    // A second restart from the state saved after the stop neither restarts nor re-counts it.
    const t3 = new SessionTracker({ orphanTimeout: 300 }, JSON.parse(JSON.stringify(t2.state())));
    expect(types(t3.snapshot([], NOON + 130 * S))).toEqual([]);
    expect(analytics.stats(NOON + 130 * S).today_sessions).toBe(1);
  });

  it('a long outage is not counted as playing time (capped at the orphan timeout)', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    t.snapshot([session({ key: 'g' })], NOON);
    const t2 = new SessionTracker({ orphanTimeout: 300 }, t.state());
    // The bridge was down for an hour; the session is still there.
    t2.snapshot([session({ key: 'g' })], NOON + 3600 * S);
    expect(t2.watchedMs('g')).toBe(300 * S);
  });
});

describe('replays seen by polling alone', () => {
  it('a session a poll saw end plays again at the next poll that lists it (no grace: nothing pushed its end)', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    const s = session({ key: 'tv:item' });
    expect(types(t.snapshot([s], NOON))).toEqual(['playback_started:tv:item']);
    expect(types(t.snapshot([], NOON + 10 * S))).toEqual(['stopped:tv:item']);
    // A poll whose request left before that end still says nothing.
    expect(types(t.snapshot([s], NOON + 12 * S, NOON + 9 * S))).toEqual([]);
    // The same item on the same device again, 5 s later: a new playback.
    expect(types(t.snapshot([s], NOON + 15 * S))).toEqual(['playback_started:tv:item']);
  });
});
