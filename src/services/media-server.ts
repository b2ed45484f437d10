import type { EntityDef } from '../ha/entity.js';
import type { ServiceStates } from '../mqtt/contract.js';
import type { LiveConfig, SessionsConfig } from './settings.js';
import { PolledService, type ServiceContext } from './service.js';
import { Cadence } from './cadence.js';
import { PushCoalescer } from './push.js';
import type { LiveSocket } from './live-socket.js';
import { SessionFeature } from '../sessions/feature.js';
import { LEGACY_SESSION_ENTITIES } from '../sessions/entities.js';
import type { SessionStates } from '../sessions/publish.js';
import type { PlaybackSession } from '../sessions/model.js';

/** Library totals, recently added and server info: every this many idle intervals (10 min at defaults). */
const LIBRARY_EVERY_IDLE_INTERVALS = 5;
/** Pushes within this window share one refresh. */
const PUSH_COALESCE_MS = 1000;

/** What a media server reads besides the sessions: the scan every idle interval, the library less often. */
export type MediaServerPart = 'scan' | 'library';

/** The states every media server publishes: the service's, the sessions' and a `scan` with `running`. */
export type MediaServerStates = ServiceStates & SessionStates & { scan: { running: boolean } };

/**
 * A media server (Jellyfin, Plex): the playback sessions every poll (one request; streaming
 * switches to the fast interval); the scan every idle interval, or every poll while a scan runs;
 * the library every LIBRARY_EVERY_IDLE_INTERVALS idle intervals, right after a scan ends, and
 * when a push (webhook, live channel) says it changed.
 *
 * Pushes force the parts they made stale and share one coalesced refresh, which is a poll run in
 * the scheduler's queue, so it never races a regular poll. With `live` on, the server's socket is
 * opened at start and closed at stop; while it is connected polls run at the idle interval.
 *
 * A server folder supplies the reads (`readSessions`, `readScan`, `readLibrary`), its entities
 * and its socket; this class keeps the schedule, the sessions and the pushes.
 */
export abstract class MediaServerService<S extends MediaServerStates> extends PolledService<LiveConfig & SessionsConfig, S> {
  /** The scan every idle interval, the library every LIBRARY_EVERY_IDLE_INTERVALS; both at once when forced. */
  readonly #cadence: Cadence<MediaServerPart>;
  readonly #push: PushCoalescer;
  protected readonly sessions: SessionFeature;
  #scanRunning = false;
  #socket: LiveSocket | null = null;

  constructor(ctx: ServiceContext<LiveConfig & SessionsConfig, S>) {
    super(ctx);
    // 10 % slack: polls land on the scheduler's jittered interval, not exactly on the period.
    this.#cadence = new Cadence(
      { scan: { every: () => ctx.cfg.idle_interval * 1000 }, library: { every: () => ctx.cfg.idle_interval * LIBRARY_EVERY_IDLE_INTERVALS * 1000 } },
      { slack: 0.1 },
    );
    this.#push = new PushCoalescer(() => this.#pushRefresh(), PUSH_COALESCE_MS);
    // The session counts under the keys and names they had before the session feature.
    this.sessions = new SessionFeature(ctx, { renamed: LEGACY_SESSION_ENTITIES });
    this.setLive(ctx.cfg.live ? 'disconnected' : 'off');
  }

  /** The sessions playing now (one request). */
  protected abstract readSessions(signal: AbortSignal): Promise<PlaybackSession[]>;
  /** The scan's state, to publish on `scan`. */
  protected abstract readScan(signal: AbortSignal): Promise<S['scan']>;
  /** Reads and publishes the library (totals, recently added, server info) and sets `version`. */
  protected abstract readLibrary(signal: AbortSignal): Promise<void>;
  /** The live channel, opened at start when `live` is on. */
  protected abstract openLiveSocket(): LiveSocket;

  /**
   * The sessions' entities (checked against SessionStates), then the server's own
   * (`serviceEntities`) and the status ones: the order they had before the session feature.
   */
  override entities(): EntityDef[] {
    return [...this.sessions.entities(), ...super.entities()];
  }

  protected async poll(signal: AbortSignal): Promise<void> {
    const requestedAt = Date.now();
    this.sessions.snapshot(await this.readSessions(signal), requestedAt);

    if (this.#scanRunning || this.#cadence.due('scan')) {
      const ticket = this.#cadence.begin('scan');
      this.publishScan(await this.readScan(signal), false);
      this.#cadence.done('scan', ticket);
    }

    if (this.#cadence.due('library')) {
      const ticket = this.#cadence.begin('library');
      await this.readLibrary(signal);
      this.#cadence.done('library', ticket);
    }

    this.active = this.sessions.active || this.#scanRunning;
  }

  /**
   * Publishes the scan. One that just ended has changed the library: it is read now, not at the
   * next slow round (`pushed`: the scan came from the socket, so a refresh is started for it).
   */
  protected publishScan(scan: S['scan'], pushed: boolean): void {
    this.ctx.publishState('scan', scan);
    if (this.#scanRunning && !scan.running) {
      this.#cadence.force('library');
      if (pushed) this.pushed();
    }
    this.#scanRunning = scan.running;
  }

  /** A webhook: force the parts it names stale and wait for the coalesced refresh (none for `[]`; every poll reads the sessions). */
  protected async refreshFor(refresh: readonly (MediaServerPart | 'sessions')[]): Promise<void> {
    if (!refresh.length) return;
    for (const part of refresh) if (part !== 'sessions') this.#cadence.force(part);
    await this.#push.trigger();
  }

  /** A live push: force these parts stale and start the coalesced refresh without waiting for it. */
  protected pushed(...parts: MediaServerPart[]): void {
    for (const part of parts) this.#cadence.force(part);
    void this.#push.trigger().catch(() => undefined);
  }

  override async start(): Promise<void> {
    this.sessions.start();
    await super.start();
    if (!this.ctx.cfg.live) return;
    this.#socket = this.openLiveSocket();
    this.#socket.start();
  }

  override async stop(): Promise<void> {
    this.#push.stop();
    await this.#socket?.stop();
    this.#socket = null;
    await this.sessions.stop();
    await super.stop();
  }

  /** Unreachable: nothing it showed can be seen playing any more. */
  protected override onOffline(): void {
    this.sessions.endAll('offline');
  }

  /** The poll is the refresh; a push that landed while a poll was past the forced part gets a second run. */
  async #pushRefresh(): Promise<void> {
    await this.refresh();
    if (this.#cadence.pending('library') || this.#cadence.pending('scan')) await this.refresh();
  }
}
