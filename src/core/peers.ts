import type { Instance, PeerRef, PeerWatcher, Peers } from './instance.js';

export type { PeerRef, PeerWatcher, Peers } from './instance.js';

interface Watch {
  name: string;
  cb: PeerWatcher;
  filter: { id?: string; type?: string } | undefined;
}

/**
 * The running instances and what they share, so a feature joins the data services already
 * fetch (the request lifecycle reads the *arr queue and the torrents) instead of asking the
 * upstreams again. Data flows one way: a service shares, watchers read; nobody writes back.
 */
export class PeerDirectory implements Peers {
  #instances = new Map<string, Instance>();
  /** Latest value per `<id>\0<name>`, so a late watcher starts from what is known. */
  #latest = new Map<string, { from: PeerRef; name: string; data: unknown }>();
  #watches = new Set<Watch>();
  #onError: (err: unknown, name: string) => void;

  constructor(onError: (err: unknown, name: string) => void) {
    this.#onError = onError;
  }

  add(instance: Instance): void {
    this.#instances.set(instance.id, instance);
  }

  get(id: string): Instance | undefined {
    return this.#instances.get(id);
  }

  all(): Instance[] {
    return [...this.#instances.values()];
  }

  share(from: PeerRef, name: string, data: unknown): void {
    this.#latest.set(`${from.id}\0${name}`, { from, name, data });
    for (const w of this.#watches) if (w.name === name && matches(w.filter, from)) this.#call(w, from, data);
  }

  watch(name: string, cb: PeerWatcher, filter?: { id?: string; type?: string }): () => void {
    const w: Watch = { name, cb, filter };
    this.#watches.add(w);
    for (const latest of [...this.#latest.values()]) if (latest.name === name && matches(filter, latest.from)) this.#call(w, latest.from, latest.data);
    return () => this.#watches.delete(w);
  }

  clear(): void {
    this.#watches.clear();
    this.#latest.clear();
    this.#instances.clear();
  }

  #call(w: Watch, from: PeerRef, data: unknown): void {
    // A failing watcher must not break the service that shared, nor the other watchers.
    try {
      w.cb(from, data);
    } catch (err) {
      this.#onError(err, w.name);
    }
  }
}

function matches(filter: { id?: string; type?: string } | undefined, from: PeerRef): boolean {
  return !filter || ((filter.id === undefined || filter.id === from.id) && (filter.type === undefined || filter.type === from.type));
}
