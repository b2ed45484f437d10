import { z } from 'zod';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { noParams } from '../../commands/params.js';
import type { FieldOf } from '../../mqtt/contract.js';
import { SabnzbdState, type SabnzbdStates } from './entities.js';
import type { SabnzbdService } from './service.js';

type Ctx = CommandContext<SabnzbdService>;

/** The `queue` field the speed limit control shows (bytes/s, null without a limit). */
const SPEED_LIMIT: FieldOf<SabnzbdStates, typeof SabnzbdState.queue> = 'speed_limit';

/** addurl `priority` (api.html "Add NZB by URL"): -100 default of the category, -2 paused, -1 low, 0 normal, 1 high, 2 force. */
const PRIORITIES = { default: -100, paused: -2, low: -1, normal: 0, high: 1, force: 2 } as const;

const addParams = z
  .object({
    url: z.string().max(8192).regex(/^https?:\/\/\S+$/i, 'url must be an http(s) link to an NZB'),
    name: z.string().min(1).max(500).optional(),
    category: z.string().min(1).max(200).optional(),
    priority: z.enum(Object.keys(PRIORITIES) as [keyof typeof PRIORITIES, ...(keyof typeof PRIORITIES)[]], { error: `priority must be one of ${Object.keys(PRIORITIES).join(', ')}` }).optional(),
  })
  .strict();

const minutes = z.union([z.number().int().min(1).max(7 * 24 * 60), z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().int().min(1).max(7 * 24 * 60))], {
  error: 'minutes must be a whole number from 1 to 10080 (a week)',
});
const pauseParams = z.object({ minutes: minutes.optional() }).strict();

/**
 * `speedlimit` takes a percentage of the configured line speed ("50", "50%") or an absolute rate
 * with K or M ("400K", "5M"); "0" or "100" removes the limit (api.html "Set speedlimit").
 */
const limit = z.union([
  z.number().min(0).max(100).transform((n) => String(n)),
  z.string().trim().regex(/^(?:\d{1,3}(?:\.\d+)?%?|\d+(?:\.\d+)?[KkMm])$/, 'limit must be a percentage (0–100, e.g. "50" or "50%") or a rate like "400K" or "5M"').refine((v) => /[KkMm]$/.test(v) || Number(v.replace('%', '')) <= 100, 'a percentage is at most 100'),
], { error: 'limit must be a percentage (0–100) or a rate like "5M"' });
const limitParams = z.object({ limit }).strict();

async function after<T>(ctx: Ctx, result: T): Promise<T> {
  await ctx.target.refresh().catch(() => undefined);
  return result;
}

/** SABnzbd's commands (GET /api?mode=…, the documented modes of api.html). */
export const sabnzbdCommands = [
  defineCommand({
    name: 'add_url',
    scope: 'sabnzbd',
    description: 'Add an NZB by URL (optional job name, category, priority)',
    params: addParams,
    bareParam: 'url',
    role: 'operator',
    idempotent: false,
    example: { url: 'https://indexer.example/get.php?guid=ed731c0b', category: 'tv', priority: 'high' },
    handler: async (p, ctx: Ctx) => {
      const ids = await ctx.target.api.addUrl({ url: p.url, name: p.name, category: p.category, priority: p.priority === undefined ? undefined : PRIORITIES[p.priority] }, ctx.signal);
      return after(ctx, { nzo_ids: ids });
    },
  }),
  defineCommand({
    name: 'pause',
    scope: 'sabnzbd',
    description: 'Pause the whole queue, until resumed or for some minutes',
    params: pauseParams,
    bareParam: 'minutes',
    role: 'operator',
    idempotent: true,
    control: { platform: 'button', name: 'Pause queue', icon: 'mdi:pause' },
    example: { minutes: 30 },
    handler: async (p, ctx: Ctx) => {
      await ctx.target.api.pause(p.minutes, ctx.signal);
      return after(ctx, { paused: true, minutes: p.minutes ?? null });
    },
  }),
  defineCommand({
    name: 'resume',
    scope: 'sabnzbd',
    description: 'Resume the whole queue',
    params: noParams,
    role: 'operator',
    idempotent: true,
    control: { platform: 'button', name: 'Resume queue', icon: 'mdi:play' },
    example: {},
    handler: async (_p, ctx: Ctx) => {
      await ctx.target.api.resume(ctx.signal);
      return after(ctx, { paused: false });
    },
  }),
  defineCommand({
    name: 'speed_limit',
    scope: 'sabnzbd',
    description: 'Set the download speed limit: a percentage of the line speed, or a rate like "5M"',
    params: limitParams,
    bareParam: 'limit',
    role: 'operator',
    idempotent: true,
    example: { limit: '5M' },
    // HA sets MiB/s; SABnzbd's K is KiB/s (from_units multiplies by 1024), so whole KiB keep the
    // value exact. 0 is "no limit", what SABnzbd does with "0" (api.html "Set speedlimit").
    control: {
      platform: 'number',
      name: 'Speed limit',
      icon: 'mdi:speedometer-slow',
      state: SabnzbdState.queue,
      valueTemplate: `{{ ((value_json.${SPEED_LIMIT} / 1048576) | round(2)) if value_json.${SPEED_LIMIT} is number else 0 }}`,
      commandTemplate: "{{ {'limit': ('0' if (value | float) <= 0 else ((value | float) * 1024) | round(0) ~ 'K')} | tojson }}",
      min: 0,
      max: 1000,
      step: 0.1,
      unit: 'MiB/s',
      deviceClass: 'data_rate',
    },
    handler: async (p, ctx: Ctx) => {
      await ctx.target.api.speedLimit(p.limit, ctx.signal);
      return after(ctx, { limit: p.limit });
    },
  }),
] as const;
