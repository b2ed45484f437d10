/**
 * Threshold levels with hysteresis, without I/O: the host feeds values, this says when a metric
 * enters or leaves a level. Without hysteresis a CPU hovering at 85 % would raise and clear an alert
 * on every poll; here a level is only left when the value has dropped `margin` below its threshold.
 */

export type Level = 'ok' | 'warning' | 'critical';

export interface Threshold {
  warning: number;
  critical: number;
}

export interface Transition {
  metric: string;
  from: Level;
  to: Level;
  value: number;
  /** The threshold crossed: critical's when entering critical, warning's otherwise. */
  threshold: number;
}

/** The level after `value`, given the current level. Pure. */
export function nextLevel(current: Level, value: number, t: Threshold, margin: number): Level {
  if (value >= t.critical) return 'critical';
  if (current === 'critical' && value > t.critical - margin) return 'critical';
  if (value >= t.warning) return 'warning';
  if (current !== 'ok' && value > t.warning - margin) return 'warning';
  return 'ok';
}

export class ThresholdTracker {
  #levels = new Map<string, Level>();
  #margin: number;

  /** `margin`: how far below a threshold a value must drop before its level is left (same unit as the value). */
  constructor(margin = 2) {
    this.#margin = margin;
  }

  /** Feeds one value; returns the transition when the level changed, null otherwise. */
  update(metric: string, value: number, t: Threshold): Transition | null {
    const from = this.level(metric);
    const to = nextLevel(from, value, t, this.#margin);
    if (to === from) return null;
    this.#levels.set(metric, to);
    return { metric, from, to, value, threshold: to === 'critical' ? t.critical : t.warning };
  }

  level(metric: string): Level {
    return this.#levels.get(metric) ?? 'ok';
  }

  /** True when any metric with this name or prefix (`disk:` for every disk) is at warning or critical. */
  active(prefix: string): boolean {
    for (const [metric, level] of this.#levels) if (level !== 'ok' && (metric === prefix || metric.startsWith(prefix))) return true;
    return false;
  }

  /**
   * Drops a metric that no longer exists (a disk unmounted). Returns a transition to ok when it was
   * raised, so its alert is cleared rather than left open forever.
   */
  forget(metric: string, value = Number.NaN): Transition | null {
    const from = this.level(metric);
    this.#levels.delete(metric);
    return from === 'ok' ? null : { metric, from, to: 'ok', value, threshold: Number.NaN };
  }

  metrics(): string[] {
    return [...this.#levels.keys()];
  }
}
