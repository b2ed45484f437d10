import { jellyseerrType } from '../../src/services/jellyseerr/config.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jellyseerrModule } from '../../src/services/jellyseerr/index.js';
import { UpstreamHttp } from '../../src/services/http.js';
import { resolveServiceConfig } from '../../src/services/module.js';
import { JELLYSEERR } from '../../src/services/seerr/flavour.js';
import { SeerrService } from '../../src/services/seerr/service.js';
import { SeerrSim } from '../../src/services/seerr/sim.js';
import { recordingContext } from '../fixtures/host/context.js';

/** Only Date is faked: the HTTP round trips to the simulators stay real. */
afterEach(() => {
  vi.useRealTimers();
});

const isActive = (s: object) => (s as unknown as { active: boolean }).active;

describe('seerr cadence: what a poll costs and when the instance counts as active', () => {
  it('seerr: quiet polls are one request; a change makes it active for 5 minutes; issues every 30 and status every 60 minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T12:00:00Z'));
    const sim = await SeerrSim.start(JELLYSEERR);
    const ctx = recordingContext('jellyseerr');
    // The type's own schema (what the config's union picks for `type: jellyseerr`): a SeerrConfig.
    const cfg = resolveServiceConfig(jellyseerrType, jellyseerrType.schema.parse(sim.config()));
    const http = new UpstreamHttp({ service: 'jellyseerr', baseUrl: cfg.url, timeout: 5, verifyTls: true, headers: jellyseerrModule.auth(cfg).headers });
    const svc = new SeerrService({ ...ctx, cfg, http }, JELLYSEERR);
    const paths = (from: number) => sim.server.requests.slice(from).map((r) => r.path.replace('/api/v1', ''));
    try {
      expect(cfg).toMatchObject({ interval: 60, idle_interval: 1200 });
      await svc.start();
      await svc.refresh();
      expect(paths(0)).toEqual(['/status', '/request/count', '/request', '/request', '/movie/693134', '/tv/95396', '/movie/929590', '/issue/count']);
      expect(isActive(svc)).toBe(false);

      let mark = sim.server.requests.length;
      vi.setSystemTime(new Date('2025-01-01T12:10:00Z'));
      await svc.refresh();
      expect(paths(mark)).toEqual(['/request/count']);
      expect(isActive(svc)).toBe(false);

      sim.addRequest(1022789);
      mark = sim.server.requests.length;
      vi.setSystemTime(new Date('2025-01-01T12:20:00Z'));
      await svc.refresh();
      expect(paths(mark)).toEqual(['/request/count', '/request', '/movie/1022789']);
      expect(isActive(svc)).toBe(true);
      expect(ctx.events).toEqual([expect.objectContaining({ type: 'new_request', data: expect.objectContaining({ title: 'Inside Out 2', source: 'poll' }) })]);

      vi.setSystemTime(new Date('2025-01-01T12:24:00Z'));
      mark = sim.server.requests.length;
      await svc.refresh();
      expect(paths(mark)).toEqual(['/request/count']);
      expect(isActive(svc)).toBe(true);

      vi.setSystemTime(new Date('2025-01-01T12:31:00Z'));
      mark = sim.server.requests.length;
      await svc.refresh();
      expect(paths(mark)).toEqual(['/request/count', '/issue/count']);
      expect(isActive(svc)).toBe(false);

      vi.setSystemTime(new Date('2025-01-01T13:01:00Z'));
      mark = sim.server.requests.length;
      await svc.refresh();
      expect(paths(mark)).toEqual(['/status', '/request/count', '/issue/count']);
    } finally {
      await ctx.scheduler.stop();
      await svc.stop();
      await sim.stop();
    }
  });

  it('seerr: every poll re-sends the polled states as last published, in the order they first appeared; the new_request event never', async () => {
    const sim = await SeerrSim.start(JELLYSEERR);
    const ctx = recordingContext('jellyseerr');
    const cfg = resolveServiceConfig(jellyseerrType, jellyseerrType.schema.parse(sim.config()));
    const http = new UpstreamHttp({ service: 'jellyseerr', baseUrl: cfg.url, timeout: 5, verifyTls: true, headers: jellyseerrModule.auth(cfg).headers });
    const svc = new SeerrService({ ...ctx, cfg, http }, JELLYSEERR);
    const names = (from: number) => ctx.published.slice(from).map((p) => p.name);
    try {
      await svc.start();
      await svc.refresh();
      expect(names(0)).toEqual(['server', 'requests', 'pending', 'issues', 'server', 'requests', 'pending', 'issues', 'status']);

      // A new request: the counts and the list are published, then the event, then the re-sends.
      sim.addRequest(1022789);
      let mark = ctx.published.length;
      await svc.refresh();
      expect(names(mark)).toEqual(['requests', 'pending', 'request_event', 'server', 'requests', 'pending', 'issues', 'status']);

      // A quiet poll reads the counts only; the rest is re-sent as it was, the event is not.
      mark = ctx.published.length;
      await svc.refresh();
      expect(names(mark)).toEqual(['requests', 'server', 'requests', 'pending', 'issues', 'status']);
      for (const p of ctx.published.slice(mark)) expect(p.payload, p.name).toEqual(ctx.states.get(p.name));
      expect(ctx.published.slice(mark).find((p) => p.name === 'pending')?.payload).toMatchObject({ count: 4 });
    } finally {
      await ctx.scheduler.stop();
      await svc.stop();
      await sim.stop();
    }
  });
});
