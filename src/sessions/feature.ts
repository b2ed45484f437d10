import { errorMessage } from '../errors.js';
import type { EntityDef } from '../ha/entity.js';
import type { ServiceContext } from '../services/service.js';
import type { SessionsConfig } from '../services/settings.js';
import { Analytics, type AnalyticsData } from './analytics.js';
import { activeUsers, sessionEntities, type SessionEntityKey } from './entities.js';
import type { PlaybackSession } from './model.js';
import { eventPayload, SessionTopics, sessionsState, type SessionStates } from './publish.js';
import { SessionTracker, type PushUpdate, type StopReason, type TrackerResult, type TrackerState } from './tracker.js';

/** Key in the instance's `ctx.storage` (one key, so open sessions and aggregates are written together). */
export const SESSIONS_STORAGE_KEY = 'sessions';
/** Progress alone is written this often; events and finished sessions are written at once. */
const CHECKPOINT_MS = 5 * 60_000;

interface Persisted {
  tracker: TrackerState;
  analytics: AnalyticsData;
}

export interface SessionFeatureOptions {
  /** expire_after of the count entities (≈3 idle polls); leave out for push-driven sources. */
  expireAfter?: number;
  /** Entities a service already published under another key and name (unique_ids never change). */
  renamed?: Partial<Record<SessionEntityKey, { key: string; name: string }>>;
  /** Clock in ms (tests script a day with it). */
  now?: () => number;
}

/**
 * Playback sessions of one media-server instance, whatever the source: the service feeds it
 * normalised sessions (`snapshot` from a poll, `push` from a live channel or webhook) and it runs
 * the tracker, publishes `sessions`, `stats` and playback events, keeps the per-user entities in
 * step, and persists open sessions and daily aggregates in the instance's storage. The open
 * sessions are stored with the aggregates in one write, so a restart neither announces a running
 * session again nor counts a finished one twice.
 */
export class SessionFeature {
  /** The service's context, seen through the part of its contract this feature publishes. */
  readonly #ctx: ServiceContext<SessionsConfig, SessionStates>;
  readonly #opts: SessionFeatureOptions;
  readonly #now: () => number;
  #tracker: SessionTracker;
  #analytics: Analytics;
  #users = new Map<string, string>();
  #lastWrite = 0;
  /** The last write failed: the checkpoint retries it. */
  #dirty = false;

  constructor(ctx: ServiceContext<SessionsConfig, SessionStates>, opts: SessionFeatureOptions = {}) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#tracker = new SessionTracker({ orphanTimeout: ctx.cfg.sessions.orphan_timeout });
    this.#analytics = new Analytics(ctx.cfg.sessions.retention_days);
  }

  /** Restores what the last run left and arms the orphan/checkpoint timer. Call from the service's start(). */
  start(): void {
    const saved = this.#ctx.storage.get<Persisted>(SESSIONS_STORAGE_KEY);
    const settings = this.#ctx.cfg.sessions;
    this.#tracker = new SessionTracker({ orphanTimeout: settings.orphan_timeout }, saved?.tracker);
    this.#analytics = new Analytics(settings.retention_days, saved?.analytics);
    if (saved?.tracker.open.length) this.#ctx.log.info(`resuming ${saved.tracker.open.length} open playback session(s) from the last run`);
    this.#lastWrite = this.#now();
    this.#publish({ events: [], finished: [] });
    const every = Math.min(60, Math.max(5, settings.orphan_timeout / 4));
    this.#ctx.scheduler.every('sessions', every, async () => this.tick(), { immediate: false, timeoutMs: 10_000 });
  }

  /** Writes the open sessions (a clean stop: the next start carries on without an event). */
  async stop(): Promise<void> {
    await this.#persist();
  }

  /** A poll's full list; `requestedAt` (ms) is when the request left. */
  snapshot(sessions: readonly PlaybackSession[], requestedAt?: number): void {
    const now = this.#now();
    this.#apply(this.#tracker.snapshot(sessions, now, requestedAt ?? now));
  }

  /** A full list the server pushed as of now (Jellyfin's WebSocket `Sessions`): see SessionTracker.snapshot. */
  pushedList(sessions: readonly PlaybackSession[]): void {
    const now = this.#now();
    this.#apply(this.#tracker.snapshot(sessions, now, now, true));
  }

  /** A push; `unknown` means the key is new and the push has no details: poll for them. */
  push(update: PushUpdate): { unknown: boolean } {
    const r = this.#tracker.push(update, this.#now());
    this.#apply(r);
    return { unknown: r.unknown };
  }

  /** Ends every session now (server shutting down, instance removed): no phantom "playing". */
  endAll(reason: StopReason): void {
    this.#apply(this.#tracker.endAll(reason, this.#now()));
  }

  /** Orphans, the day rolling over in `stats`, and the slow checkpoint. Runs on the scheduler. */
  tick(): void {
    this.#apply(this.#tracker.expire(this.#now()));
  }

  /** Something is open: the service polls at its fast interval. */
  get active(): boolean {
    return this.#tracker.sessions.length > 0;
  }

  get sessions(): PlaybackSession[] {
    return this.#tracker.sessions;
  }

  entities(): EntityDef<SessionStates>[] {
    return sessionEntities({ users: this.#users, expireAfter: this.#opts.expireAfter, renamed: this.#opts.renamed });
  }

  #apply(r: TrackerResult): void {
    const now = this.#now();
    for (const f of r.finished) this.#analytics.add(f);
    for (const e of r.events) {
      const payload = eventPayload(e);
      this.#ctx.log.info(`${e.type}: ${e.session.user} – ${e.session.title} on ${e.session.device}${e.reason && e.reason !== 'ended' ? ` (${e.reason})` : ''}`);
      this.#ctx.emitEvent(e.type, payload);
      // Not retained: each event is its own message, never a state replayed to late subscribers.
      this.#ctx.publishEvent(SessionTopics.event, payload);
    }
    this.#publish(r);
    const due = now - this.#lastWrite >= CHECKPOINT_MS && (this.#tracker.sessions.length > 0 || this.#dirty);
    if (r.events.length || r.finished.length || due) {
      void this.#persist();
    }
  }

  #publish(r: TrackerResult): void {
    const cfg = this.#ctx.cfg;
    const state = sessionsState(this.#tracker.sessions, cfg.list_limit);
    this.#ctx.publishState(SessionTopics.sessions, state);
    const users = activeUsers(state.now_playing);
    if (!sameKeys(users, this.#users)) {
      this.#users = users;
      this.#ctx.entitiesChanged();
    }
    const now = this.#now();
    if (r.finished.length) this.#analytics.prune(now);
    this.#ctx.publishState(SessionTopics.stats, this.#analytics.stats(now));
  }

  async #persist(): Promise<void> {
    this.#lastWrite = this.#now();
    this.#dirty = false;
    this.#analytics.prune(this.#lastWrite);
    const data: Persisted = { tracker: this.#tracker.state(), analytics: this.#analytics.data() };
    try {
      await this.#ctx.storage.set(SESSIONS_STORAGE_KEY, data);
    } catch (err) {
      this.#dirty = true;
      this.#ctx.log.warn(`cannot save playback sessions: ${errorMessage(err)}`);
    }
  }
}

function sameKeys(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
