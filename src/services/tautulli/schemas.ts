import { z } from 'zod';

/**
 * The fields we read from Tautulli API v2 answers (specs/tautulli/api-reference.md). Tautulli sends
 * most numbers as strings (`"stream_count": "1"`, `"bandwidth": "25318"`) and some as numbers, and
 * uses "" for "none"; the helpers accept both and never let a non-number through.
 */
const numeric = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

/** A number Tautulli must send (as a number or a numeric string). */
export const num = numeric;

/** A number Tautulli may leave empty (""/null/absent) → null. */
export const optNum = z
  .union([numeric, z.literal(''), z.null()])
  .optional()
  .transform((v) => (typeof v === 'number' ? v : null));

const optStr = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? '' : String(v)));

/** The envelope of every answer: `{"response": {"result": "success", "message": null, "data": …}}`. */
export const envelopeSchema = z.object({
  response: z.looseObject({
    result: z.string(),
    message: z.string().nullable().optional(),
    data: z.unknown().optional(),
  }),
});

/** One entry of `get_activity` → `sessions` (spec: get_activity "Returns"). */
export const sessionSchema = z.looseObject({
  session_key: optStr,
  session_id: optStr,
  friendly_name: optStr,
  user: optStr,
  full_title: optStr,
  title: optStr,
  media_type: optStr,
  year: optStr,
  state: optStr,
  progress_percent: optNum,
  transcode_decision: optStr,
  quality_profile: optStr,
  stream_video_full_resolution: optStr,
  video_full_resolution: optStr,
  player: optStr,
  product: optStr,
  platform: optStr,
  location: optStr,
  bandwidth: optNum,
  // Read by the playback-session normaliser (sessions.ts).
  rating_key: optStr,
  grandparent_title: optStr,
  parent_media_index: optNum,
  media_index: optNum,
  live: optNum,
  view_offset: optNum,
  duration: optNum,
  video_decision: optStr,
  audio_decision: optStr,
  subtitle_decision: optStr,
  stream_container_decision: optStr,
  stream_video_codec: optStr,
  video_codec: optStr,
  stream_audio_codec: optStr,
  audio_codec: optStr,
  stream_video_resolution: optStr,
  device: optStr,
});
export type TautulliSession = z.output<typeof sessionSchema>;

/**
 * `get_activity`. The per-decision counts and the bandwidths are added by Tautulli's webserve
 * wrapper; older releases lack them, so they are optional and derived from the sessions then.
 */
export const activitySchema = z.looseObject({
  stream_count: num,
  stream_count_direct_play: optNum,
  stream_count_direct_stream: optNum,
  stream_count_transcode: optNum,
  total_bandwidth: optNum,
  lan_bandwidth: optNum,
  wan_bandwidth: optNum,
  sessions: z.array(sessionSchema),
});
export type TautulliActivity = z.output<typeof activitySchema>;

/** `get_server_info`: the Plex Media Server Tautulli watches. */
export const serverInfoSchema = z.looseObject({
  pms_name: optStr,
  pms_version: optStr,
  pms_platform: optStr,
});

/** `get_tautulli_info`: Tautulli's own version. */
export const tautulliInfoSchema = z.looseObject({
  tautulli_version: z.string(),
});

/** `server_status`: `{"connected": true}` once the envelope took `result` out (api2.py `_api_run`). */
export const serverStatusSchema = z.looseObject({
  connected: z.boolean(),
});
