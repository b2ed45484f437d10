import { z } from 'zod';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { idParam } from '../../commands/params.js';
import { runUpstreamCommand, servarrCommands } from '../servarr/commands.js';
import type { ServarrService } from '../servarr/service.js';

const oneOrAll = z.object({ seriesId: idParam('seriesId').optional() }).strict();

const searchParams = z
  .object({
    seriesId: idParam('seriesId').optional(),
    episodeIds: z.array(idParam('episodeIds[]'), { error: 'episodeIds must be a list of episode ids' }).min(1, 'episodeIds must not be empty').max(500, 'episodeIds holds more than 500 ids').optional(),
  })
  .strict()
  .refine((p) => (p.seriesId === undefined) !== (p.episodeIds === undefined), { message: 'give exactly one of seriesId or episodeIds' });

/**
 * Sonarr's commands. Upstream names and bodies are Sonarr's `Command` classes
 * (NzbDrone.Core.Tv.Commands.RefreshSeriesCommand {SeriesId}, RescanSeriesCommand {SeriesId},
 * IndexerSearch.SeriesSearchCommand {SeriesId}, EpisodeSearchCommand {EpisodeIds},
 * MissingEpisodeSearchCommand, RssSyncCommand), POSTed to /api/v3/command.
 */
export const sonarrCommands = [
  ...servarrCommands({
    scope: 'sonarr',
    oneOrAll,
    idKey: 'seriesId',
    noun: 'series',
    nouns: 'series',
    wanted: 'episode',
    refresh: (p) => ({ name: 'RefreshSeries', body: p.seriesId ? { seriesId: p.seriesId } : {} }),
    rescan: (p) => ({ name: 'RescanSeries', body: p.seriesId ? { seriesId: p.seriesId } : {} }),
    missingSearch: 'MissingEpisodeSearch',
  }),
  defineCommand({
    name: 'search',
    scope: 'sonarr',
    description: 'Search the indexers for one series (seriesId) or some episodes (episodeIds)',
    params: searchParams,
    bareParam: 'seriesId',
    role: 'operator',
    idempotent: true,
    job: true,
    example: { seriesId: 1 },
    handler: (p, ctx: CommandContext<ServarrService>) =>
      runUpstreamCommand(ctx, p.episodeIds ? { name: 'EpisodeSearch', body: { episodeIds: p.episodeIds } } : { name: 'SeriesSearch', body: { seriesId: p.seriesId } }, ['queue', 'wanted']),
  }),
] as const;
