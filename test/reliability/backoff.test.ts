import { PeerDirectory } from '../../src/core/peers.js';
import { afterAll, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/core/scheduler.js';
import { UpstreamError } from '../../src/errors.js';
import type { EntityDef } from '../../src/ha/entity.js';
import { LogHub } from '../../src/log.js';
import { Topics, type ServiceStates } from '../../src/mqtt/contract.js';
import type { BaseServiceConfig } from '../../src/services/settings.js';
import { MAX_BACKOFF_SECONDS, PolledService, type ServiceContext } from '../../src/services/service.js';

// Issue 14, item 13: a failing instance is polled again within MAX_BACKOFF_SECONDS whatever its
// intervals, and a live channel's message polls it at once. The scheduler is the real one; its
// interval function is read through a scheduler that records what the service asked for.
class Recording extends Scheduler {
  interval: () => number = () => NaN;
  override every(name: string, interval: number | (() => number), fn: (signal: AbortSignal) => Promise<void>, options = {}): void {
    if (name === 'poll' && typeof interval === 'function') this.interval = interval;
    super.every(name, interval, fn, options);
  }
}

class Flaky extends PolledService<BaseServiceConfig, ServiceStates> {
  readonly type = 'sonarr' as const;
  protected readonly manufacturer = 'test';
  protected readonly model = 'flaky';
  failing = true;
  polls = 0;
  protected async poll(): Promise<void> {
    this.polls++;
    if (this.failing) throw new UpstreamError(this.id, 'HTTP 500', { status: 500, code: 'HTTP_500' });
  }
  protected serviceEntities(): EntityDef<ServiceStates>[] {
    return [];
  }
  /** What a live channel's message handler calls. */
  message(): void {
    this.liveActivity();
  }
}

const hub = new LogHub({ level: 'error', format: 'text', write: () => {} });
const schedulers: Scheduler[] = [];
afterAll(() => {
  for (const s of schedulers) s.stop();
});

function service(interval: number, idle: number): { svc: Flaky; sched: Recording } {
  const sched = new Recording(hub.child('sched'));
  schedulers.push(sched);
  const ctx = {
    id: 'flaky',
    topics: new Topics('t'),
    log: hub.child('flaky'),
    scheduler: sched,
    publishState: () => {},
    clearState: () => {},
    setAvailability: () => {},
    emitEvent: () => {},
    entitiesChanged: () => {},
    publishEvent: () => {},
    peers: new PeerDirectory(() => undefined),
    share: () => {},
    storage: {} as ServiceContext['storage'],
    cfg: { interval, idle_interval: idle, timeout: 5, url: 'http://x', name: null } as unknown as ServiceContext['cfg'],
    http: { close: async () => {}, lastLatencyMs: 0, requests: 0 } as unknown as ServiceContext['http'],
  } as ServiceContext;
  return { svc: new Flaky(ctx), sched };
}

describe('backoff of a failing instance', () => {
  it.each([
    [30, 300],
    [60, 3600],
    [5, 600],
  ])('interval %i s, idle %i s: never waits more than the cap, however many polls failed', async (interval, idle) => {
    const { svc, sched } = service(interval, idle);
    await svc.start();
    for (let i = 0; i < 12; i++) {
      await svc.refresh();
      expect(sched.interval()).toBeLessThanOrEqual(MAX_BACKOFF_SECONDS);
    }
    expect(svc.failures).toBe(12);
    expect(MAX_BACKOFF_SECONDS).toBeLessThan(30);
    svc.failing = false;
    await svc.refresh();
    expect(sched.interval()).toBe(idle);
  });

  it("polls a failing instance at once when its live channel delivers, at most every few seconds", async () => {
    const { svc } = service(30, 3600);
    await svc.start();
    await svc.refresh();
    const before = svc.polls;
    svc.failing = false;
    svc.message();
    svc.message(); // a burst of messages: one early poll
    await new Promise((r) => setImmediate(r));
    await svc.refresh().catch(() => undefined);
    expect(svc.polls).toBe(before + 2); // the early poll, and the explicit one
    expect(svc.failures).toBe(0);
    svc.message(); // healthy: a message polls nothing
    await svc.refresh();
    expect(svc.polls).toBe(before + 3);
  });
});
