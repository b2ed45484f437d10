import { z } from 'zod';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { idParam, textParam } from '../../commands/params.js';
import { CommandError, UpstreamError } from '../../errors.js';
import type { TautulliService } from './service.js';

type Ctx = CommandContext<TautulliService>;

const terminateParams = z
  .object({
    session_key: idParam('session_key').optional(),
    session_id: z.string().trim().min(1).max(100).regex(/^[\w-]+$/, 'session_id is a Plex session id (letters, digits, dashes)').optional(),
    message: textParam('message').optional(),
  })
  .strict()
  .refine((p) => (p.session_key === undefined) !== (p.session_id === undefined), { message: 'give exactly one of session_key or session_id' });

/** Tautulli's command: terminate_session (GET /api/v2?cmd=terminate_session; Tautulli asks Plex to end the stream). */
export const tautulliCommands = [
  defineCommand({
    name: 'terminate_session',
    scope: 'tautulli',
    description: 'End a Plex stream through Tautulli (session_key or session_id), with a message for the viewer',
    params: terminateParams,
    role: 'operator',
    idempotent: true,
    destructive: true,
    example: { session_key: 27, message: 'The server restarts in 5 minutes' },
    handler: async (p, ctx: Ctx) => {
      try {
        await ctx.target.api.terminateSession({ session_key: p.session_key, session_id: p.session_id }, p.message, ctx.signal);
      } catch (err) {
        // Tautulli says "Failed to terminate session: no session found." (api_error) for an unknown one.
        if (err instanceof UpstreamError && /no session found/i.test(err.message)) throw new CommandError('NOT_FOUND', `${ctx.instance} has no session ${p.session_key ?? p.session_id}`);
        throw err;
      }
      await ctx.target.refresh().catch(() => undefined);
      return { session_key: p.session_key ?? null, session_id: p.session_id ?? null, message_sent: !!p.message };
    },
  }),
] as const;
