/**
 * The simulator's side of `/api/v2/sync/maindata` ([WebUI API, Get main data]): per session, each
 * answer gets a new `rid` and is remembered; a request naming a remembered rid gets only what
 * changed since that answer (changed torrents with only their changed fields, `torrents_removed`,
 * changed `server_state` fields, new categories and tags), any other rid — 0, unknown, from another
 * session, from before a restart — gets `full_update: true` with everything.
 */

type Fields = Record<string, unknown>;

export interface Snapshot {
  /** hash → torrent fields (without `hash`: it is the map key, as in qBittorrent's answer). */
  torrents: Map<string, Fields>;
  server: Fields;
  categories: Record<string, Fields>;
  tags: string[];
}

interface SessionBuffer {
  next: number;
  /** The last answers (qBittorrent keeps the last one and the last one acknowledged). */
  answers: Map<number, Snapshot>;
}

const KEEP = 2;

export class MainDataSync {
  #sessions = new Map<string, SessionBuffer>();

  answer(session: string, rid: number, now: Snapshot): Fields {
    let buf = this.#sessions.get(session);
    if (!buf) {
      buf = { next: 1, answers: new Map() };
      this.#sessions.set(session, buf);
    }
    const base = rid > 0 ? buf.answers.get(rid) : undefined;
    const id = buf.next++;
    buf.answers.set(id, now);
    for (const old of [...buf.answers.keys()].slice(0, -KEEP)) buf.answers.delete(old);
    return base ? delta(id, base, now) : full(id, now);
  }

  forget(session: string): void {
    this.#sessions.delete(session);
  }

  clear(): void {
    this.#sessions.clear();
  }
}

function full(rid: number, now: Snapshot): Fields {
  return {
    rid,
    full_update: true,
    torrents: Object.fromEntries(now.torrents),
    categories: now.categories,
    tags: now.tags,
    server_state: now.server,
  };
}

export function delta(rid: number, before: Snapshot, now: Snapshot): Fields {
  const out: Fields = { rid };
  const torrents: Record<string, Fields> = {};
  for (const [hash, t] of now.torrents) {
    const was = before.torrents.get(hash);
    const changed = was ? changedFields(was, t) : t;
    if (Object.keys(changed).length) torrents[hash] = changed;
  }
  if (Object.keys(torrents).length) out.torrents = torrents;
  const removed = [...before.torrents.keys()].filter((h) => !now.torrents.has(h));
  if (removed.length) out.torrents_removed = removed;

  const categories: Record<string, Fields> = {};
  for (const [name, c] of Object.entries(now.categories)) if (JSON.stringify(before.categories[name]) !== JSON.stringify(c)) categories[name] = c;
  if (Object.keys(categories).length) out.categories = categories;
  const categoriesRemoved = Object.keys(before.categories).filter((n) => !(n in now.categories));
  if (categoriesRemoved.length) out.categories_removed = categoriesRemoved;

  const tags = now.tags.filter((t) => !before.tags.includes(t));
  if (tags.length) out.tags = tags;
  const tagsRemoved = before.tags.filter((t) => !now.tags.includes(t));
  if (tagsRemoved.length) out.tags_removed = tagsRemoved;

  const server = changedFields(before.server, now.server);
  if (Object.keys(server).length) out.server_state = server;
  return out;
}

function changedFields(before: Fields, now: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(now)) if (before[k] !== v) out[k] = v;
  return out;
}
