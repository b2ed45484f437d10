/**
 * Topic and entity-key fragments from mount paths, interface and container names. Keys end up in
 * HA unique_ids and topic names, so they must be stable and limited to [a-z0-9_].
 */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** `/` → `root`, `/mnt/Media Disk` → `mnt_media_disk`. */
export function mountSlug(mount: string): string {
  return slugify(mount) || 'root';
}

/**
 * A slug for `name` not already in `taken`: when two names sanitise alike (`/mnt/a-b`, `/mnt/a_b`),
 * the newcomer gets a short hash of its full name, which is the same on every run. Callers keep the
 * slugs they handed out, so an existing entity never changes key because another one appeared.
 */
export function uniqueSlug(name: string, base: string, taken: ReadonlySet<string>): string {
  const s = base || 'x';
  return taken.has(s) ? `${s}_${fnv1a(name)}` : s;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0').slice(0, 6);
}

/**
 * Brings `map` (name → slug) in line with `names`; returns what appeared and disappeared. Slugs of
 * names still present are kept, so an entity's key never changes because another one appeared.
 * `reserved` slugs are never handed out (a name that sanitises to one gets a hashed slug).
 */
export function syncNames(
  map: Map<string, string>,
  names: Iterable<string>,
  slug: (name: string) => string,
  reserved: readonly string[] = [],
): { added: string[]; removed: [name: string, slug: string][] } {
  const next = new Set(names);
  const removed: [string, string][] = [];
  for (const [name, s] of map) {
    if (!next.has(name)) {
      map.delete(name);
      removed.push([name, s]);
    }
  }
  const added: string[] = [];
  const taken = new Set([...reserved, ...map.values()]);
  for (const name of next) {
    if (map.has(name)) continue;
    const s = uniqueSlug(name, slug(name), taken);
    taken.add(s);
    map.set(name, s);
    added.push(name);
  }
  return { added, removed };
}
