import { z } from 'zod';
import { pollUntil } from '../../commands/poll.js';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { textParam } from '../../commands/params.js';
import { CommandError } from '../../errors.js';
import type { PlexService } from './service.js';

type Ctx = CommandContext<PlexService>;

/** Polls after the scan request in which no scan activity was seen before the job says so. */
const UNSEEN_POLLS = 5;

const scanParams = z.object({ library: z.union([z.string().trim().min(1, 'library must not be empty').max(200), z.number().int().positive().transform(String)], { error: 'library is a section key or title' }).optional() }).strict();
const terminateParams = z
  .object({
    session_id: z.string().trim().min(1, 'session_id must not be empty').max(100).regex(/^[\w-]+$/, 'session_id is the Session id from /status/sessions (letters, digits, dashes)'),
    message: textParam('message').optional(),
  })
  .strict();

/**
 * Plex's commands. A scan is POST /library/sections/{sectionId}/refresh per section (the spec has no
 * "refresh all" POST), followed through the `library.update.section` activities until none of
 * those sections is scanning.
 */
export const plexCommands = [
  defineCommand({
    name: 'scan_library',
    scope: 'plex',
    description: 'Scan every library section, or one (library: its key or title), and follow the scan to the end',
    params: scanParams,
    bareParam: 'library',
    role: 'operator',
    idempotent: true,
    job: true,
    control: { platform: 'button', name: 'Scan all libraries', icon: 'mdi:folder-refresh' },
    example: { library: 'Movies' },
    handler: async (p, ctx: Ctx) => {
      const api = ctx.target.api;
      const sections = await api.sections(ctx.signal);
      const chosen = p.library === undefined ? sections : sections.filter((s) => s.key === p.library || s.title.toLowerCase() === p.library!.toLowerCase()).slice(0, 1);
      if (!chosen.length) throw new CommandError('NOT_FOUND', `${ctx.instance} has no library "${p.library}" (libraries: ${sections.map((s) => s.title).join(', ') || 'none'})`);
      for (const s of chosen) await api.refreshSection(s.key, ctx.signal);
      const keys = new Set(chosen.map((s) => s.key));
      let seen = false;
      let polls = 0;
      await pollUntil(ctx.instance, 'the library scan', ctx.signal, async () => {
        polls++;
        const scans = (await api.activities(ctx.signal)).filter((a) => a.type === 'library.update.section' && keys.has(String(a.Context?.librarySectionID ?? '')));
        if (scans.length) {
          seen = true;
          const pct = scans.map((a) => Math.max(0, a.progress ?? 0));
          ctx.job?.progress(pct.reduce((x, y) => x + y, 0) / pct.length, scans.map((a) => a.title ?? 'scanning').join('; '));
          return undefined;
        }
        return seen || polls >= UNSEEN_POLLS ? true : undefined;
      });
      await ctx.target.refresh().catch(() => undefined);
      return { libraries: chosen.map((s) => ({ key: s.key, title: s.title })), observed: seen };
    },
  }),
  defineCommand({
    name: 'terminate_session',
    scope: 'plex',
    description: 'End a playback session; the message is shown to the viewer (Plex Pass feature)',
    params: terminateParams,
    role: 'operator',
    idempotent: true,
    destructive: true,
    example: { session_id: 'cdefghijklmnopqrstuvwxyz', message: 'The server restarts in 5 minutes' },
    handler: async (p, ctx: Ctx) => {
      const api = ctx.target.api;
      const session = (await api.sessions(ctx.signal)).find((s) => s.Session?.id === p.session_id);
      if (!session) throw new CommandError('NOT_FOUND', `${ctx.instance} has no playback session "${p.session_id}" (use the Session id of /status/sessions)`);
      await api.terminateSession(p.session_id, p.message, ctx.signal);
      await ctx.target.refresh().catch(() => undefined);
      return { session_id: p.session_id, user: session.User?.title ?? null, title: session.title ?? null, message_sent: !!p.message };
    },
  }),
] as const;
