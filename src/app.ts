import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Config, ServiceType } from './config/schema.js';
import type { LoadedConfig } from './config/load.js';
import type { LogHub, Logger } from './log.js';
import { Topics, type BridgeInfoPayload } from './mqtt/contract.js';
import { MqttSession } from './mqtt/session.js';
import type { EmbeddedBroker } from './mqtt/broker.js';
import { CommandCenter } from './commands/center.js';
import type { CommandRegistry } from './commands/registry.js';
import { hostCommands } from './host/commands.js';
import { InstanceHub } from './core/hub.js';
import type { Instance } from './core/instance.js';
import { BridgeInstance, BRIDGE_ID } from './bridge/bridge.js';
import { buildHealth, buildInfo, type BridgeSnapshot, type HealthPayload } from './bridge/status.js';
import { HostInstance } from './host/host.js';
import type { HttpServer } from './http/server.js';
import { startHttp } from './http/routes.js';
import { metricsSnapshot, type MetricsSnapshot } from './http/metrics.js';
import { BirthDebounce } from './ha/birth.js';
import { Store } from './store/db.js';
import type { ServiceModule } from './services/module.js';
import { VERSION } from './version.js';

export interface AppOptions {
  logs: LogHub;
  /** Service types this app can run; the registry by default (tests pass their own). */
  modules?: Partial<Record<ServiceType, ServiceModule>>;
}

/**
 * The composition root: builds every part in order, starts them, and stops them in reverse.
 * Constructors only assign; all I/O begins in start(). What each part does lives in its module:
 * the instance sink in core/hub.ts, bridge info in bridge/, HTTP routes in http/.
 */
export class App {
  readonly config: Config;
  readonly topics: Topics;
  #loaded: LoadedConfig;
  #logs: LogHub;
  #log: Logger;
  #store: Store;
  #mqtt: MqttSession | null = null;
  #commands: CommandCenter;
  #hub: InstanceHub;
  #http: HttpServer | null = null;
  #bridge: BridgeInstance | null = null;
  #startedAt = new Date();
  #birth: BirthDebounce;
  #stopping = false;
  #resyncs = 0;
  #loopDelay: IntervalHistogram | null = null;
  #modules: Partial<Record<ServiceType, ServiceModule>> | undefined;

  constructor(loaded: LoadedConfig, options: AppOptions) {
    this.#loaded = loaded;
    this.config = loaded.config;
    this.#logs = options.logs;
    this.#log = options.logs.child('bridge');
    this.#modules = options.modules;
    this.topics = new Topics(this.config.mqtt.base_topic, this.config.homeassistant.discovery_topic, this.config.homeassistant.status_topic);
    this.#store = new Store(this.config.store.data_dir, options.logs.child('store'));
    this.#commands = new CommandCenter({
      config: this.config.commands,
      topics: this.topics,
      logs: options.logs,
      store: this.#store,
      resolve: (id) => this.#hub.get(id)?.instance,
      setRetained: (topic, payload) => this.#mqtt?.state.set(topic, payload),
      clearRetained: (topic) => this.#mqtt?.state.clear(topic),
      event: (type, data, instance) => this.#hub.event(type, data, instance),
    });
    this.#birth = new BirthDebounce(this.config.homeassistant.birth_delay, () => this.resync('Home Assistant came online'));
    this.#hub = new InstanceHub({
      topics: this.topics,
      logs: options.logs,
      store: this.#store,
      bridgeId: BRIDGE_ID,
      state: () => this.#mqtt?.state ?? null,
      discovery: () => this.#mqtt?.discovery ?? null,
      publish: (topic, payload) => this.#mqtt?.conn.publish(topic, payload, { qos: 1 }),
      commandEntities: (id) => this.#commands.entities(id),
      routable: (id, type) => this.#commands.registry.setInstance(id, type),
      statusChanged: () => this.#bridge?.publishInfo(),
    });
  }

  get brokerListeners(): EmbeddedBroker['listeners'] | null {
    return this.#mqtt?.broker?.listeners ?? null;
  }
  get httpPort(): number | undefined {
    return this.#http?.port;
  }
  get commands(): CommandRegistry {
    return this.#commands.registry;
  }
  get jobs(): CommandCenter['jobs'] {
    return this.#commands.jobs;
  }
  get discoveryCount(): number {
    return this.#mqtt?.discovery.publishCount ?? 0;
  }
  get resyncCount(): number {
    return this.#resyncs;
  }
  /** The embedded broker's loopback-only admin credential (new at every start), for the local CLI; null with an external broker. */
  get localCredential(): { username: string; password: string } | null {
    return this.#mqtt?.local ?? null;
  }
  /** A running instance by id (commands, tests). */
  instance(id: string): Instance | undefined {
    return this.#hub.get(id)?.instance;
  }

  async start(): Promise<void> {
    const cfg = this.config;
    this.#logs.addSecrets(this.#loaded.secrets);
    this.#loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.#loopDelay.enable();
    this.#log.info(`media2mqtt ${VERSION} starting${this.#loaded.file ? ` with ${this.#loaded.file}` : ' with built-in defaults'}`);
    if (!(await this.#store.openForRun())) this.#log.warn('the previous run did not shut down cleanly');

    // 1-2. Broker, the bridge's client (last will on bridge/state), log forwarding, and the
    // discovery configs an earlier run left (learnt before anything is published).
    const mqtt = await MqttSession.open(cfg, this.topics, this.#logs, BRIDGE_ID, () => this.resync('reconnect'));
    this.#mqtt = mqtt;
    const { broker, conn } = mqtt;

    // 3. Commands and jobs, then instances (bridge first: every other device names it as via_device).
    this.#commands.restore();
    await this.#commands.start(conn, broker);
    const bridgeCtx = this.#hub.context(BRIDGE_ID, 'bridge');
    this.#bridge = new BridgeInstance(bridgeCtx, () => this.info(), {
      resync: (reason) => this.resync(reason),
      setLogLevel: (level) => {
        this.#logs.setLevel(level);
        this.#log.info(`log level set to ${level}`);
        this.#bridge?.publishInfo();
      },
      sync: (id) => this.#hub.sync(id),
      health: () => this.health(),
      jobs: this.#commands.jobs,
    });
    await this.#hub.start(this.#bridge, bridgeCtx);
    if (cfg.system.enabled) {
      const ctx = this.#hub.context(cfg.system.id, 'system');
      // restart_container exists only where the operator enabled the Docker socket.
      if (cfg.system.docker.enabled) this.#commands.registerAll(hostCommands);
      await this.#hub.start(new HostInstance(ctx, cfg.system), ctx);
    }
    await this.#startInstances();
    mqtt.discovery.removeStale();
    // Online only once every instance is routable; commands that arrived meanwhile run now.
    this.#commands.open();
    mqtt.state.set(this.topics.bridgeState, { state: 'online' });

    // 4. Republish on Home Assistant's birth message.
    if (cfg.homeassistant.enabled) {
      await conn.subscribe(this.topics.haStatus, (msg) => {
        if (msg.payload.toString().trim() === 'online') this.#birth.online();
      });
    }

    // 5. HTTP: health, webhooks, JSON-RPC, metrics.
    if (cfg.http.enabled) {
      this.#http = await startHttp({
        cfg: cfg.http,
        logs: this.#logs,
        health: () => this.health(),
        webhook: (id) => this.#hub.webhookHandler(id),
        registry: this.#commands.registry,
        metrics: () => this.#metricsSnapshot(),
      });
    }

    this.#bridge.publishInfo(true);
    this.#hub.event('bridge_started', { version: VERSION });
    // Report the event loop as it runs, not the one-off work of starting up.
    this.#loopDelay.reset();
    this.#log.info(`media2mqtt is running: base topic ${cfg.mqtt.base_topic}, ${this.#hub.running().length} instance(s)`);
  }

  /** Republishes discovery and every retained state (Resync button, HA birth, reconnect). */
  resync(reason: string): { discovery: number; states: number } {
    this.#resyncs++;
    const discovery = this.#mqtt?.discovery.republishAll() ?? 0;
    const states = this.#mqtt?.state.republishAll() ?? 0;
    this.#log.info(`republished ${discovery} device config(s) and ${states} state topic(s) (${reason})`);
    return { discovery, states };
  }

  info(): BridgeInfoPayload {
    return buildInfo(this.#snapshot());
  }

  health(): HealthPayload {
    return buildHealth(this.#snapshot());
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#log.info('stopping');
    this.#birth.stop();
    this.#hub.event('bridge_stopping', {});
    await this.#http?.stop().catch(() => undefined);
    await this.#commands.stop().catch(() => undefined);
    await this.#hub.stopAll();
    await this.#mqtt?.close();
    this.#loopDelay?.disable();
    await this.#store.closeForRun().catch((err: unknown) => this.#log.warn(`cannot write the data file: ${String(err)}`));
    this.#log.info('stopped');
  }

  /**
   * Services, then features (missing volumes, packaging: they read the services through peers).
   * Each loads its code only when configured: a host-only bridge stays small.
   */
  async #startInstances(): Promise<void> {
    const { loadInstances } = await import('./instances.js');
    for (const { module, instance, ctx } of await loadInstances(this.config, (id, type) => this.#hub.context(id, type), this.#modules, this.#log)) {
      this.#commands.registerAll(module.commands);
      await this.#hub.start(instance, ctx);
    }
  }

  #snapshot(): BridgeSnapshot {
    const broker = this.#mqtt?.broker;
    return {
      config: this.config,
      startedAt: this.#startedAt,
      logLevel: this.#logs.level,
      broker: broker ? { listeners: { ...broker.listeners }, clients: broker.clientCount } : null,
      mqttConnected: this.#mqtt?.conn.connected ?? false,
      services: this.#hub.statuses(),
    };
  }

  #metricsSnapshot(): MetricsSnapshot {
    const snap = this.#snapshot();
    return metricsSnapshot({
      ...snap,
      brokerClients: snap.broker?.clients,
      state: this.#mqtt?.state ?? null,
      discoveryPublished: this.discoveryCount,
      loop: this.#loopDelay,
      base: this.topics.base,
    });
  }
}
