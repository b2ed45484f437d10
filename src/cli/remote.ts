import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Config } from '../config/schema.js';
import { Topics, type JobPayload } from '../mqtt/contract.js';
import { Media2MqttError } from '../errors.js';

/** How the CLI reaches a running bridge: over MQTT, like every other client. */
export interface RemoteOptions {
  url: string;
  username?: string;
  password?: string;
  base: string;
  timeoutMs: number;
}

/** Where the bridge of this configuration listens; `--broker` overrides it (the demo may move ports). */
export function remoteOptions(cfg: Config, broker?: string, timeoutSeconds = 15): RemoteOptions {
  const embedded = cfg.mqtt.server === 'embedded';
  return {
    url: broker ?? (embedded ? `mqtt://127.0.0.1:${cfg.broker.port}` : cfg.mqtt.server),
    // Loopback clients of the embedded broker without users are admins; otherwise use the bridge's own account.
    username: broker || embedded ? undefined : cfg.mqtt.user,
    password: broker || embedded ? undefined : cfg.mqtt.password,
    base: cfg.mqtt.base_topic,
    timeoutMs: timeoutSeconds * 1000,
  };
}

export class RemoteError extends Media2MqttError {}

async function connect(opts: RemoteOptions): Promise<MqttClient> {
  const { default: mqtt } = await import('mqtt');
  try {
    return await mqtt.connectAsync(opts.url, {
      username: opts.username,
      password: opts.password,
      clientId: `media2mqtt-cli-${randomUUID().slice(0, 8)}`,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
      reconnectPeriod: 0,
    });
  } catch (err) {
    throw new RemoteError('REMOTE_UNREACHABLE', `cannot connect to the MQTT broker at ${opts.url}: ${(err as Error).message}. Is media2mqtt running? Pass --broker mqtt://host:port if it listens elsewhere.`);
  }
}

/** One JSON-RPC call over `<base>/bridge/rpc`; resolves with its result, rejects with its error. */
export async function rpc(opts: RemoteOptions, method: string, params: Record<string, unknown>): Promise<unknown> {
  const topics = new Topics(opts.base);
  const client = await connect(opts);
  try {
    const id = randomUUID();
    const answer = new Promise<{ result?: unknown; error?: { code: number; message: string; data?: { code?: string } } }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new RemoteError('REMOTE_TIMEOUT', `no answer from a media2mqtt bridge on ${opts.url} (base topic "${opts.base}") within ${opts.timeoutMs / 1000} s. Is it running with this base topic?`)),
        opts.timeoutMs,
      );
      client.on('message', (_topic, payload) => {
        try {
          const msg = JSON.parse(payload.toString()) as { id?: unknown };
          if (msg.id !== id) return;
          clearTimeout(timer);
          resolve(msg as never);
        } catch {
          // Someone else's garbage on the shared response topic.
        }
      });
    });
    await client.subscribeAsync(topics.bridgeRpcResponse, { qos: 1 });
    await client.publishAsync(topics.bridgeRpc, JSON.stringify({ jsonrpc: '2.0', id, method, params: [params] }), { qos: 1 });
    const res = await answer;
    if (res.error) throw new RemoteError(res.error.data?.code ?? 'RPC_ERROR', res.error.message);
    return res.result;
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}

/** Calls `handle` with every job as it changes (from `<base>/jobs/+`), until the returned stop is called. */
export async function watchJobs(opts: RemoteOptions, handle: (job: JobPayload) => void): Promise<() => Promise<void>> {
  const topics = new Topics(opts.base);
  const client = await connect(opts);
  client.on('message', (_topic, payload) => {
    if (!payload.length) return; // a pruned job's retained topic being cleared
    try {
      handle(JSON.parse(payload.toString()) as JobPayload);
    } catch {
      // Not a job: ignore.
    }
  });
  await client.subscribeAsync(topics.job('+'), { qos: 1 });
  return async () => void (await client.endAsync(true).catch(() => undefined));
}

const BAR = 24;

/** `[██████░░░░] 60%` — a text progress bar that also reads in a log file. */
export function progressBar(percent: number | null): string {
  if (percent === null) return `[${'·'.repeat(BAR)}]   ?%`;
  const filled = Math.round((percent / 100) * BAR);
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${String(Math.round(percent)).padStart(3)}%`;
}

/** One line per job: id, instance/command, state, progress bar while active, step or error. */
export function formatJob(job: JobPayload): string {
  const active = job.state === 'queued' || job.state === 'running';
  const detail = job.error ? `${job.error.code}: ${job.error.message}` : (job.step ?? '');
  return [job.id.slice(0, 8), `${job.instance}/${job.command}`.padEnd(28), job.state.padEnd(9), active ? progressBar(job.progress) : ''.padEnd(BAR + 7), detail].join('  ').trimEnd();
}
