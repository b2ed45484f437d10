import { sonarrModule } from '../../src/services/sonarr/index.js';
import { SonarrSim } from '../../src/services/sonarr/sim.js';
import type { ServarrSim } from '../../src/services/servarr/sim/core.js';
import { servarrCommandSuite } from './servarr-suite.js';

const series = (sim: ServarrSim) => (sim as SonarrSim).series[1]!.id;

servarrCommandSuite({
  app: 'sonarr',
  module: sonarrModule,
  start: () => SonarrSim.start({ autoGrabAfter: 0 }),
  idKey: 'seriesId',
  someId: series,
  missingSearch: 'MissingEpisodeSearch',
  upstream: [
    { command: 'refresh', params: {}, name: 'RefreshSeries', body: {} },
    { command: 'refresh', params: { seriesId: 3 }, name: 'RefreshSeries', body: { seriesId: 3 } },
    { command: 'rescan', params: { seriesId: 3 }, name: 'RescanSeries', body: { seriesId: 3 } },
    { command: 'rss_sync', params: {}, name: 'RssSync', body: {} },
    { command: 'missing_search', params: {}, name: 'MissingEpisodeSearch', body: {} },
    { command: 'search', params: { seriesId: 2 }, name: 'SeriesSearch', body: { seriesId: 2 } },
    { command: 'search', params: { episodeIds: [5, 6] }, name: 'EpisodeSearch', body: { episodeIds: [5, 6] } },
  ],
  extraInvalid: { search: [{ seriesId: 1, episodeIds: [2] }, { episodeIds: [] }, { episodeIds: 'all' }] },
});
