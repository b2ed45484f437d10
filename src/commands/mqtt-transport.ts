import type { Role } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { MqttConnection, IncomingMessage } from '../mqtt/connection.js';
import type { Topics, CommandResponse } from '../mqtt/contract.js';
import type { CommandRegistry } from './registry.js';

/** Who published a message, when the embedded broker saw it arrive (an external broker does not say). */
export interface Publisher {
  clientId: string;
  user?: string;
  role: Role;
}
export type PublisherLookup = (topic: string) => Publisher | undefined;

/**
 * Commands over MQTT: `<base>/<instance>/set/<command>` in, the envelope out on
 * `<base>/<instance>/response/<command>` and, when the request carries an MQTT 5 response topic,
 * there too with the same correlation data (so `mosquitto_rr` works).
 */
export class MqttCommandTransport {
  #conn: MqttConnection;
  #topics: Topics;
  #registry: CommandRegistry;
  #log: Logger;
  #publishers: PublisherLookup | null;
  #unsubscribe: (() => Promise<void>) | null = null;

  constructor(conn: MqttConnection, topics: Topics, registry: CommandRegistry, log: Logger, publishers: PublisherLookup | null = null) {
    this.#conn = conn;
    this.#topics = topics;
    this.#registry = registry;
    this.#log = log;
    this.#publishers = publishers;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#conn.subscribe(this.#topics.commandWildcard, (msg) => void this.#handle(msg));
  }

  async stop(): Promise<void> {
    await this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  async #handle(msg: IncomingMessage): Promise<void> {
    const target = this.#topics.parseCommand(msg.topic);
    if (!target) return;
    // Taken before anything else, so the per-topic attribution queue stays in step with deliveries.
    const who = this.#publishers?.(msg.topic);
    // A retained command would run again at every reconnect; refuse it ([MQTT-3.3.1-5] delivers retained messages on subscribe).
    if (msg.packet.retain) {
      this.#log.warn(`ignoring retained command on ${msg.topic}; publish commands without the retain flag`);
      return;
    }
    const props = msg.packet.properties;
    const response: CommandResponse = await this.#registry.dispatch(target.instance, target.command, msg.payload, {
      transport: 'mqtt',
      ...(who ? { clientId: who.clientId, user: who.user, role: who.role } : {}),
    });
    const body = JSON.stringify(response);
    this.#conn.publish(this.#topics.commandResponse(target.instance, target.command), body, { qos: 1 });
    if (props?.responseTopic) {
      this.#conn.publish(props.responseTopic, body, {
        qos: 1,
        properties: props.correlationData ? { correlationData: props.correlationData } : undefined,
      });
    }
  }
}
