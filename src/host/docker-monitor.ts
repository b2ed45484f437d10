import type { InstanceContext } from '../core/instance.js';
import { errorMessage } from '../errors.js';
import { DockerClient } from './docker.js';
import { HostState, type HostStates } from './entities.js';
import { slugify, syncNames } from './names.js';

/**
 * Container states for the Host device: `<base>/<id>/docker` and one entity per container.
 * While the socket is unreachable nothing is published and the error is logged once per outage.
 */
export class DockerMonitor {
  #ctx: InstanceContext<HostStates>;
  #client: DockerClient;
  /** container name → slug (entity keys). */
  #containers = new Map<string, string>();
  #error: string | null = null;

  constructor(ctx: InstanceContext<HostStates>, socketPath: string) {
    this.#ctx = ctx;
    this.#client = new DockerClient(socketPath);
  }

  get containers(): { name: string; slug: string }[] {
    return [...this.#containers].map(([name, slug]) => ({ name, slug }));
  }

  async poll(signal: AbortSignal): Promise<void> {
    let list;
    try {
      list = await this.#client.listContainers(signal);
    } catch (err) {
      if (signal.aborted) return;
      const message = errorMessage(err);
      if (this.#error === null) this.#ctx.log.warn(`Docker containers are not published: ${message}`);
      this.#error = message;
      return;
    }
    if (this.#error !== null) this.#ctx.log.info('Docker is reachable again');
    this.#error = null;
    const containers: Record<string, string> = {};
    for (const c of list) containers[c.name] = c.state;
    const running = list.filter((c) => c.state === 'running').length;
    this.#ctx.publishState(HostState.docker, { running, stopped: list.length - running, total: list.length, containers });
    const { added, removed } = syncNames(this.#containers, Object.keys(containers), slugify);
    if (added.length || removed.length) this.#ctx.entitiesChanged();
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
