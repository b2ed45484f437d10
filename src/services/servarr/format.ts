/** Small pure helpers for what the *arr services publish. */

/** Longest title kept in a published list item (keeps HA attributes well under 16 KB). */
export const MAX_TEXT = 200;

export function text(value: string | null | undefined, max = MAX_TEXT): string | null {
  if (value === null || value === undefined) return null;
  const t = value.trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** `S01E05` (Sonarr's own notation). */
export function episodeCode(season: number, episode: number): string {
  return `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
}

/** Field-name-safe slug of a path: `/data/tv/` → `data_tv`, `D:\TV` → `d_tv`. */
export function pathSlug(path: string): string {
  return (
    path
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'root'
  );
}

/** Slugs for a list of paths, unique (a clash gets `_2`, `_3`…), in input order. */
export function uniqueSlugs(paths: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return paths.map((p) => {
    const base = pathSlug(p);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  });
}

/** A finite number or null (never NaN on MQTT). */
export function finite(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

export function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** An ISO timestamp with timezone from an upstream date string, or null when it is not one. */
export function isoTime(value: string | null | undefined): string | null {
  if (!value) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}
