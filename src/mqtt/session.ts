import type { Config } from '../config/schema.js';
import type { LogHub, Logger } from '../log.js';
import { DiscoveryPublisher } from '../ha/publisher.js';
import { forwardLogs } from './log-forward.js';
import type { EmbeddedBroker } from './broker.js';
import { redactUrl, type MqttConnection } from './connection.js';
import type { Topics } from './contract.js';
import { openMqtt } from './open.js';
import { StateStore } from './state-store.js';
import { ORIGIN } from '../version.js';

/**
 * The MQTT side of a running bridge, opened and closed as one: the embedded broker (or none),
 * the bridge's client with its last will, the retained-state store, log forwarding to
 * `bridge/log`, and the Home Assistant discovery publisher.
 */
export class MqttSession {
  readonly broker: EmbeddedBroker | null;
  readonly conn: MqttConnection;
  readonly state: StateStore;
  readonly discovery: DiscoveryPublisher;
  /** The embedded broker's loopback-only admin credential, for the local CLI; null with an external broker. */
  readonly local: { username: string; password: string } | null;
  readonly #topics: Topics;
  readonly #stopLog: () => void;

  private constructor(parts: { broker: EmbeddedBroker | null; conn: MqttConnection; local: MqttSession['local']; topics: Topics; discovery: DiscoveryPublisher; stopLog: () => void }) {
    this.broker = parts.broker;
    this.conn = parts.conn;
    this.local = parts.local;
    this.#topics = parts.topics;
    this.state = new StateStore((topic, payload, opts) => parts.conn.publish(topic, payload, opts));
    this.discovery = parts.discovery;
    this.#stopLog = parts.stopLog;
  }

  /**
   * Starts the broker (when embedded), connects, and learns which discovery configs an earlier run
   * left retained. `onReconnect` runs after every reconnect (the bridge republishes then).
   */
  static async open(cfg: Config, topics: Topics, logs: LogHub, bridgeInstance: string, onReconnect: () => void): Promise<MqttSession> {
    const log: Logger = logs.child('bridge');
    const { broker, conn, url, local } = await openMqtt(cfg, topics, logs);
    conn.onConnect((reconnect) => {
      if (reconnect) onReconnect();
    });
    await conn.connect();
    log.info(`connected to MQTT broker ${redactUrl(url)}`);
    const stopLog = forwardLogs(logs, cfg.log.mqtt_level, (text) => conn.publish(topics.bridgeLog, text, { qos: 0 }), () => conn.connected);
    const discovery = new DiscoveryPublisher({ topics, origin: ORIGIN, bridgeInstance }, conn, logs.child('discovery'), cfg.homeassistant.enabled);
    // The embedded broker starts empty (aedes keeps retained messages in memory), so only an
    // external broker can hold configs from an earlier run.
    if (!broker) await discovery.scan();
    return new MqttSession({ broker, conn, local, topics, discovery, stopLog });
  }

  /** Marks the bridge offline (retained, before the will would) and closes client and broker. */
  async close(): Promise<void> {
    this.discovery.stop();
    this.state.set(this.#topics.bridgeState, { state: 'offline' });
    this.#stopLog();
    await this.conn.close();
    await this.broker?.close();
  }
}
