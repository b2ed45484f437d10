import { z } from 'zod';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { idParam, noParams } from '../../commands/params.js';
import { UpstreamError } from '../../errors.js';
import type { ServarrApi } from './api.js';
import type { ServarrService } from './service.js';
import type { Resource } from './webhook.js';
import type { CommandRecord } from './schemas.js';

/** A command that has run for this long upstream is given up on (a full missing search on a big library takes a while). */
const COMMAND_DEADLINE_MS = 2 * 60 * 60_000;

/** An upstream command: its name and body (Sonarr/Radarr `Command` subclasses, camelCase properties). */
export interface UpstreamCommand {
  name: string;
  body?: Record<string, unknown>;
}

/**
 * Starts an upstream command (POST /api/v3/command), follows it with GET /api/v3/command/{id}
 * until CommandStatus is final, reports each status as the job's step, and re-reads the
 * resources it changes (`after`). The upstream gives no percentage, so progress stays unknown until the
 * end. A final status other than `completed` fails the job with the upstream's message.
 */
export async function followUpstreamCommand(ctx: CommandContext<unknown>, client: ServarrApi, cmd: UpstreamCommand, after: () => Promise<void>): Promise<Record<string, unknown>> {
  const { job } = ctx;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(COMMAND_DEADLINE_MS)]);
  const started = await client.startCommand(cmd.name, signal, cmd.body);
  const report = (c: CommandRecord) => job?.progress(null, `${c.commandName ?? c.name ?? cmd.name}: ${c.status}${c.message ? ` (${c.message})` : ''}`);
  report(started);
  const done = await client.waitForCommand(started.id, signal, { firstMs: 250, everyMs: 2000, onProgress: report });
  if (done.status !== 'completed') {
    throw new UpstreamError(ctx.instance, `${cmd.name} ended ${done.status}${done.message ? `: ${done.message}` : ''}`, { code: 'UPSTREAM_COMMAND_FAILED' });
  }
  // What the command changed is read now, not at the next due poll; a failing poll is the poll's to report.
  await after().catch(() => undefined);
  return { command_id: done.id, name: done.name ?? cmd.name, status: done.status, result: done.result ?? null, message: done.message ?? null, started: done.started ?? null, ended: done.ended ?? null };
}

/** A Sonarr/Radarr command, then a targeted refresh of the resources it changes. */
export function runUpstreamCommand(ctx: CommandContext<ServarrService>, cmd: UpstreamCommand, refresh: readonly Resource[]): Promise<Record<string, unknown>> {
  return followUpstreamCommand(ctx, ctx.target.client, cmd, () => ctx.target.refreshOnly(refresh));
}

/** How Sonarr and Radarr name the same operations (Sonarr: NzbDrone.Core.Tv.Commands, Radarr: NzbDrone.Core.Movies.Commands). */
export interface ServarrCommandNames<S extends z.ZodType> {
  scope: 'sonarr' | 'radarr';
  /** `{seriesId?}` / `{movieId?}`: one item, or all when absent. */
  oneOrAll: S;
  /** The parameter naming one item: `seriesId` / `movieId`. */
  idKey: string;
  noun: string;
  nouns: string;
  /** What a missing search looks for (episodes, movies). */
  wanted: string;
  refresh: (p: z.output<S>) => UpstreamCommand;
  rescan: (p: z.output<S>) => UpstreamCommand;
  missingSearch: string;
}

/** The commands both apps have: refresh, rescan, rss_sync, missing_search (each app adds its own `search`). */
export function servarrCommands<S extends z.ZodType>(n: ServarrCommandNames<S>) {
  const example = { [n.idKey]: 1 } as z.input<S>;
  return [
    defineCommand({
      name: 'refresh',
      scope: n.scope,
      description: `Refresh metadata and scan files of every ${n.noun}, or of one (${n.idKey})`,
      params: n.oneOrAll,
      bareParam: n.idKey,
      role: 'operator',
      idempotent: true,
      job: true,
      control: { platform: 'button', name: `Refresh all ${n.nouns}`, icon: 'mdi:refresh' },
      example,
      handler: (p, ctx: CommandContext<ServarrService>) => runUpstreamCommand(ctx, n.refresh(p), ['library', 'wanted', 'calendar', 'disk']),
    }),
    defineCommand({
      name: 'rescan',
      scope: n.scope,
      description: `Rescan the files on disk of every ${n.noun}, or of one (${n.idKey})`,
      params: n.oneOrAll,
      bareParam: n.idKey,
      role: 'operator',
      idempotent: true,
      job: true,
      example,
      handler: (p, ctx: CommandContext<ServarrService>) => runUpstreamCommand(ctx, n.rescan(p), ['library', 'wanted', 'disk']),
    }),
    defineCommand({
      name: 'rss_sync',
      scope: n.scope,
      description: "Check the indexers' RSS feeds for new releases now",
      params: noParams,
      role: 'operator',
      idempotent: true,
      job: true,
      control: { platform: 'button', name: 'RSS sync', icon: 'mdi:rss' },
      example: {},
      handler: (_p, ctx: CommandContext<ServarrService>) => runUpstreamCommand(ctx, { name: 'RssSync' }, ['queue']),
    }),
    defineCommand({
      name: 'missing_search',
      scope: n.scope,
      description: `Search the indexers for every missing monitored ${n.wanted}`,
      params: noParams,
      role: 'operator',
      idempotent: true,
      job: true,
      control: { platform: 'button', name: 'Search missing', icon: 'mdi:magnify' },
      example: {},
      handler: (_p, ctx: CommandContext<ServarrService>) => runUpstreamCommand(ctx, { name: n.missingSearch }, ['queue', 'wanted']),
    }),
  ] as const;
}
