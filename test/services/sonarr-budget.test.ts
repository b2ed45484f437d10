import { afterEach, describe, expect, it } from 'vitest';
import { sonarrModule } from '../../src/services/sonarr/index.js';
import { SonarrSim } from '../../src/services/sonarr/sim.js';
import { requestsPerMinute } from './servarr-kit.js';

/**
 * The request budget at default settings (interval 30 s while downloading, 120 s idle): at most
 * half of Home Assistant's Sonarr integration, which polls 7 endpoints every 30 s (14/min).
 */
describe('Sonarr request budget', () => {
  let sim: SonarrSim;
  afterEach(async () => sim?.stop());

  it('while downloading (30 s polls): < 3 requests/min (limit 7), the series list hourly', async () => {
    sim = await SonarrSim.start({ autoGrabAfter: 0 });
    const { perMinute, byPath } = await requestsPerMinute(sonarrModule, sim, 30, 180);
    expect(perMinute).toBeLessThanOrEqual(7);
    expect(perMinute).toBeLessThan(3);
    expect(byPath['/api/v3/series']).toBe(3);
    // Busy: /queue alone each poll (its totalRecords is the count); /queue/status only at start.
    expect(byPath['/api/v3/queue']).toBe(360);
    expect(byPath['/api/v3/queue/status']).toBe(1);
    expect(byPath['/api/v3/system/status']).toBe(1);
  });

  it('idle (120 s polls, empty queue): about one request per minute, no queue listing', async () => {
    sim = await SonarrSim.start({ autoGrabAfter: 0 });
    sim.queue.length = 0;
    const { perMinute, byPath } = await requestsPerMinute(sonarrModule, sim, 120, 180);
    expect(perMinute).toBeLessThan(1.2);
    expect(byPath['/api/v3/queue']).toBeUndefined();
  });
});
