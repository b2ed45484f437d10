import mqtt, { type MqttClient, type IClientOptions } from 'mqtt';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A real MQTT.js subscriber that records what arrives, with event-driven waits (no fixed sleeps). */
export class Collector {
  readonly client: MqttClient;
  readonly messages: Received[] = [];
  #waiters: { pred: () => boolean; resolve: () => void }[] = [];

  private constructor(client: MqttClient) {
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString(), retain: packet.retain });
      this.#check();
    });
  }

  static async connect(url: string, topics: string[], options: IClientOptions = {}): Promise<Collector> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 200, connectTimeout: 5000, ...options });
    const c = new Collector(client);
    if (topics.length) await client.subscribeAsync(topics, { qos: 1 });
    return c;
  }

  /** Last payload per topic (retained view), parsed as JSON when possible. */
  latest(topic: string): unknown {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (m.topic === topic) {
        try {
          return JSON.parse(m.payload);
        } catch {
          return m.payload;
        }
      }
    }
    return undefined;
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  /** Resolves when pred() holds; rejects with `what` after timeoutMs. */
  waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for ${what}; got topics: ${[...new Set(this.messages.map((m) => m.topic))].slice(-30).join(', ')}`));
      }, timeoutMs);
      this.#waiters.push(w);
    });
  }

  waitForTopic(topic: string, pred: (payload: unknown) => boolean = () => true, timeoutMs?: number): Promise<unknown> {
    const test = () => {
      const v = this.latest(topic);
      return v !== undefined && pred(v);
    };
    return this.waitFor(test, `${topic}`, timeoutMs).then(() => this.latest(topic));
  }

  clear(): void {
    this.messages.length = 0;
  }

  #check(): void {
    for (const w of [...this.#waiters]) {
      if (w.pred()) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Publishes and waits for the answer on `<base>/<instance>/response/<command>`. */
export async function request(url: string, base: string, instance: string, command: string, payload: string, options: IClientOptions = {}): Promise<Record<string, unknown>> {
  const c = await Collector.connect(url, [`${base}/${instance}/response/${command}`], options);
  try {
    await c.client.publishAsync(`${base}/${instance}/set/${command}`, payload, { qos: 1 });
    const topic = `${base}/${instance}/response/${command}`;
    await c.waitFor(() => c.on(topic).length > 0, `response on ${topic}`);
    return JSON.parse(c.on(topic)[0]!.payload) as Record<string, unknown>;
  } finally {
    await c.close();
  }
}
