import { z } from 'zod';

/**
 * The fields media2mqtt reads from qBittorrent's WebUI API v2, typed on the official docs
 * (../shared/specs/qbittorrent/webui-api.md for 5.x, webui-api-4.1.md for 4.x). Objects are
 * loose: qBittorrent adds fields between versions, and an extra field must never fail a poll.
 */

// zod 4 numbers already refuse NaN and Infinity, so nothing non-finite reaches a topic.
const int = z.number();

/** `/api/v2/app/version`: "The response is a string with the application version, e.g. `v4.1.3`". */
export const appVersionSchema = z
  .string()
  .trim()
  .regex(/^v?\d+\.\d+(\.\d+)?([-.+][\w.]+)?$/, 'not a version string');

/** `/api/v2/app/webapiVersion`: "a string with the WebAPI version, e.g. `2.0`" (X.Y.Z since 2.0). */
export const webapiVersionSchema = z
  .string()
  .trim()
  .regex(/^\d+\.\d+(\.\d+)?$/, 'not a WebAPI version');

/**
 * One torrent as `/sync/maindata` carries it ("value: same as torrent list"). In partial updates
 * only the changed fields are present, so every field is optional here; the hash is the map key.
 */
export const torrentPatchSchema = z.looseObject({
  name: z.string().optional(),
  state: z.string().optional(),
  progress: int.optional(),
  dlspeed: int.optional(),
  upspeed: int.optional(),
  eta: int.optional(),
  category: z.string().optional(),
  size: int.optional(),
  amount_left: int.optional(),
  added_on: int.optional(),
});
export type TorrentPatch = z.infer<typeof torrentPatchSchema>;

/**
 * `server_state` ("Global transfer info": the `/transfer/info` fields plus the partial-data extras
 * `queueing`, `use_alt_speed_limits`, `refresh_interval`). `free_space_on_disk` was added to
 * `/sync/maindata` in API v2.1.1 (4.1 doc, Changes). Partial updates carry only changed fields.
 */
export const serverStatePatchSchema = z.looseObject({
  dl_info_speed: int.optional(),
  dl_info_data: int.optional(),
  up_info_speed: int.optional(),
  up_info_data: int.optional(),
  dl_rate_limit: int.optional(),
  up_rate_limit: int.optional(),
  dht_nodes: int.optional(),
  connection_status: z.string().optional(),
  use_alt_speed_limits: z.boolean().optional(),
  free_space_on_disk: int.optional(),
});
export type ServerStatePatch = z.infer<typeof serverStatePatchSchema>;

/** `/api/v2/sync/maindata?rid=N`. */
export const mainDataSchema = z.looseObject({
  rid: z.number().int(),
  full_update: z.boolean().optional(),
  torrents: z.record(z.string(), torrentPatchSchema).optional(),
  torrents_removed: z.array(z.string()).optional(),
  server_state: serverStatePatchSchema.optional(),
});
export type MainData = z.infer<typeof mainDataSchema>;
