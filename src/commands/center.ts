import { CommandError } from '../errors.js';
import type { CommandsConfig } from './config.js';
import type { Instance } from '../core/instance.js';
import type { EntityDef } from '../ha/entity.js';
import { itemButton, numberEntity } from '../ha/platforms.js';
import { JobManager } from '../jobs/jobs.js';
import type { LogHub } from '../log.js';
import type { AuditRecord, BridgeEventType, Topics } from '../mqtt/contract.js';
import type { MqttConnection } from '../mqtt/connection.js';
import type { Store } from '../store/db.js';
import { bridgeCommands } from './bridge.js';
import { MqttCommandTransport, commandSource } from './mqtt-transport.js';
import type { EmbeddedBroker } from '../mqtt/broker.js';
import { reconcileRetainedJobs } from '../jobs/reconcile.js';
import { CommandRegistry, type AnyCommandDef, type CommandDef } from './registry.js';
import { MqttRpcTransport } from '../rpc/mqtt.js';

/** What the command side needs from the app. */
export interface CommandCenterDeps {
  config: CommandsConfig;
  topics: Topics;
  logs: LogHub;
  store: Store;
  resolve: (instance: string) => Instance | undefined;
  /** Retained state topics (jobs). */
  setRetained: (topic: string, payload: Record<string, unknown>) => void;
  clearRetained: (topic: string) => void;
  /** `<base>/bridge/event`. */
  event: (type: BridgeEventType, data: Record<string, unknown>, instance?: string) => void;
}

/**
 * Everything on the command side in one place: the registry, the jobs, the audit trail and the
 * transports that reach `dispatch()` (MQTT topics and JSON-RPC over MQTT; HTTP JSON-RPC is a route
 * of the app's HTTP server that calls `rpc`).
 */
export class CommandCenter {
  readonly registry: CommandRegistry;
  readonly jobs: JobManager;
  readonly #deps: CommandCenterDeps;
  #transports: { start(): Promise<void>; stop(): Promise<void> }[] = [];
  #stopping = new AbortController();
  #open!: () => void;
  /** Resolved by open(): commands that arrive while instances are still starting wait for it. */
  readonly #ready = new Promise<void>((resolve) => (this.#open = resolve));

  constructor(deps: CommandCenterDeps) {
    this.#deps = deps;
    const log = deps.logs.child('commands');
    this.jobs = new JobManager(
      {
        publishJob: (job) => deps.setRetained(deps.topics.job(job.id), { ...job }),
        clearJob: (id) => deps.clearRetained(deps.topics.job(id)),
        publishSummary: (summary) => deps.setRetained(deps.topics.bridgeJobs, { ...summary }),
        save: (jobs) => deps.store.update((d) => void (d.jobs = jobs)),
      },
      log,
      deps.config.jobs_kept,
    );
    this.registry = new CommandRegistry({ log, config: deps.config, resolve: deps.resolve, jobs: this.jobs, audit: (r) => this.#audit(r), stopSignal: this.#stopping.signal });
    for (const def of bridgeCommands) this.registry.register(def);
  }

  /** Registers a service type's commands once, however many instances of it run. */
  registerAll(defs: readonly AnyCommandDef[] | undefined): void {
    for (const def of defs ?? []) if (!this.registry.has(def.scope, def.name)) this.registry.register(def as unknown as CommandDef);
  }

  /** Jobs from the last run: running ones are marked failed. */
  restore(): void {
    this.jobs.restore(this.#deps.store.data.jobs);
  }

  /**
   * Subscribes the MQTT transports (commands arriving now wait until open()) and clears retained
   * job topics that the data file does not know (restore() first).
   */
  async start(conn: MqttConnection, broker: Pick<EmbeddedBroker, 'commands'> | null): Promise<void> {
    const log = this.#deps.logs.child('commands');
    const source = commandSource(conn, broker);
    this.#transports = [
      new MqttCommandTransport(conn, source, this.#deps.topics, this.registry, log, this.#ready),
      new MqttRpcTransport(conn, source, this.#deps.topics, this.registry, this.#deps.logs.child('rpc'), this.#ready),
    ];
    for (const t of this.#transports) await t.start();
    // The embedded broker starts empty with the process: nothing retained can be stale there. In the
    // background: start-up does not wait for the broker's retained messages to settle.
    if (!broker) void reconcileRetainedJobs(conn, this.#deps.topics, this.jobs, log).catch((err: unknown) => log.warn(`cannot reconcile retained job topics: ${String(err)}`));
  }

  /** Every instance is routable: run the commands that waited, and those that come. */
  open(): void {
    this.#open();
  }

  async stop(): Promise<void> {
    this.#stopping.abort(new CommandError('STOPPING', 'media2mqtt is stopping'));
    for (const t of this.#transports) await t.stop().catch(() => undefined);
    await this.jobs.stop();
  }

  /** HA buttons and switches for an instance's commands (those the configuration allows). */
  entities(instance: string): EntityDef[] {
    return this.registry.controls(instance).flatMap(({ command, control }): EntityDef[] => {
      if (control.platform === 'button') {
        return [{ key: `cmd_${command}`, platform: 'button', name: control.name, command, payloadPress: JSON.stringify(control.payload ?? {}), icon: control.icon }];
      }
      if (control.platform === 'buttons') {
        const target = this.#deps.resolve(instance);
        return (target ? control.items(target) : []).map((i) =>
          itemButton({ key: `cmd_${command}_${i.key}`, name: i.name, command, payload: i.payload, deviceClass: control.deviceClass, icon: control.icon }),
        );
      }
      if (control.platform === 'number') {
        const { platform: _, ...o } = control;
        return [numberEntity({ ...o, key: `cmd_${command}`, command })];
      }
      return [{
        key: `cmd_${command}`,
        platform: 'switch',
        name: control.name,
        command,
        state: control.state,
        valueTemplate: `{{ 'ON' if value_json.${control.field} else 'OFF' }}`,
        icon: control.icon,
        extra: { payload_on: JSON.stringify({ [control.param]: true }), payload_off: JSON.stringify({ [control.param]: false }), state_on: 'ON', state_off: 'OFF' },
      }];
    });
  }

  #audit(record: AuditRecord): void {
    const keep = this.#deps.config.audit_kept;
    if (keep > 0) {
      this.#deps.store.updateSoon((d) => {
        d.audit.push(record);
        if (d.audit.length > keep) d.audit.splice(0, d.audit.length - keep);
      });
    }
    // The event is public (any viewer reads it): other clients' ids stay out of it (issue 14, item 4),
    // the data file's audit trail keeps them.
    const { client: _client, ...published } = record;
    this.#deps.event('command', { ...published }, record.instance);
  }
}
