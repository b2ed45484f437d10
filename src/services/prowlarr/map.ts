import type { HealthItem, Indexer, IndexerStatistics, IndexerStatus, UpdateInfo } from './schemas.js';

/**
 * Pure mappings from Prowlarr answers to the state objects published on MQTT. Flat numeric
 * fields for Grafana; one bounded object per state for Home Assistant attributes.
 */

export interface IndexersState {
  total: number;
  enabled: number;
  disabled: number;
  /** Enabled indexers Prowlarr has disabled for a while after failures (`disabledTill` in the future). */
  failing: number;
  torrent: number;
  usenet: number;
  list: { total: number; indexers: { id: number; name: string; protocol: string; privacy: string | null; enabled: boolean; failing: boolean }[] };
  failures: { total: number; indexers: { id: number; name: string; disabled_till: string | null; most_recent_failure: string | null; initial_failure: string | null }[] };
}

export interface HealthState {
  count: number;
  /** A warning or an error is present (notices are informational). */
  problem: boolean;
  errors: number;
  warnings: number;
  notices: number;
  issues: { total: number; items: HealthIssue[] };
}

export interface HealthIssue {
  source: string;
  type: string;
  message: string;
  wiki_url: string | null;
}

export interface StatsState {
  grabs_today: number;
  queries_today: number;
  rss_queries_today: number;
  auth_queries_today: number;
  failed_queries_today: number;
  failed_grabs_today: number;
  /** Start of the counting window: local midnight, ISO. */
  since: string;
  indexers: { total: number; items: { name: string; grabs: number; queries: number; failed_queries: number; avg_response_ms: number }[] };
}

export interface UpdateState {
  installed_version: string | null;
  latest_version: string | null;
  update_available: boolean;
  branch: string | null;
  release_date: string | null;
}

const iso = (s: string | null | undefined): string | null => (s ? new Date(s).toISOString() : null);

/** Local midnight of `now`: "today" as the user sees it on the host's clock. */
export function startOfLocalDay(now: Date): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/** An indexer is failing while Prowlarr keeps it disabled after failures (IndexerStatusResource.disabledTill). */
export function isFailing(status: IndexerStatus | undefined, now: Date): boolean {
  return !!status?.disabledTill && Date.parse(status.disabledTill) > now.getTime();
}

export function summarizeIndexers(indexers: readonly Indexer[], statuses: readonly IndexerStatus[], now: Date, limit: number): IndexersState {
  const byId = new Map(statuses.map((s) => [s.indexerId, s]));
  const name = (i: Indexer) => i.name ?? `Indexer ${i.id}`;
  const failing = indexers.filter((i) => i.enable && isFailing(byId.get(i.id), now));
  const failingIds = new Set(failing.map((i) => i.id));
  // Failing first, then by name: the attributes show what needs attention when the list is capped.
  const sorted = [...indexers].sort((a, b) => Number(failingIds.has(b.id)) - Number(failingIds.has(a.id)) || name(a).localeCompare(name(b)));
  return {
    total: indexers.length,
    enabled: indexers.filter((i) => i.enable).length,
    disabled: indexers.filter((i) => !i.enable).length,
    failing: failing.length,
    torrent: indexers.filter((i) => i.protocol === 'torrent').length,
    usenet: indexers.filter((i) => i.protocol === 'usenet').length,
    list: {
      total: indexers.length,
      indexers: sorted.slice(0, limit).map((i) => ({ id: i.id, name: name(i), protocol: i.protocol ?? 'unknown', privacy: i.privacy ?? null, enabled: i.enable, failing: failingIds.has(i.id) })),
    },
    failures: {
      total: failing.length,
      indexers: failing.slice(0, limit).map((i) => {
        const s = byId.get(i.id)!;
        return { id: i.id, name: name(i), disabled_till: iso(s.disabledTill), most_recent_failure: iso(s.mostRecentFailure), initial_failure: iso(s.initialFailure) };
      }),
    },
  };
}

/** Status records of indexers not in our cached list: a new indexer was added since the list was read. */
export function unknownIndexerIds(indexers: readonly Indexer[], statuses: readonly IndexerStatus[]): number[] {
  const known = new Set(indexers.map((i) => i.id));
  return statuses.map((s) => s.indexerId).filter((id) => !known.has(id));
}

export function toIssue(h: HealthItem): HealthIssue {
  return { source: h.source ?? 'unknown', type: h.type, message: h.message ?? '', wiki_url: h.wikiUrl ?? null };
}

/** Identity of a health issue across polls: Prowlarr has no stable id, so source + level + text. */
export function issueKey(i: HealthIssue): string {
  return `${i.source}\u0000${i.type}\u0000${i.message}`;
}

/** The issues of a health answer (`ok` results are not issues). */
export function healthIssues(items: readonly HealthItem[]): HealthIssue[] {
  return items.filter((h) => h.type !== 'ok').map(toIssue);
}

export function summarizeHealth(items: readonly HealthItem[], limit: number): HealthState {
  const issues = healthIssues(items);
  const rank: Record<string, number> = { error: 0, warning: 1, notice: 2 };
  const sorted = [...issues].sort((a, b) => (rank[a.type] ?? 3) - (rank[b.type] ?? 3));
  const errors = issues.filter((i) => i.type === 'error').length;
  const warnings = issues.filter((i) => i.type === 'warning').length;
  return {
    count: issues.length,
    problem: errors + warnings > 0,
    errors,
    warnings,
    notices: issues.filter((i) => i.type === 'notice').length,
    issues: { total: issues.length, items: sorted.slice(0, limit) },
  };
}

/** Issues in `current` that were not in `seen` (by issueKey). */
export function newIssues(seen: ReadonlySet<string>, current: readonly HealthIssue[]): HealthIssue[] {
  return current.filter((i) => !seen.has(issueKey(i)));
}

export function summarizeStats(stats: readonly IndexerStatistics[], since: Date, limit: number): StatsState {
  const sum = (f: (s: IndexerStatistics) => number | undefined) => stats.reduce((acc, s) => acc + (f(s) ?? 0), 0);
  const busiest = [...stats]
    .filter((s) => s.numberOfQueries > 0 || s.numberOfGrabs > 0)
    .sort((a, b) => b.numberOfGrabs - a.numberOfGrabs || b.numberOfQueries - a.numberOfQueries);
  return {
    grabs_today: sum((s) => s.numberOfGrabs),
    queries_today: sum((s) => s.numberOfQueries),
    rss_queries_today: sum((s) => s.numberOfRssQueries),
    auth_queries_today: sum((s) => s.numberOfAuthQueries),
    failed_queries_today: sum((s) => s.numberOfFailedQueries),
    failed_grabs_today: sum((s) => s.numberOfFailedGrabs),
    since: since.toISOString(),
    indexers: {
      total: busiest.length,
      items: busiest.slice(0, limit).map((s) => ({
        name: s.indexerName ?? `Indexer ${s.indexerId}`,
        grabs: s.numberOfGrabs,
        queries: s.numberOfQueries,
        failed_queries: s.numberOfFailedQueries ?? 0,
        avg_response_ms: s.averageResponseTime ?? 0,
      })),
    },
  };
}

/**
 * Update availability from GET /api/v1/update: the release marked `latest` is not the installed
 * one. `installable` is false on Docker installs (updates come with the image), but the update
 * still exists, so it does not matter here.
 */
export function summarizeUpdate(updates: readonly UpdateInfo[], installedVersion: string | null): UpdateState {
  const latest = updates.find((u) => u.latest) ?? null;
  const installed = installedVersion ?? updates.find((u) => u.installed)?.version ?? null;
  return {
    installed_version: installed,
    latest_version: latest?.version ?? installed,
    update_available: !!latest && !latest.installed && !!latest.version && latest.version !== installed,
    branch: latest?.branch ?? null,
    release_date: iso(latest?.releaseDate),
  };
}
