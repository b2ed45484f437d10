import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';

export interface ConnectionOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  keepalive: number;
  protocolVersion: 4 | 5;
  reconnectMaxSeconds: number;
  will: { topic: string; payload: string };
}

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}

type Handler = (msg: IncomingMessage) => void;

/** Does `topic` match the subscription `filter` (with + and # wildcards, [MQTT-4.7])? */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return !(i === 0 && topic.startsWith('$'));
    if (i >= t.length) return false;
    if (f[i] === '+') {
      if (i === 0 && t[0]!.startsWith('$')) return false;
      continue;
    }
    if (f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * The bridge's MQTT client: last will on the bridge state topic, reconnect with exponential
 * backoff (1 s doubling up to `reconnectMaxSeconds`), subscriptions routed to handlers by filter,
 * and an `onConnect` hook that runs after the first connect and after every reconnect so that
 * the owner can republish retained state.
 */
export class MqttConnection {
  #options: ConnectionOptions;
  #log: Logger;
  #client: MqttClient | null = null;
  #handlers = new Map<string, Set<Handler>>();
  #onConnect: ((reconnect: boolean) => void) | null = null;
  #connectedOnce = false;
  #backoff = 1000;
  #lastError = '';

  constructor(options: ConnectionOptions, log: Logger) {
    this.#options = options;
    this.#log = log;
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  get client(): MqttClient | null {
    return this.#client;
  }

  onConnect(fn: (reconnect: boolean) => void): void {
    this.#onConnect = fn;
  }

  /** Connects; resolves at the first CONNACK, rejects if it does not come before `timeoutMs`. */
  async connect(timeoutMs = 10_000): Promise<void> {
    const o = this.#options;
    const opts: IClientOptions = {
      clientId: o.clientId,
      username: o.username,
      password: o.password,
      keepalive: o.keepalive,
      protocolVersion: o.protocolVersion,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: Math.min(timeoutMs, 30_000),
      // Stale state must not be flushed after an outage; retained state is republished instead.
      queueQoSZero: false,
      resubscribe: true,
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
      rejectUnauthorized: o.rejectUnauthorized ?? true,
      ca: o.ca ? readFileSync(o.ca) : undefined,
      cert: o.cert ? readFileSync(o.cert) : undefined,
      key: o.key ? readFileSync(o.key) : undefined,
    };
    const client = mqtt.connect(o.url, opts);
    this.#client = client;

    client.on('message', (topic, payload, packet) => this.#dispatch({ topic, payload, packet }));
    client.on('connect', () => {
      // See the broker: without this every QoS 1 answer waits for a delayed ACK (~40 ms).
      (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
      const reconnect = this.#connectedOnce;
      this.#connectedOnce = true;
      this.#backoff = 1000;
      client.options.reconnectPeriod = 1000;
      this.#lastError = '';
      if (reconnect) this.#log.info('reconnected to the MQTT broker');
      this.#onConnect?.(reconnect);
    });
    client.on('close', () => {
      if (!this.#connectedOnce) return;
      // Exponential backoff: mqtt.js reads reconnectPeriod at every attempt.
      client.options.reconnectPeriod = this.#backoff;
      this.#backoff = Math.min(this.#backoff * 2, o.reconnectMaxSeconds * 1000);
    });
    client.on('offline', () => this.#log.warn('MQTT broker connection lost; reconnecting'));
    client.on('error', (err) => {
      const msg = errorMessage(err);
      // Log a repeating failure once, not at every reconnect attempt.
      if (msg !== this.#lastError) this.#log.error(`MQTT: ${msg}`);
      this.#lastError = msg;
    });

    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`could not connect to the MQTT broker at ${redactUrl(o.url)} within ${timeoutMs / 1000} s${this.#lastError ? `: ${this.#lastError}` : ''}`));
      }, timeoutMs);
      const onConnect = () => {
        cleanup();
        resolvePromise();
      };
      const onError = (err: Error & { code?: number | string }) => {
        // Refused credentials will not get better by retrying.
        if (err.code === 4 || err.code === 5 || err.code === 134 || err.code === 135) {
          cleanup();
          reject(new Error(`the MQTT broker at ${redactUrl(o.url)} refused the connection: ${errorMessage(err)}`));
        }
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off('connect', onConnect);
        client.off('error', onError);
      };
      client.on('connect', onConnect);
      client.on('error', onError);
    }).catch(async (err: unknown) => {
      await this.close();
      throw err;
    });
  }

  publish(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1; properties?: mqtt.IClientPublishOptions['properties'] } = {}): void {
    const client = this.#client;
    if (!client) return;
    client.publish(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false, properties: options.properties }, (err) => {
      if (err && !client.disconnecting) this.#log.debug(`publish to ${topic} failed: ${errorMessage(err)}`);
    });
  }

  /** Publishes and resolves once the broker acknowledged (QoS 1) or the packet was written (QoS 0). */
  publishAsync(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    const client = this.#client;
    if (!client) return Promise.resolve();
    return client.publishAsync(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false }).then(() => undefined);
  }

  async subscribe(filter: string, handler: Handler): Promise<() => Promise<void>> {
    let set = this.#handlers.get(filter);
    const fresh = !set;
    if (!set) {
      set = new Set();
      this.#handlers.set(filter, set);
    }
    // Register before subscribing: retained messages can arrive in the same read as the SUBACK,
    // before the subscribe promise resolves.
    set.add(handler);
    if (fresh) await this.#client?.subscribeAsync(filter, { qos: 1 });
    return async () => {
      const s = this.#handlers.get(filter);
      if (!s) return;
      s.delete(handler);
      if (s.size === 0) {
        this.#handlers.delete(filter);
        if (this.#client?.connected) await this.#client.unsubscribeAsync(filter).catch(() => undefined);
      }
    };
  }

  #dispatch(msg: IncomingMessage): void {
    for (const [filter, handlers] of this.#handlers) {
      if (!topicMatches(filter, msg.topic)) continue;
      for (const h of handlers) {
        try {
          h(msg);
        } catch (err) {
          this.#log.error(`handler for ${msg.topic} failed: ${errorMessage(err)}`);
        }
      }
    }
  }

  /** Flushes in-flight QoS 1 messages and disconnects cleanly (no last will). */
  async close(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#client = null;
    await new Promise<void>((resolvePromise) => {
      const timer = setTimeout(() => {
        client.end(true);
        resolvePromise();
      }, 2000);
      client.end(false, {}, () => {
        clearTimeout(timer);
        resolvePromise();
      });
    });
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@\s]+):[^@\s]*@/, '//$1:***@');
}
