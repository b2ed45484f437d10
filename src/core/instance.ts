import type { Logger } from '../log.js';
import type { BridgeEventType, Topics, OnlineState, StateMap, StateName } from '../mqtt/contract.js';
import type { DeviceDef, EntityDef } from '../ha/entity.js';
import type { Scheduler } from './scheduler.js';
import type { InstanceStorage } from '../store/db.js';


/**
 * Everything an instance (the host, the bridge, each upstream service) may use, in one object.
 * Instances never see the MQTT client, the broker or the discovery engine directly.
 *
 * `S` is the instance's own contract (see StateMap): every topic it publishes under
 * `<base>/<id>/`, with its payload type. The default accepts any name, for code that handles every
 * instance alike (the hub, tests).
 */
export interface InstanceContext<S extends StateMap = StateMap> {
  readonly id: string;
  readonly topics: Topics;
  readonly log: Logger;
  readonly scheduler: Scheduler;
  /** Publish a retained JSON state object on `<base>/<id>/<name>`; only sent when it changed. */
  publishState<K extends StateName<S>>(name: K, payload: S[K]): void;
  /**
   * Publish a NOT retained JSON message on `<base>/<id>/<name>`: events (HA event entities,
   * Node-RED). HA's event entity ignores a retained replay (mqtt/event.py), and every client that
   * connects later would receive a stale event as if it just happened.
   */
  publishEvent<K extends StateName<S>>(name: K, payload: S[K]): void;
  /** Remove a retained state topic (e.g. an interface that disappeared). */
  clearState(name: StateName<S>): void;
  /** Instance availability; `error` (credentials removed) shows in bridge/info. */
  setAvailability(state: OnlineState, error?: string | null): void;
  /** A non-retained event on `<base>/bridge/event`. */
  emitEvent(type: BridgeEventType, data: Record<string, unknown>): void;
  /** The entity list changed (a disk appeared, a user started watching): republish this device. */
  entitiesChanged(): void;
  /** Data that survives a restart (lowdb), private to this instance. */
  readonly storage: InstanceStorage;
  /** The other running instances and what they share (features join services through it). */
  readonly peers: Peers;
  /** Share an in-process observation (raw upstream records a feature joins on); never published on MQTT. */
  share(name: string, data: unknown): void;
}

/** A webhook as received on `POST /api/webhook/<instance>` (already authenticated). */
export interface WebhookRequest {
  contentType: string;
  body: Buffer;
  /** The body parsed as JSON when it is JSON; Plex sends multipart, see its folder. */
  json: unknown;
}

export interface Instance {
  readonly id: string;
  readonly type: string;
  device(): DeviceDef;
  entities(): EntityDef[];
  /** Start polling / listening. Constructors only assign; I/O begins here. */
  start(): Promise<void>;
  /** Undo everything start() did: timers, sockets, workers. */
  stop(): Promise<void>;
  /**
   * true when the instance sets its own availability from its upstream (services: online after
   * the first successful poll). Others (the host) are online as soon as they started.
   */
  readonly reportsAvailability?: boolean;
  /** Poll everything now (the `sync` command, Resync button). */
  refresh?(): Promise<void>;
  /** A push from upstream; instances without one answer 404 on their webhook path. */
  onWebhook?(req: WebhookRequest): Promise<void>;
}

/** Who shared an observation. */
export interface PeerRef {
  id: string;
  type: string;
}

export type PeerWatcher = (from: PeerRef, data: unknown) => void;

/** What an instance sees of the others (read side of the directory). */
export interface Peers {
  /** A running instance by id (service classes expose typed methods: narrow with a type guard). */
  get(id: string): Instance | undefined;
  /** Every running instance (bridge, host, services, features). */
  all(): Instance[];
  /**
   * Observations other instances share in-process (`ctx.share`) and every state they publish
   * (`ctx.publishState`), by name. The callback runs at once for the latest value of each
   * matching instance (when there is one), then for every new one. Returns an unsubscribe function.
   */
  watch(name: string, cb: PeerWatcher, filter?: { id?: string; type?: string }): () => void;
}
