import type { BaseServiceConfig } from './settings.js';
import type { Instance, InstanceContext, WebhookRequest } from '../core/instance.js';

export type { WebhookRequest } from '../core/instance.js';
import type { DeviceDef, EntityDef } from '../ha/entity.js';
import type { ServiceStates, StateMap } from '../mqtt/contract.js';
import { UpstreamError, errorMessage } from '../errors.js';
import type { UpstreamHttp } from './http.js';
import { LIVE_STATES, type LiveState } from './live-socket.js';
import { SHARED } from './seerr/lifecycle/names.js';

/**
 * What a service instance gets: the instance context (typed by the service's StateMap `S`), its
 * own config slice and HTTP client.
 */
export interface ServiceContext<C extends BaseServiceConfig = BaseServiceConfig, S extends StateMap = StateMap> extends InstanceContext<S> {
  readonly cfg: C;
  readonly http: UpstreamHttp;
}


/** The diagnostic entities of every service, from its `status` state; `live` for services with a live channel. */
function statusEntities(expireAfter: number, live: boolean): EntityDef<ServiceStates>[] {
  return [
    { key: 'last_poll', platform: 'sensor', name: 'Last successful poll', state: 'status', field: 'last_poll', deviceClass: 'timestamp', entityCategory: 'diagnostic' },
    { key: 'latency', platform: 'sensor', name: 'Response time', state: 'status', field: 'latency_ms', deviceClass: 'duration', unit: 'ms', stateClass: 'measurement', entityCategory: 'diagnostic', expireAfter },
    { key: 'version', platform: 'sensor', name: 'Version', state: 'status', field: 'version', entityCategory: 'diagnostic', icon: 'mdi:tag' },
    ...(live ? [{ key: 'live', platform: 'sensor', name: 'Live updates', state: 'status', field: 'live', deviceClass: 'enum', options: [...LIVE_STATES], entityCategory: 'diagnostic', icon: 'mdi:lan-connect' } satisfies EntityDef<ServiceStates>] : []),
  ];
}

/**
 * A running upstream service of any type, as the launcher, the hub and tests see it: its public
 * surface only (its state map stays with its class).
 */
export interface ServiceInstance extends Instance {
  /** Polls now (the `sync` command, webhooks). */
  refresh(): Promise<void>;
  onWebhook(req: WebhookRequest): Promise<void>;
  /** Failed polls in a row (0 while healthy). */
  readonly failures: number;
}

/**
 * Longest wait between polls of a failing instance: an instance is back within this (plus one
 * poll) of its fault ending, whatever the fault (issue 14, item 13: a doubling backoff capped at
 * 600 s brought Radarr back 145 s after an HTTP 500 spell ended).
 */
export const MAX_BACKOFF_SECONDS = 25;
/** A live channel's activity polls a failing instance at once, at most this often. */
const LIVE_RETRY_MS = 5_000;

/**
 * The common life of an upstream instance: poll on a schedule (fast while something is active,
 * slow when idle, backing off while it fails), availability, last successful poll and latency,
 * one log line per distinct failure (not one per poll), and a webhook hook that refreshes at once.
 * Each service folder extends it with its API calls, state objects and entities.
 */
export abstract class PolledService<C extends BaseServiceConfig, S extends ServiceStates> implements ServiceInstance {
  /** The service type (`sonarr`), as registered in registry.ts. */
  abstract readonly type: string;
  readonly id: string;
  /** Online only once the upstream answered: never before the first successful poll. */
  readonly reportsAvailability = true;
  protected readonly ctx: ServiceContext<C, S>;
  /** Upstream version, from whatever status call the service makes. */
  protected version: string | null = null;
  /** Something is going on upstream (downloads, streams): poll at `interval`, else `idle_interval`. */
  protected active = false;
  #failures = 0;
  #lastError: string | null = null;
  #lastPoll: string | null = null;
  #liveRetryAt = 0;
  /**
   * The live channel (WebSocket, SignalR) of services that have one; null for the others. Not
   * null adds `live` to the status object and the "Live updates" diagnostic entity.
   */
  #live: LiveState | null = null;

  constructor(ctx: ServiceContext<C, S>) {
    this.ctx = ctx;
    this.id = ctx.id;
  }

  protected abstract readonly manufacturer: string;
  protected abstract readonly model: string;
  /** One poll: API calls and publishState; throws UpstreamError on failure. */
  protected abstract poll(signal: AbortSignal): Promise<void>;
  /** The service's own entities, checked against its StateMap. */
  protected abstract serviceEntities(): EntityDef<S>[];

  device(): DeviceDef {
    return {
      instance: this.id,
      name: this.ctx.cfg.name ?? this.id,
      manufacturer: this.manufacturer,
      model: this.model,
      ...(this.version ? { swVersion: this.version } : {}),
      configurationUrl: this.ctx.cfg.url,
      viaBridge: true,
      hasAvailability: true,
    };
  }

  entities(): EntityDef[] {
    return [...this.serviceEntities(), ...statusEntities(this.ctx.cfg.idle_interval * 3, this.#live !== null)];
  }

  /**
   * A poll failed and the instance is offline (called on every failed poll, not when stopping):
   * whatever it was showing can no longer be seen. Services with playback sessions end them
   * here, so nothing stays "playing" on an unreachable server. The base does nothing.
   */
  protected onOffline(): void {}

  protected get live(): LiveState | null {
    return this.#live;
  }

  /**
   * For services with a live channel: set the state once in the constructor (`off` or
   * `disconnected`), then on every change. A change after the first successful poll is
   * published at once (the next poll may be an hour away); before it, the first status carries it.
   */
  protected setLive(state: LiveState): void {
    if (this.#live === state) return;
    this.#live = state;
    if (this.#lastPoll !== null) this.#publishStatus();
  }

  /**
   * Give a live channel's connect/disconnect here (LiveSocket `onState`). While it is connected
   * polls run at `idle_interval` (pushes say when to look); on every change a poll runs at once:
   * after a connect it catches up on what the channel missed while down (and brings availability
   * back), after a drop polling takes over at the normal cadence.
   */
  protected liveChanged(state: 'connected' | 'disconnected'): void {
    this.setLive(state);
    void this.refresh();
  }

  /**
   * Call on every message of a live channel. A channel that delivers while polls fail is proof the
   * upstream is answering again (a fault of its HTTP API ended, or never touched the socket): poll
   * now instead of waiting for the backoff, at most every few seconds.
   */
  protected liveActivity(): void {
    if (this.#failures === 0) return;
    const now = Date.now();
    if (now - this.#liveRetryAt < LIVE_RETRY_MS) return;
    this.#liveRetryAt = now;
    void this.refresh();
  }

  async start(): Promise<void> {
    const timeoutMs = Math.min(120_000, this.ctx.cfg.timeout * 3000);
    this.ctx.scheduler.every('poll', () => this.#interval(), (signal) => this.#run(signal), { timeoutMs });
  }

  async stop(): Promise<void> {
    await this.ctx.http.close();
  }

  refresh(): Promise<void> {
    return this.ctx.scheduler.runNow('poll');
  }

  /** A push from upstream: by default a full refresh now; services narrow it where they can. */
  async onWebhook(_req: WebhookRequest): Promise<void> {
    await this.refresh();
  }

  get failures(): number {
    return this.#failures;
  }

  #interval(): number {
    if (this.#failures > 0) return Math.min(MAX_BACKOFF_SECONDS, this.ctx.cfg.interval * 2 ** Math.min(this.#failures - 1, 6), Math.max(this.ctx.cfg.idle_interval, this.ctx.cfg.interval));
    return this.active && this.#live !== 'connected' ? this.ctx.cfg.interval : this.ctx.cfg.idle_interval;
  }

  #publishStatus(): void {
    const ctx: InstanceContext<ServiceStates> = this.ctx;
    ctx.publishState('status', {
      version: this.version,
      latency_ms: this.ctx.http.lastLatencyMs,
      last_poll: this.#lastPoll,
      requests: this.ctx.http.requests,
      ...(this.#live === null ? {} : { live: this.#live }),
    });
  }

  async #run(signal: AbortSignal): Promise<void> {
    const versionBefore = this.version;
    try {
      await this.poll(signal);
    } catch (err) {
      if (signal.aborted && this.ctx.scheduler.signal.aborted) return; // stopping
      this.#failures++;
      const message = err instanceof UpstreamError ? err.message : `unexpected answer: ${errorMessage(err)}`;
      // One line per distinct failure, not one per poll.
      if (message !== this.#lastError) this.ctx.log.warn(`${message}${this.#failures > 1 ? '' : '; retrying with backoff'}`);
      this.#lastError = message;
      this.active = false;
      this.ctx.setAvailability('offline', message);
      this.ctx.share(SHARED.pollFailed, { failures: this.#failures });
      this.onOffline();
      return;
    }
    if (this.#failures > 0) this.ctx.log.info(`reachable again after ${this.#failures} failed poll(s)`);
    this.#failures = 0;
    this.#lastError = null;
    this.#lastPoll = new Date().toISOString();
    this.#publishStatus();
    this.ctx.setAvailability('online');
    if (versionBefore !== this.version) this.ctx.entitiesChanged(); // sw_version of the device
  }
}
