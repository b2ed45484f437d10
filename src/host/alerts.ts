import type { AlertPayload } from '../mqtt/contract.js';
import type { Transition } from './thresholds.js';

/** What a threshold metric is called in alert messages, and its unit. */
export interface MetricLabel {
  /** Metric name in the event (`disk` for every disk; `mount` tells them apart). */
  metric: string;
  label: string;
  unit: '%' | '°C';
  extra?: Record<string, unknown>;
}

/** Payload of `alert_cleared` on `<base>/bridge/event`. */
export interface AlertClearedPayload {
  metric: string;
  previous_level: 'warning' | 'critical';
  /** null when the metric went away (a disk unmounted). */
  value: number | null;
  threshold: number | null;
  message: string;
}

export type AlertEvent =
  | { type: 'alert'; data: AlertPayload & Record<string, unknown> }
  | { type: 'alert_cleared'; data: AlertClearedPayload & Record<string, unknown> };

/** The bridge event for a threshold transition; entering warning or critical alerts, back to ok clears. */
export function alertEvent(t: Transition, m: MetricLabel): AlertEvent {
  const fmt = (v: number) => `${Math.round(v * 10) / 10}${m.unit === '%' ? ' %' : ' °C'}`;
  if (t.to !== 'ok') {
    return {
      type: 'alert',
      data: {
        metric: m.metric,
        level: t.to,
        value: t.value,
        threshold: t.threshold,
        message: `${m.label} is ${fmt(t.value)}, at or above the ${t.to} threshold of ${fmt(t.threshold)}`,
        ...m.extra,
      },
    };
  }
  const gone = !Number.isFinite(t.value);
  return {
    type: 'alert_cleared',
    data: {
      metric: m.metric,
      previous_level: t.from === 'critical' ? 'critical' : 'warning',
      value: gone ? null : t.value,
      threshold: Number.isFinite(t.threshold) ? t.threshold : null,
      message: gone ? `${m.label}: no longer measured` : `${m.label} is back to normal (${fmt(t.value)})`,
      ...m.extra,
    },
  };
}
