import { z } from 'zod';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { idParam } from '../../commands/params.js';
import { runUpstreamCommand, servarrCommands } from '../servarr/commands.js';
import type { ServarrService } from '../servarr/service.js';

const oneOrAll = z.object({ movieId: idParam('movieId').optional() }).strict();
const one = z.object({ movieId: idParam('movieId') }).strict();

/**
 * Radarr's commands. Upstream names and bodies are Radarr's `Command` classes
 * (NzbDrone.Core.Movies.Commands.RefreshMovieCommand {MovieIds}, RescanMovieCommand {MovieId},
 * IndexerSearch.MoviesSearchCommand {MovieIds}, MissingMoviesSearchCommand, RssSyncCommand),
 * POSTed to /api/v3/command.
 */
export const radarrCommands = [
  ...servarrCommands({
    scope: 'radarr',
    oneOrAll,
    idKey: 'movieId',
    noun: 'movie',
    nouns: 'movies',
    wanted: 'movie',
    refresh: (p) => ({ name: 'RefreshMovie', body: p.movieId ? { movieIds: [p.movieId] } : {} }),
    rescan: (p) => ({ name: 'RescanMovie', body: p.movieId ? { movieId: p.movieId } : {} }),
    missingSearch: 'MissingMoviesSearch',
  }),
  defineCommand({
    name: 'search',
    scope: 'radarr',
    description: 'Search the indexers for one movie (movieId)',
    params: one,
    bareParam: 'movieId',
    role: 'operator',
    idempotent: true,
    job: true,
    example: { movieId: 1 },
    handler: (p, ctx: CommandContext<ServarrService>) => runUpstreamCommand(ctx, { name: 'MoviesSearch', body: { movieIds: [p.movieId] } }, ['queue', 'wanted']),
  }),
] as const;
