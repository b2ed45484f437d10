import type { MainData, ServerStatePatch, TorrentPatch } from './schemas.js';

/** A torrent as merged from full and partial updates; the hash is `/sync/maindata`'s map key. */
export type Torrent = TorrentPatch & { hash: string };

/**
 * Our copy of qBittorrent's state, kept current by `/api/v2/sync/maindata?rid=N` ([WebUI API,
 * Get main data]): the server answers with the changes since the response numbered `rid`, or with
 * everything (`full_update: true`) when it does not know that rid (first call, rid=0, another
 * session, a restart). Partial answers hold only changed torrents, and of those only the changed
 * fields; removed torrents are listed in `torrents_removed`; `server_state` holds only the changed
 * fields. A full update replaces everything. The next request sends the `rid` of this answer.
 */
export class MainDataState {
  #rid = 0;
  #torrents = new Map<string, Torrent>();
  #server: ServerStatePatch = {};

  /** The rid to send next (0 before the first answer: asks for a full update). */
  get rid(): number {
    return this.#rid;
  }

  get torrents(): ReadonlyMap<string, Torrent> {
    return this.#torrents;
  }

  get serverState(): Readonly<ServerStatePatch> {
    return this.#server;
  }

  /** Merges one answer; returns whether it was a full update. */
  apply(data: MainData): { full: boolean } {
    const full = data.full_update === true;
    if (full) {
      this.#torrents = new Map();
      this.#server = {};
    }
    for (const [hash, patch] of Object.entries(data.torrents ?? {})) {
      const known = this.#torrents.get(hash);
      if (known) Object.assign(known, patch);
      else this.#torrents.set(hash, { ...patch, hash });
    }
    for (const hash of data.torrents_removed ?? []) this.#torrents.delete(hash);
    if (data.server_state) this.#server = { ...this.#server, ...data.server_state };
    this.#rid = data.rid;
    return { full };
  }

  /** Forget everything: the next request asks for a full update. */
  reset(): void {
    this.#rid = 0;
    this.#torrents = new Map();
    this.#server = {};
  }
}
