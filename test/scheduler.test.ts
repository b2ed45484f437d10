import { describe, expect, it } from 'vitest';
import { Scheduler } from '../src/core/scheduler.js';
import { LogHub } from '../src/log.js';

const log = new LogHub({ level: 'error', format: 'text', write: () => {} }).child('test');

describe('scheduler', () => {
  it('runs a rate task again after firstInterval, not after the full interval', async () => {
    const s = new Scheduler(log);
    const runs: number[] = [];
    let second!: () => void;
    const done = new Promise<void>((r) => (second = r));
    s.every('rate', 3600, async () => {
      runs.push(Date.now());
      if (runs.length === 2) second();
    }, { firstInterval: 0.05 });
    s.start();
    await done; // with a 3600 s interval this would never resolve without firstInterval
    expect(runs).toHaveLength(2);
    await s.stop();
  });

  it('joins a trigger to the run in progress instead of piling up, and stop aborts the signal', async () => {
    const s = new Scheduler(log);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let seen: AbortSignal | undefined;
    s.every('poll', 3600, async (signal) => {
      calls++;
      seen = signal;
      await gate;
    });
    s.start();
    const a = s.runNow('poll');
    const b = s.runNow('poll');
    expect(a).toBe(b);
    release();
    await a;
    expect(calls).toBe(1);
    await s.stop();
    expect(seen?.aborted).toBe(true);
  });
});
