import { describe, expect, it } from 'vitest';
import { Analytics } from '../../src/sessions/analytics.js';
import { dayOf } from '../../src/sessions/days.js';
import { SessionTracker } from '../../src/sessions/tracker.js';
import { NOON, S, session } from './fixtures.js';

const MIN = 60 * S;

describe('Analytics: a scripted day, exact to the second', () => {
  it('counts playing time per user, device kind, play method and title; transcode share; 7/30 days', () => {
    // Polls up to 13 min apart in this script: the orphan timeout must be longer than that.
    const t = new SessionTracker({ orphanTimeout: 1800 });
    const a = new Analytics(30);
    const feed = (r: ReturnType<SessionTracker['snapshot']>) => r.finished.forEach((f) => a.add(f));
    const jon = session({ key: 'j', user: 'Jon', series: 'Severance', item_title: 'Hello, Ms. Cobel', media_type: 'episode', device_kind: 'tv' });
    const sansa = session({ key: 's', user: 'Sansa', play_method: 'transcode', device_kind: 'mobile' });
    // 12:00 Jon starts. 12:10 Sansa starts (transcoding). 12:20 Jon pauses for 7 min 13 s.
    feed(t.snapshot([jon], NOON));
    feed(t.snapshot([jon, sansa], NOON + 10 * MIN));
    feed(t.snapshot([{ ...jon, state: 'paused' }, sansa], NOON + 20 * MIN));
    feed(t.snapshot([jon, sansa].map((x) => (x === jon ? { ...jon, state: 'paused' as const } : x)), NOON + 25 * MIN));
    feed(t.snapshot([jon, sansa], NOON + 27 * MIN + 13 * S));
    // 12:40:07 Sansa's stream switches to direct play; 12:50 Sansa is gone; 13:00:01 Jon is gone.
    feed(t.snapshot([jon, { ...sansa, play_method: 'direct_play' }], NOON + 40 * MIN + 7 * S));
    feed(t.snapshot([jon, { ...sansa, play_method: 'direct_play' }], NOON + 49 * MIN + 59 * S));
    feed(t.snapshot([jon], NOON + 50 * MIN));
    feed(t.snapshot([jon], NOON + 59 * MIN + 59 * S));
    feed(t.snapshot([], NOON + 60 * MIN + S));
    // Jon: 12:00–12:20 + 12:27:13–12:59:59 = 20 min + 32 min 46 s.
    const jonS = 20 * 60 + 32 * 60 + 46;
    // Sansa: 12:10–12:40:07 transcoded (30 min 7 s), then 12:40:07–12:49:59 direct (9 min 52 s).
    const sansaTranscode = 30 * 60 + 7;
    const sansaDirect = 9 * 60 + 52;
    const stats = a.stats(NOON + 2 * 3600 * S);
    const total = jonS + sansaTranscode + sansaDirect;
    expect(stats.today_watch_time).toBe(total);
    expect(stats.today_sessions).toBe(2);
    expect(stats.today.users).toEqual({ Jon: jonS, Sansa: sansaTranscode + sansaDirect });
    expect(stats.today.devices).toEqual({ tv: jonS, mobile: sansaTranscode + sansaDirect });
    expect(stats.today.play_methods).toEqual({ direct_play: jonS + sansaDirect, transcode: sansaTranscode });
    expect(stats.today.top_media).toEqual([
      { title: 'Severance', watch_time: jonS },
      { title: 'Dune: Part Two', watch_time: sansaTranscode + sansaDirect },
    ]);
    expect(stats.today_transcode_share).toBe(Math.round((sansaTranscode / total) * 1000) / 10);
    expect(stats.week_watch_time).toBe(total);
    expect(stats.month_watch_time).toBe(total);
    // Tomorrow: today is empty, the week still has it.
    const tomorrow = a.stats(NOON + 24 * 3600 * S);
    expect(tomorrow).toMatchObject({ today_watch_time: 0, today_sessions: 0, today_transcode_share: 0, week_watch_time: total });
    expect(a.stats(NOON + 8 * 24 * 3600 * S)).toMatchObject({ week_watch_time: 0, month_watch_time: total });
  });

  it('a session over midnight counts on both days', () => {
    const t = new SessionTracker({ orphanTimeout: 300 });
    const a = new Analytics(30);
    const midnight = new Date(2026, 10, 21, 0, 0, 0).getTime();
    t.snapshot([session({ key: 'm' })], midnight - 90 * S);
    t.snapshot([session({ key: 'm' })], midnight + 150 * S);
    t.push({ key: 'm', state: 'stopped' }, midnight + 200 * S).finished.forEach((f) => a.add(f));
    const days = a.data().days;
    expect(days[dayOf(midnight - S)]).toMatchObject({ watch_ms: 90 * S, sessions: 0 });
    expect(days[dayOf(midnight)]).toMatchObject({ watch_ms: 200 * S, sessions: 1 });
  });

  it('keeps retention_days days and survives a JSON round trip', () => {
    const a = new Analytics(2);
    const t = new SessionTracker({ orphanTimeout: 300 });
    for (let d = 0; d < 4; d++) {
      const at = NOON + d * 24 * 3600 * S;
      t.snapshot([session({ key: `d${d}` })], at);
      t.push({ key: `d${d}`, state: 'stopped' }, at + 10 * S).finished.forEach((f) => a.add(f));
    }
    a.prune(NOON + 3 * 24 * 3600 * S);
    expect(Object.keys(a.data().days).sort()).toEqual([dayOf(NOON + 2 * 24 * 3600 * S), dayOf(NOON + 3 * 24 * 3600 * S)]);
    const b = new Analytics(2, JSON.parse(JSON.stringify(a.data())));
    expect(b.stats(NOON + 3 * 24 * 3600 * S)).toEqual(a.stats(NOON + 3 * 24 * 3600 * S));
    expect(b.stats(NOON + 3 * 24 * 3600 * S).week_watch_time).toBe(20);
  });
});
