import { z } from 'zod';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { idParam, textParam } from '../../commands/params.js';
import { CommandError, UpstreamError } from '../../errors.js';
import type { MediaRequest } from './schemas.js';
import type { SeerrService } from './service.js';

const REQUEST_STATUS: Record<number, string> = { 1: 'pending', 2: 'approved', 3: 'declined' };

function answer(r: MediaRequest): Record<string, unknown> {
  return { id: r.id, status: REQUEST_STATUS[r.status] ?? r.status, type: r.type ?? null, is4k: r.is4k ?? false, tmdb_id: r.media?.tmdbId ?? null };
}

/** A request id that does not exist is the caller's mistake, not an upstream failure. */
async function setStatus(ctx: CommandContext<SeerrService>, id: number, run: () => Promise<MediaRequest>): Promise<MediaRequest> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404) throw new CommandError('NOT_FOUND', `${ctx.instance} has no request ${id}`);
    throw err;
  }
}

const approveParams = z.object({ id: idParam('id') }).strict();
const declineParams = z.object({ id: idParam('id'), reason: textParam('reason').optional() }).strict();

/**
 * Jellyseerr/Overseerr commands (POST /request/{requestId}/approve|decline, both specs). The
 * status endpoint takes no body: there is nowhere upstream for a decline reason, so `reason` is
 * kept in the bridge's answer and audit trail only (README says so).
 */
export function seerrCommands<T extends 'jellyseerr' | 'overseerr'>(scope: T) {
  return [
    defineCommand({
      name: 'approve',
      scope,
      description: 'Approve a pending request by id',
      params: approveParams,
      bareParam: 'id',
      role: 'operator',
      idempotent: true,
      example: { id: 12 },
      handler: async (p, ctx: CommandContext<SeerrService>) => answer(await setStatus(ctx, p.id, () => ctx.target.approve(p.id, ctx.signal))),
    }),
    defineCommand({
      name: 'decline',
      scope,
      description: 'Decline a pending request by id (the reason stays in the bridge: the API has no field for it)',
      params: declineParams,
      bareParam: 'id',
      role: 'operator',
      idempotent: true,
      example: { id: 12, reason: 'Already in the library in 4K' },
      handler: async (p, ctx: CommandContext<SeerrService>) => ({
        ...answer(await setStatus(ctx, p.id, () => ctx.target.decline(p.id, ctx.signal))),
        ...(p.reason ? { reason: p.reason, reason_sent_upstream: false } : {}),
      }),
    }),
  ] as const;
}

export const jellyseerrCommands = seerrCommands('jellyseerr');
export const overseerrCommands = seerrCommands('overseerr');
