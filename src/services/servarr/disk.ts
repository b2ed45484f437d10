import type { DiskSpace, RootFolder } from './schemas.js';
import { finite, round1, uniqueSlugs } from './format.js';

export interface RootFolderSpace {
  path: string;
  slug: string;
  accessible: boolean;
  free: number | null;
  total: number | null;
  used_percent: number | null;
}

export type DiskState = {
  root_folders: number;
  /** Free bytes of the fullest root folder (the one that runs out first). */
  free_min: number | null;
  attributes: { total: number; folders: { path: string; free: number | null; total: number | null; accessible: boolean }[] };
} & {
  /** `free_<slug>`, `total_<slug>` (bytes), `used_<slug>` (%) per root folder (flat, for Grafana). */
  [field: `free_${string}` | `total_${string}` | `used_${string}`]: number | null;
};

/** `D:\TV` and `/data/tv` compared alike: forward slashes, a trailing slash, drive letters lower-cased. */
function normal(path: string): string {
  let p = path.replace(/\\/g, '/');
  if (/^[a-z]:/i.test(p)) p = p.toLowerCase();
  return p.endsWith('/') ? p : `${p}/`;
}

/** The mount (diskspace entry) holding `path`: the longest mount path that is a prefix of it. */
export function mountOf(path: string, mounts: readonly DiskSpace[]): DiskSpace | undefined {
  const p = normal(path);
  let best: DiskSpace | undefined;
  let bestLen = -1;
  for (const m of mounts) {
    if (!m.path) continue;
    const mp = normal(m.path);
    if (p.startsWith(mp) && mp.length > bestLen) {
      best = m;
      bestLen = mp.length;
    }
  }
  return best;
}

/**
 * Free/total space per root folder. `/rootfolder` gives the free space of each library folder
 * but no size; `/diskspace` gives free and total per mount; the mount containing the folder
 * supplies the total.
 */
export function mapRootFolders(folders: readonly RootFolder[], mounts: readonly DiskSpace[]): RootFolderSpace[] {
  const slugs = uniqueSlugs(folders.map((f) => f.path));
  return folders.map((f, i) => {
    const mount = mountOf(f.path, mounts);
    const accessible = f.accessible ?? true;
    const free = accessible ? (finite(f.freeSpace) ?? finite(mount?.freeSpace)) : null;
    const total = accessible ? finite(mount?.totalSpace) : null;
    const used = free !== null && total !== null && total > 0 ? round1(((total - free) / total) * 100) : null;
    return { path: f.path, slug: slugs[i]!, accessible, free, total, used_percent: used === null ? null : Math.min(100, Math.max(0, used)) };
  });
}

export function mapDisk(spaces: readonly RootFolderSpace[], listLimit: number): DiskState {
  const frees = spaces.map((s) => s.free).filter((f): f is number => f !== null);
  const state: DiskState = {
    root_folders: spaces.length,
    free_min: frees.length ? Math.min(...frees) : null,
    attributes: { total: spaces.length, folders: spaces.slice(0, listLimit).map((s) => ({ path: s.path, free: s.free, total: s.total, accessible: s.accessible })) },
  };
  for (const s of spaces) {
    state[`free_${s.slug}`] = s.free;
    state[`total_${s.slug}`] = s.total;
    state[`used_${s.slug}`] = s.used_percent;
  }
  return state;
}
