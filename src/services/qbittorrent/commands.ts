import { z } from 'zod';
import { defineCommand, type CommandContext } from '../../commands/registry.js';
import { flagParam } from '../../commands/params.js';
import { CommandError } from '../../errors.js';
import type { Hashes } from './api.js';
import type { FieldOf } from '../../mqtt/contract.js';
import { STATE, type QbittorrentStates } from './entities.js';
import type { QbittorrentService } from './service.js';

/**
 * A decoded .torrent larger than this is refused: its base64 must fit in one command payload
 * (256 KiB). Bigger torrents are added by URL.
 */
export const MAX_TORRENT_BYTES = 160 * 1024;

/** v1 info hashes are 40 hex digits, v2 (BitTorrent v2) 64. */
const hash = z.string().regex(/^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/, 'a torrent hash is 40 (or 64) hexadecimal digits');
const hashes = z.union([z.literal('all'), hash, z.array(hash).min(1, 'hashes must not be empty').max(1000, 'hashes holds more than 1000 hashes')], {
  error: 'hashes must be "all", one torrent hash, or a list of hashes',
});

function toHashes(h: z.output<typeof hashes>): Hashes {
  if (h === 'all') return 'all';
  return (Array.isArray(h) ? h : [h]).map((x) => x.toLowerCase());
}

/** The WebUI API accepts http://, https://, magnet: and bc://bt/ links (Add new torrent). */
const link = z.string().max(8192, 'a link is longer than 8192 characters').regex(/^(?:magnet:\?|https?:\/\/|bc:\/\/bt\/)\S+$/i, 'each url must be a magnet:, http(s):// or bc://bt/ link');
const tag = z.string().min(1).max(100).regex(/^[^,\n]+$/, 'a tag may not contain commas or newlines');

const addParams = z
  .object({
    urls: z.union([link, z.array(link).min(1, 'urls must not be empty').max(100, 'urls holds more than 100 links')]).optional(),
    torrent: z.string().min(1, 'torrent must not be empty').optional(),
    category: z.string().max(200).optional(),
    save_path: z.string().min(1).max(4096).optional(),
    paused: z.boolean({ error: 'paused must be true or false' }).optional(),
    tags: z.union([tag, z.array(tag).max(50)]).optional(),
  })
  .strict()
  .refine((p) => (p.urls === undefined) !== (p.torrent === undefined), { message: 'give exactly one of urls (magnet or .torrent links) or torrent (a .torrent file as base64)' });

/** A .torrent file sent as base64: decoded strictly, size-checked, and checked to be a bencoded dictionary with an info key. */
export function decodeTorrent(b64: string): Buffer {
  const clean = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean) || clean.length % 4 === 1) throw new CommandError('INVALID_PARAMS', 'torrent: not valid base64');
  const data = Buffer.from(clean, 'base64');
  if (data.length > MAX_TORRENT_BYTES) throw new CommandError('INVALID_PARAMS', `torrent: the file is larger than ${MAX_TORRENT_BYTES} bytes`);
  if (data[0] !== 0x64 || !data.includes('4:info')) throw new CommandError('INVALID_PARAMS', 'torrent: not a .torrent file (no bencoded dictionary with an info key)');
  return data;
}

const hashesParams = z.object({ hashes }).strict();
const removeParams = z.object({ hashes, delete_files: z.boolean({ error: 'delete_files is required: true removes the downloaded data too, false keeps it' }) }).strict();
const altParams = z.object({ enabled: flagParam('enabled') }).strict();

type Ctx = CommandContext<QbittorrentService>;

/**
 * Re-reads the torrents now, so the state shows the change without waiting for the next poll.
 * The answer does not wait for it: qBittorrent has accepted the change, and the state topic
 * follows a moment later (one incremental sync/maindata).
 */
async function after<T>(ctx: Ctx, result: T): Promise<T> {
  void ctx.target.refresh().catch(() => undefined);
  return result;
}

/** qBittorrent's commands, on the version-aware WebUI API client (4.x and 5.x names). */
export const qbittorrentCommands = [
  defineCommand({
    name: 'add',
    scope: 'qbittorrent',
    description: 'Add torrents: magnet/.torrent links (urls) or one .torrent file as base64 (torrent)',
    params: addParams,
    bareParam: 'urls',
    role: 'operator',
    idempotent: true,
    example: { urls: 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=example', category: 'tv', paused: false, tags: ['mqtt'] },
    handler: async (p, ctx: Ctx) => {
      const torrents = p.torrent !== undefined ? [decodeTorrent(p.torrent)] : undefined;
      const urls = p.urls === undefined ? undefined : Array.isArray(p.urls) ? p.urls : [p.urls];
      const tags = p.tags === undefined ? undefined : Array.isArray(p.tags) ? p.tags : [p.tags];
      await ctx.target.client.add({ urls, torrents, category: p.category, savepath: p.save_path, paused: p.paused, tags }, ctx.signal);
      // qBittorrent answers "Ok." for the request as a whole, not per torrent: report what was sent.
      return after(ctx, { submitted: urls?.length ?? 1 });
    },
  }),
  defineCommand({
    name: 'pause',
    scope: 'qbittorrent',
    description: 'Pause (stop) torrents: one hash, a list, or "all"',
    params: hashesParams,
    bareParam: 'hashes',
    role: 'operator',
    idempotent: true,
    control: { platform: 'button', name: 'Pause all torrents', icon: 'mdi:pause', payload: { hashes: 'all' } },
    example: { hashes: 'all' },
    handler: async (p, ctx: Ctx) => {
      await ctx.target.client.pause(toHashes(p.hashes), ctx.signal);
      return after(ctx, { hashes: p.hashes });
    },
  }),
  defineCommand({
    name: 'resume',
    scope: 'qbittorrent',
    description: 'Resume (start) torrents: one hash, a list, or "all"',
    params: hashesParams,
    bareParam: 'hashes',
    role: 'operator',
    idempotent: true,
    control: { platform: 'button', name: 'Resume all torrents', icon: 'mdi:play', payload: { hashes: 'all' } },
    example: { hashes: 'all' },
    handler: async (p, ctx: Ctx) => {
      await ctx.target.client.resume(toHashes(p.hashes), ctx.signal);
      return after(ctx, { hashes: p.hashes });
    },
  }),
  defineCommand({
    name: 'alt_speed',
    scope: 'qbittorrent',
    description: 'Turn the alternative speed limits on or off',
    params: altParams,
    bareParam: 'enabled',
    role: 'operator',
    idempotent: true,
    control: { platform: 'switch', name: 'Alternative speed limits', icon: 'mdi:speedometer-slow', state: STATE.transfer, field: 'alt_speed_limits' satisfies FieldOf<QbittorrentStates, typeof STATE.transfer>, param: 'enabled' },
    example: { enabled: true },
    handler: async (p, ctx: Ctx) => {
      await ctx.target.client.setAltSpeed(p.enabled, ctx.signal);
      return after(ctx, { enabled: p.enabled });
    },
  }),
  defineCommand({
    name: 'remove',
    scope: 'qbittorrent',
    description: 'Remove torrents (hashes); delete_files (required) says whether the downloaded data goes too',
    params: removeParams,
    role: 'operator',
    idempotent: true,
    // Removing a torrent can be undone by adding it again; deleting its data cannot.
    destructive: (p) => p.delete_files,
    example: { hashes: ['0123456789abcdef0123456789abcdef01234567'], delete_files: false },
    handler: async (p, ctx: Ctx) => {
      await ctx.target.client.remove(toHashes(p.hashes), p.delete_files, ctx.signal);
      return after(ctx, { hashes: p.hashes, delete_files: p.delete_files });
    },
  }),
] as const;
