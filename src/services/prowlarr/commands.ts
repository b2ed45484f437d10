import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { noParams } from '../../commands/params.js';
import { followUpstreamCommand } from '../servarr/commands.js';
import type { ProwlarrService } from './service.js';

type Ctx = CommandContext<ProwlarrService>;

/** Prowlarr's commands: the app sync (a Prowlarr command, followed as a job) and the indexer test. */
export const prowlarrCommands = [
  defineCommand({
    name: 'sync_indexers',
    scope: 'prowlarr',
    description: 'Push the indexers to the connected apps (Sonarr, Radarr, …) now',
    params: noParams,
    role: 'operator',
    idempotent: true,
    job: true,
    control: { platform: 'button', name: 'Sync indexers to apps', icon: 'mdi:sync' },
    example: {},
    // ApplicationIndexerSyncCommand (NzbDrone.Core.Applications), what "Sync App Indexers" in the UI sends.
    handler: (_p, ctx: Ctx) => followUpstreamCommand(ctx, ctx.target.commandApi, { name: 'ApplicationIndexerSync' }, () => ctx.target.refresh()),
  }),
  defineCommand({
    name: 'test_indexers',
    scope: 'prowlarr',
    description: 'Test every enabled indexer; the answer lists the failing ones',
    params: noParams,
    role: 'operator',
    idempotent: true,
    control: { platform: 'button', name: 'Test all indexers', icon: 'mdi:test-tube' },
    example: {},
    handler: async (_p, ctx: Ctx) => {
      const results = await ctx.target.api.testAll(ctx.signal);
      const failed = results.filter((r) => !r.isValid);
      const names = failed.length ? new Map((await ctx.target.api.indexers(ctx.signal)).map((i) => [i.id, i.name ?? `#${i.id}`])) : new Map<number, string>();
      await ctx.target.refresh().catch(() => undefined);
      return {
        tested: results.length,
        passed: results.length - failed.length,
        failed: failed.map((r) => ({
          id: r.id,
          name: names.get(r.id) ?? `#${r.id}`,
          errors: (r.validationFailures ?? []).map((f) => f.errorMessage ?? '').filter(Boolean),
        })),
      };
    },
  }),
] as const;
