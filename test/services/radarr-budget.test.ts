import { afterEach, describe, expect, it } from 'vitest';
import { radarrModule } from '../../src/services/radarr/index.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { requestsPerMinute } from './servarr-kit.js';

/**
 * Home Assistant's Radarr integration downloads the whole movie list every 30 s besides its
 * other endpoints; the bridge reads it hourly (and after imports/adds/deletes).
 */
describe('Radarr request budget', () => {
  let sim: RadarrSim;
  afterEach(async () => sim?.stop());

  it('while downloading (30 s polls): < 3 requests/min, the movie list hourly', async () => {
    sim = await RadarrSim.start({ autoGrabAfter: 0 });
    const { perMinute, byPath } = await requestsPerMinute(radarrModule, sim, 30, 180);
    expect(perMinute).toBeLessThan(3);
    expect(byPath['/api/v3/movie']).toBe(3);
  });

  it('idle (120 s polls): about one request per minute', async () => {
    sim = await RadarrSim.start({ autoGrabAfter: 0 });
    sim.queue.length = 0;
    const { perMinute } = await requestsPerMinute(radarrModule, sim, 120, 180);
    expect(perMinute).toBeLessThan(1.2);
  });
});
