import { describe, expect, it } from 'vitest';
import { nextLevel, ThresholdTracker } from '../src/host/thresholds.js';
import { alertEvent } from '../src/host/alerts.js';

const T = { warning: 85, critical: 95 };

describe('nextLevel', () => {
  it('rises at the thresholds, inclusive', () => {
    expect(nextLevel('ok', 84.9, T, 2)).toBe('ok');
    expect(nextLevel('ok', 85, T, 2)).toBe('warning');
    expect(nextLevel('ok', 95, T, 2)).toBe('critical');
    expect(nextLevel('warning', 95, T, 2)).toBe('critical');
  });

  it('falls only a margin below the threshold it left', () => {
    expect(nextLevel('warning', 84, T, 2)).toBe('warning');
    expect(nextLevel('warning', 83.1, T, 2)).toBe('warning');
    expect(nextLevel('warning', 83, T, 2)).toBe('ok');
    expect(nextLevel('critical', 94, T, 2)).toBe('critical');
    expect(nextLevel('critical', 93, T, 2)).toBe('warning');
    expect(nextLevel('critical', 84, T, 2)).toBe('warning');
    expect(nextLevel('critical', 50, T, 2)).toBe('ok');
  });

  it('works when warning equals critical', () => {
    const same = { warning: 90, critical: 90 };
    expect(nextLevel('ok', 90, same, 2)).toBe('critical');
    expect(nextLevel('critical', 89, same, 2)).toBe('critical');
    expect(nextLevel('critical', 88, same, 2)).toBe('ok');
  });
});

describe('ThresholdTracker', () => {
  it('reports transitions only, per metric', () => {
    const t = new ThresholdTracker(2);
    const seen = [80, 86, 87, 84, 96, 94, 92, 84, 82, 82].map((v) => t.update('cpu', v, T));
    expect(seen.map((x) => x && `${x.from}>${x.to}@${x.threshold}`)).toEqual([
      null, 'ok>warning@85', null, null, 'warning>critical@95', null, 'critical>warning@85', null, 'warning>ok@85', null,
    ]);
    expect(t.level('cpu')).toBe('ok');
    expect(t.level('memory')).toBe('ok');
  });

  it('answers whether any metric of a family is raised, and clears forgotten ones', () => {
    const t = new ThresholdTracker();
    t.update('disk:/', 50, T);
    t.update('disk:/mnt/media', 97, T);
    expect(t.active('disk:')).toBe(true);
    expect(t.active('cpu')).toBe(false);
    expect(t.forget('disk:/mnt/media')).toMatchObject({ metric: 'disk:/mnt/media', from: 'critical', to: 'ok' });
    expect(t.forget('disk:/')).toBeNull();
    expect(t.active('disk:')).toBe(false);
  });

  it('becomes alert and alert_cleared events', () => {
    const t = new ThresholdTracker();
    const label = { metric: 'temperature', label: 'CPU temperature', unit: '°C' as const };
    expect(alertEvent(t.update('temperature', 91.04, { warning: 75, critical: 90 })!, label)).toEqual({
      type: 'alert',
      data: { metric: 'temperature', level: 'critical', value: 91.04, threshold: 90, message: 'CPU temperature is 91 °C, at or above the critical threshold of 90 °C' },
    });
    expect(alertEvent(t.update('temperature', 60, { warning: 75, critical: 90 })!, label)).toEqual({
      type: 'alert_cleared',
      data: { metric: 'temperature', previous_level: 'critical', value: 60, threshold: 75, message: 'CPU temperature is back to normal (60 °C)' },
    });
  });
});
