import { z } from 'zod';
import { pollUntil } from '../../commands/poll.js';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { textParam } from '../../commands/params.js';
import { CommandError, UpstreamError } from '../../errors.js';
import type { JellyfinService } from './service.js';

type Ctx = CommandContext<JellyfinService>;

/** Polls after a scan request in which no refresh was seen running before the job says so. */
const UNSEEN_POLLS = 5;

const scanParams = z.object({ library: z.string().trim().min(1, 'library must not be empty').max(200).optional() }).strict();
const terminateParams = z
  .object({
    session_id: z.string().trim().min(1, 'session_id must not be empty').max(100).regex(/^[\w-]+$/, 'session_id is a Jellyfin session id (letters, digits, dashes)'),
    message: textParam('message').optional(),
  })
  .strict();

/** Scan of every library: POST /Library/Refresh, then the RefreshLibrary scheduled task until it is idle again. */
async function scanAll(ctx: Ctx): Promise<Record<string, unknown>> {
  const api = ctx.target.api;
  await api.refreshLibrary(ctx.signal);
  let seen = false;
  let polls = 0;
  const last = await pollUntil(ctx.instance, 'the library scan', ctx.signal, async () => {
    const task = (await api.tasks(ctx.signal)).find((t) => t.Key === 'RefreshLibrary');
    if (!task) return { status: 'unknown (no RefreshLibrary task listed)' };
    polls++;
    if (task.State !== 'Idle') {
      seen = true;
      ctx.job?.progress(task.CurrentProgressPercentage ?? null, `scanning all libraries (${task.State.toLowerCase()})`);
      return undefined;
    }
    // Idle: finished, or it had not started yet (or ended before the first look) — wait a few polls.
    if (!seen && polls < UNSEEN_POLLS) return undefined;
    return { status: task.LastExecutionResult?.Status ?? 'unknown', ended: task.LastExecutionResult?.EndTimeUtc ?? null, observed: seen };
  });
  if (last.status !== 'Completed' && last.observed) throw new UpstreamError(ctx.instance, `the library scan ended ${String(last.status).toLowerCase()}`, { code: 'UPSTREAM_COMMAND_FAILED' });
  await ctx.target.refresh().catch(() => undefined);
  return { library: 'all', ...last };
}

/** Scan of one library (by item id or name): POST /Items/{id}/Refresh, then its RefreshStatus in /Library/VirtualFolders. */
async function scanOne(ctx: Ctx, wanted: string): Promise<Record<string, unknown>> {
  const api = ctx.target.api;
  const folders = await api.libraries(ctx.signal);
  const lib = folders.find((f) => f.ItemId === wanted) ?? folders.find((f) => f.Name?.toLowerCase() === wanted.toLowerCase());
  if (!lib?.ItemId) throw new CommandError('NOT_FOUND', `${ctx.instance} has no library "${wanted}" (libraries: ${folders.map((f) => f.Name).filter(Boolean).join(', ') || 'none'})`);
  await api.refreshItem(lib.ItemId, ctx.signal);
  let seen = false;
  let polls = 0;
  await pollUntil(ctx.instance, `the scan of ${lib.Name}`, ctx.signal, async () => {
    const now = (await api.libraries(ctx.signal)).find((f) => f.ItemId === lib.ItemId);
    polls++;
    if (now?.RefreshStatus === 'Active') {
      seen = true;
      ctx.job?.progress(now.RefreshProgress ?? null, `scanning ${lib.Name}`);
      return undefined;
    }
    return seen || polls >= UNSEEN_POLLS ? true : undefined;
  });
  await ctx.target.refresh().catch(() => undefined);
  return { library: lib.Name ?? wanted, id: lib.ItemId, observed: seen };
}

/** Jellyfin's commands. */
export const jellyfinCommands = [
  defineCommand({
    name: 'scan_library',
    scope: 'jellyfin',
    description: 'Scan every library, or one (library: its name or item id), and follow the scan to the end',
    params: scanParams,
    bareParam: 'library',
    role: 'operator',
    idempotent: true,
    job: true,
    control: { platform: 'button', name: 'Scan all libraries', icon: 'mdi:folder-refresh' },
    example: { library: 'Movies' },
    handler: (p, ctx: Ctx) => (p.library === undefined ? scanAll(ctx) : scanOne(ctx, p.library)),
  }),
  defineCommand({
    name: 'terminate_session',
    scope: 'jellyfin',
    description: "Stop a session's playback, after showing it a message",
    params: terminateParams,
    role: 'operator',
    idempotent: true,
    destructive: true,
    example: { session_id: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', message: 'The server restarts in 5 minutes' },
    handler: async (p, ctx: Ctx) => {
      const api = ctx.target.api;
      const session = (await api.sessions(24 * 3600, ctx.signal)).find((s) => s.Id === p.session_id);
      if (!session) throw new CommandError('NOT_FOUND', `${ctx.instance} has no session "${p.session_id}"`);
      if (p.message) await api.sendMessage(p.session_id, p.message, ctx.signal);
      await api.stopPlayback(p.session_id, ctx.signal);
      await ctx.target.refresh().catch(() => undefined);
      return { session_id: p.session_id, user: session.UserName ?? null, device: session.DeviceName ?? null, message_sent: !!p.message };
    },
  }),
] as const;
