import { z } from 'zod';

/**
 * The fields media2mqtt reads from the SABnzbd API (`GET /api?mode=…&output=json`), taken from
 * the official API page (shared/specs/sabnzbd/api.html). SABnzbd writes most numbers as strings
 * ("kbpersec": "1296.02", "mbleft": "1271.58", "have_warnings": "0"); these parse them and refuse
 * anything that is not a finite number, so a garbage answer never becomes NaN on MQTT.
 */

const toNumber = (v: string | number): number => (typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v));

/** A number, possibly written as a string. */
export const num = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = toNumber(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(v).slice(0, 30)}` });
    return z.NEVER;
  }
  return n;
});

/** A number that may be absent or empty ("speedlimit_abs": "" when no limit is set). */
export const optNum = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
    const n = toNumber(v);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(v).slice(0, 30)}` });
      return z.NEVER;
    }
    return n;
  });

const count = z.number().int().nonnegative();

/** Every error SABnzbd reports comes as `{"status": false, "error": "…"}` with HTTP 200 (api.py report()). */
export const errorSchema = z.looseObject({ status: z.literal(false), error: z.string() });

/** One job of `mode=queue` (queue.slots[]). */
export const queueSlotSchema = z.looseObject({
  nzo_id: z.string(),
  filename: z.string(),
  status: z.string(),
  cat: z.string().nullish(),
  percentage: num,
  mb: num,
  mbleft: num,
  timeleft: z.string(),
});
export type QueueSlot = z.output<typeof queueSlotSchema>;

/** `mode=queue`: status, speed, sizes, disk space and the (limited) job list in one answer. */
export const queueSchema = z.looseObject({
  queue: z.looseObject({
    status: z.string(),
    paused: z.boolean(),
    kbpersec: num,
    /** Percentage of the maximum line speed. */
    speedlimit: optNum,
    /** Bytes per second. */
    speedlimit_abs: optNum,
    mb: num,
    mbleft: num,
    timeleft: z.string(),
    noofslots_total: count,
    /** Free and total GB of the incomplete (1) and complete (2) folders. */
    diskspace1: optNum,
    diskspacetotal1: optNum,
    diskspace2: optNum,
    diskspacetotal2: optNum,
    have_warnings: optNum,
    version: z.string().optional(),
    slots: z.array(queueSlotSchema),
  }),
});
export type Queue = z.output<typeof queueSchema>['queue'];

/** One job of `mode=history` (history.slots[]). `status` is Completed, Failed or a post-processing stage. */
export const historySlotSchema = z.looseObject({
  nzo_id: z.string(),
  name: z.string(),
  category: z.string().nullish(),
  status: z.string(),
  bytes: count,
  download_time: count.optional(),
  postproc_time: count.optional(),
  /** Unix time. */
  completed: count.optional(),
  storage: z.string().nullish(),
  fail_message: z.string().nullish(),
});
export const historySchema = z.looseObject({
  history: z.looseObject({
    noofslots: count,
    slots: z.array(historySlotSchema),
  }),
});
export type HistorySlot = z.output<typeof historySlotSchema>;

/** `mode=warnings`: objects with text, type and unix time (older releases sent plain strings). */
export const warningsSchema = z.looseObject({
  warnings: z.array(z.union([z.looseObject({ text: z.string(), type: z.string().optional(), time: count.optional() }), z.string()])),
});
export type Warning = z.output<typeof warningsSchema>['warnings'][number];
