import { Agent, request } from 'undici';
import { UpstreamError } from '../errors.js';

/**
 * A minimal Docker Engine API client over the unix socket: list containers, restart one.
 * Endpoints and payloads follow the Engine API reference (ContainerList, ContainerRestart); the
 * unversioned paths are answered by the daemon's current API version.
 */

export interface ContainerSummary {
  id: string;
  /** Without Docker's leading slash. */
  name: string;
  image: string;
  /** created | restarting | running | removing | paused | exited | dead */
  state: string;
  /** Human text, e.g. "Up 2 hours". */
  status: string;
}

interface EngineContainer {
  Id?: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Status?: string;
}

const CONNECT_TIMEOUT_MS = 2_000;
const LIST_TIMEOUT_MS = 5_000;
// A restart stops the container first (10 s grace by default), so its answer can take a while.
const RESTART_TIMEOUT_MS = 30_000;

export class DockerClient {
  readonly socketPath: string;
  #agent: Agent;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
    // Polls are 30 s apart: do not keep an idle connection open between them.
    this.#agent = new Agent({ connect: { socketPath, timeout: CONNECT_TIMEOUT_MS }, keepAliveTimeout: 1_000, keepAliveMaxTimeout: 1_000 });
  }

  async listContainers(signal?: AbortSignal): Promise<ContainerSummary[]> {
    const body = await this.#call('GET', '/containers/json?all=true', 200, LIST_TIMEOUT_MS, signal);
    if (!Array.isArray(body)) throw new UpstreamError('docker', 'Docker answered /containers/json with something else than a list');
    return (body as EngineContainer[]).map(toSummary).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Restarts a container by name or id (the Engine API accepts both). */
  async restartContainer(nameOrId: string, signal?: AbortSignal): Promise<void> {
    await this.#call('POST', `/containers/${encodeURIComponent(nameOrId)}/restart`, 204, RESTART_TIMEOUT_MS, signal);
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #call(method: 'GET' | 'POST', path: string, expected: number, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
    const deadline = AbortSignal.timeout(timeoutMs);
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(`http://docker${path}`, {
        method,
        dispatcher: this.#agent,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        headersTimeout: timeoutMs,
        bodyTimeout: LIST_TIMEOUT_MS,
      });
    } catch (err) {
      throw new UpstreamError('docker', `Docker is not reachable at ${this.socketPath}: ${describe(err)}`, { cause: err, code: 'UNREACHABLE' });
    }
    if (res.statusCode !== expected) {
      // The Engine API explains errors as {"message": "..."}; read it, and always consume the body.
      const text = await res.body.text().catch(() => '');
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // Not JSON: keep the text.
      }
      throw new UpstreamError('docker', `Docker answered ${res.statusCode} to ${method} ${path.split('?')[0]}: ${message.slice(0, 200)}`, {
        status: res.statusCode,
        code: res.statusCode === 404 ? 'NOT_FOUND' : 'UPSTREAM',
      });
    }
    if (expected === 204) {
      await res.body.dump();
      return undefined;
    }
    return res.body.json();
  }
}

/** One-shot restart for the command handler; opens and closes its own connection. */
export async function restartContainer(socket: string, name: string, signal?: AbortSignal): Promise<void> {
  const client = new DockerClient(socket);
  try {
    await client.restartContainer(name, signal);
  } finally {
    await client.close();
  }
}

function toSummary(c: EngineContainer): ContainerSummary {
  // Legacy links add names like "/web/db"; the container's own name is the one without a second slash.
  const names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  const name = names.find((n) => !n.includes('/')) ?? names[0] ?? (c.Id ?? '').slice(0, 12);
  return { id: c.Id ?? '', name, image: c.Image ?? '', state: c.State ?? 'unknown', status: c.Status ?? '' };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: string }).code;
    return code && !err.message.includes(code) ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}
