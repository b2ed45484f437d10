import type { InstanceContext } from '../core/instance.js';
import { alertEvent, type MetricLabel } from './alerts.js';
import { HostState, type HostStates, type ProblemsState } from './entities.js';
import { ThresholdTracker, type Threshold, type Transition } from './thresholds.js';

type ProblemMetric = 'cpu' | 'memory' | 'swap' | 'disk' | 'temperature' | 'gpu_temperature';

/** How the alert events name each metric (disk names its mount, see diskLabel). */
export const LABELS: Record<Exclude<ProblemMetric, 'disk'>, MetricLabel> = {
  cpu: { metric: 'cpu', label: 'CPU load', unit: '%' },
  memory: { metric: 'memory', label: 'Memory usage', unit: '%' },
  swap: { metric: 'swap', label: 'Swap usage', unit: '%' },
  temperature: { metric: 'temperature', label: 'CPU temperature', unit: '°C' },
  gpu_temperature: { metric: 'gpu_temperature', label: 'GPU temperature', unit: '°C' },
};

export function diskLabel(mount: string): MetricLabel {
  return { metric: 'disk', label: `Disk usage of ${mount}`, unit: '%', extra: { mount } };
}

/** Which optional problem sensors the host has now (a problem flag without its metric is left out). */
export interface ProblemShape {
  swap: boolean;
  temperature: boolean;
  gpuTemperature: boolean;
}

/**
 * The host's threshold alerts: every poller reports its values here; a level change emits an
 * alert event, and the `problems` state carries one flag per metric.
 */
export class HostProblems {
  readonly #thresholds = new ThresholdTracker(2);
  readonly #ctx: InstanceContext<HostStates>;
  readonly #shape: () => ProblemShape;

  constructor(ctx: InstanceContext<HostStates>, shape: () => ProblemShape) {
    this.#ctx = ctx;
    this.#shape = shape;
  }

  check(metric: string, value: number, threshold: Threshold, label: MetricLabel): void {
    this.#emit(this.#thresholds.update(metric, value, threshold), label);
  }

  /** The metric is gone (swap turned off, a disk unmounted): clear its alert, if one was raised. */
  forget(metric: string, label: MetricLabel): void {
    this.#emit(this.#thresholds.forget(metric), label);
  }

  publish(): void {
    const shape = this.#shape();
    const p: ProblemsState = {
      cpu: this.#thresholds.active('cpu'),
      memory: this.#thresholds.active('memory'),
      disk: this.#thresholds.active('disk:'),
    };
    if (shape.swap) p.swap = this.#thresholds.active('swap');
    if (shape.temperature) p.temperature = this.#thresholds.active('temperature');
    if (shape.gpuTemperature) p.gpu_temperature = this.#thresholds.active('gpu_temperature');
    this.#ctx.publishState(HostState.problems, p);
  }

  #emit(t: Transition | null, label: MetricLabel): void {
    if (!t) return;
    const event = alertEvent(t, label);
    this.#ctx.emitEvent(event.type, event.data);
  }
}
