import { radarrModule } from '../../src/services/radarr/index.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import type { ServarrSim } from '../../src/services/servarr/sim/core.js';
import { servarrCommandSuite } from './servarr-suite.js';

servarrCommandSuite({
  app: 'radarr',
  module: radarrModule,
  start: () => RadarrSim.start({ autoGrabAfter: 0 }),
  idKey: 'movieId',
  someId: (sim: ServarrSim) => (sim as RadarrSim).movies[1]!.id,
  missingSearch: 'MissingMoviesSearch',
  upstream: [
    { command: 'refresh', params: {}, name: 'RefreshMovie', body: {} },
    { command: 'refresh', params: { movieId: 3 }, name: 'RefreshMovie', body: { movieIds: [3] } },
    { command: 'rescan', params: { movieId: 3 }, name: 'RescanMovie', body: { movieId: 3 } },
    { command: 'rss_sync', params: {}, name: 'RssSync', body: {} },
    { command: 'missing_search', params: {}, name: 'MissingMoviesSearch', body: {} },
    { command: 'search', params: { movieId: 2 }, name: 'MoviesSearch', body: { movieIds: [2] } },
  ],
  extraInvalid: { search: [{ movieIds: [2] }] },
});
