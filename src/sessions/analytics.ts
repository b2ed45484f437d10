import { dayOf, lastDays } from './days.js';
import type { PlayMethod } from './model.js';
import type { FinishedSession } from './tracker.js';

/** Watch time of one local day, ms, by dimension. Only finished sessions are in here. */
export interface DayAggregate {
  watch_ms: number;
  /** Sessions that ended that day. */
  sessions: number;
  users: Record<string, number>;
  devices: Record<string, number>;
  methods: Record<string, number>;
  /** Series name for episodes, the title otherwise. */
  media: Record<string, number>;
}

export interface AnalyticsData {
  days: Record<string, DayAggregate>;
}

/** One day keeps at most this many titles (the least watched go): the stored file stays small. */
const MAX_MEDIA_PER_DAY = 100;
/** Entries per dimension in the published stats (the top ones); users of big servers stay under HA's 16 KB. */
const MAX_PUBLISHED = 10;
const TOP_MEDIA = 5;

export interface PeriodStats {
  /** Seconds. */
  watch_time: number;
  sessions: number;
  /** % of the watch time that was transcoded, one decimal. */
  transcode_share: number;
  users: Record<string, number>;
  devices: Record<string, number>;
  play_methods: Record<string, number>;
  top_media: { title: string; watch_time: number }[];
}

/** `<base>/<instance>/stats`: flat numbers first (Grafana, HA), then the breakdowns. */
export interface StatsState {
  today_watch_time: number;
  today_sessions: number;
  today_transcode_share: number;
  week_watch_time: number;
  month_watch_time: number;
  today: PeriodStats;
  last_7_days: PeriodStats;
  last_30_days: PeriodStats;
  retention_days: number;
}

/**
 * Daily aggregates of finished sessions. Counted from the tracker's per-day slices, so the sum is
 * exact to the millisecond and a session over midnight counts on both days.
 */
export class Analytics {
  readonly #days: Record<string, DayAggregate>;
  readonly #retentionDays: number;

  constructor(retentionDays: number, data?: AnalyticsData | null) {
    this.#retentionDays = retentionDays;
    this.#days = structuredClone(data?.days ?? {});
  }

  add(f: FinishedSession): void {
    const s = f.session;
    const media = s.series ?? s.item_title;
    for (const [key, ms] of Object.entries(f.slices)) {
      if (!(ms > 0)) continue;
      const [day, method] = key.split('|') as [string, PlayMethod];
      const d = this.#day(day);
      d.watch_ms += ms;
      bump(d.users, s.user, ms);
      bump(d.devices, s.device_kind, ms);
      bump(d.methods, method, ms);
      bump(d.media, media, ms);
      capMedia(d);
    }
    this.#day(dayOf(f.ended_at)).sessions++;
  }

  /** Drops days older than the retention. */
  prune(now: number): void {
    const keep = new Set(lastDays(now, this.#retentionDays));
    for (const day of Object.keys(this.#days)) if (!keep.has(day)) delete this.#days[day];
  }

  data(): AnalyticsData {
    return { days: structuredClone(this.#days) };
  }

  /** Today, the last 7 and the last 30 local days (as far as the retention keeps them). */
  stats(now: number): StatsState {
    const today = this.#period(lastDays(now, 1));
    const week = this.#period(lastDays(now, 7));
    const month = this.#period(lastDays(now, 30));
    return {
      today_watch_time: today.watch_time,
      today_sessions: today.sessions,
      today_transcode_share: today.transcode_share,
      week_watch_time: week.watch_time,
      month_watch_time: month.watch_time,
      today,
      last_7_days: week,
      last_30_days: month,
      retention_days: this.#retentionDays,
    };
  }

  #day(day: string): DayAggregate {
    return (this.#days[day] ??= { watch_ms: 0, sessions: 0, users: {}, devices: {}, methods: {}, media: {} });
  }

  #period(days: string[]): PeriodStats {
    const total: DayAggregate = { watch_ms: 0, sessions: 0, users: {}, devices: {}, methods: {}, media: {} };
    for (const day of days) {
      const d = this.#days[day];
      if (!d) continue;
      total.watch_ms += d.watch_ms;
      total.sessions += d.sessions;
      for (const [k, v] of Object.entries(d.users)) bump(total.users, k, v);
      for (const [k, v] of Object.entries(d.devices)) bump(total.devices, k, v);
      for (const [k, v] of Object.entries(d.methods)) bump(total.methods, k, v);
      for (const [k, v] of Object.entries(d.media)) bump(total.media, k, v);
    }
    const transcoded = total.methods.transcode ?? 0;
    return {
      watch_time: seconds(total.watch_ms),
      sessions: total.sessions,
      transcode_share: total.watch_ms > 0 ? Math.round((transcoded / total.watch_ms) * 1000) / 10 : 0,
      users: top(total.users, MAX_PUBLISHED),
      devices: top(total.devices, MAX_PUBLISHED),
      play_methods: top(total.methods, MAX_PUBLISHED),
      top_media: Object.entries(top(total.media, TOP_MEDIA)).map(([title, watch_time]) => ({ title, watch_time })),
    };
  }
}

function bump(map: Record<string, number>, key: string, ms: number): void {
  map[key] = (map[key] ?? 0) + ms;
}

function capMedia(d: DayAggregate): void {
  const entries = Object.entries(d.media);
  if (entries.length <= MAX_MEDIA_PER_DAY) return;
  entries.sort((a, b) => a[1] - b[1]);
  for (const [k] of entries.slice(0, entries.length - MAX_MEDIA_PER_DAY)) delete d.media[k];
}

/** The `n` largest entries, in seconds, largest first. */
function top(map: Record<string, number>, n: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(map)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, n)
      .map(([k, v]) => [k, seconds(v)]),
  );
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
