import type { HealthRecord } from './schemas.js';
import { text } from './format.js';

export interface HealthIssue {
  source: string | null;
  /** HealthCheckResult: notice, warning, error. */
  type: string;
  message: string | null;
  wiki_url: string | null;
}

export interface HealthState {
  issues: number;
  errors: number;
  warnings: number;
  notices: number;
  /** A warning or an error is present (the `problem` binary sensor). */
  problem: boolean;
  attributes: { total: number; issues: HealthIssue[] };
}

export function mapHealthIssue(r: HealthRecord): HealthIssue {
  const wiki = typeof r.wikiUrl === 'string' ? r.wikiUrl : (r.wikiUrl?.fullUri ?? null);
  return { source: text(r.source), type: r.type, message: text(r.message, 500), wiki_url: text(wiki, 300) };
}

/** Every issue of a /health answer (HealthCheckResult `ok` is never listed, and would be no issue anyway). */
export function healthIssues(records: readonly HealthRecord[]): HealthIssue[] {
  return records.filter((r) => r.type !== 'ok').map(mapHealthIssue);
}

export function mapHealth(records: readonly HealthRecord[], listLimit: number): HealthState {
  const issues = healthIssues(records);
  const errors = issues.filter((i) => i.type === 'error').length;
  const warnings = issues.filter((i) => i.type === 'warning').length;
  return {
    issues: issues.length,
    errors,
    warnings,
    notices: issues.filter((i) => i.type === 'notice').length,
    problem: errors + warnings > 0,
    attributes: { total: issues.length, issues: issues.slice(0, listLimit) },
  };
}

const keyOf = (i: HealthIssue) => `${i.source ?? ''}\u0000${i.message ?? ''}`;

/**
 * Which health issues are new and which went away since the last read. The first read is the
 * baseline (restarting the bridge must not announce every old warning again).
 */
export class HealthTracker {
  #known: Map<string, HealthIssue> | null = null;

  update(issues: readonly HealthIssue[]): { added: HealthIssue[]; resolved: HealthIssue[] } {
    const now = new Map(issues.map((i) => [keyOf(i), i]));
    const before = this.#known;
    this.#known = now;
    if (!before) return { added: [], resolved: [] };
    return {
      added: [...now].filter(([k]) => !before.has(k)).map(([, i]) => i),
      resolved: [...before].filter(([k]) => !now.has(k)).map(([, i]) => i),
    };
  }
}
