import type { UpdateRecord } from './schemas.js';
import { isoTime } from './format.js';

export interface UpdateState {
  available: boolean;
  installed_version: string | null;
  latest_version: string | null;
  release_date: string | null;
}

/**
 * Update availability from GET /api/v3/update. The list is newest first; upstream marks the newest
 * `latest`, the running one `installed`, and makes the newest `installable` only when it is newer
 * than the running build (Sonarr/Radarr UpdateController).
 */
export function mapUpdate(updates: readonly UpdateRecord[], runningVersion: string | null): UpdateState {
  const latest = updates.find((u) => u.latest) ?? updates[0];
  const installed = updates.find((u) => u.installed)?.version ?? runningVersion;
  if (!latest) return { available: false, installed_version: installed, latest_version: installed, release_date: null };
  const available = !latest.installed && (latest.installable ?? (installed !== null && compareVersions(latest.version, installed) > 0));
  return { available, installed_version: installed, latest_version: latest.version, release_date: isoTime(latest.releaseDate) };
}

/** Compares dotted versions numerically (`4.0.10.2544` > `4.0.9.2244`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
