import { z } from 'zod';

/**
 * The fields media2mqtt reads from Plex Media Server answers (JSON, everything inside
 * `MediaContainer`), typed on the community OpenAPI (../shared/specs/plex/plex-api-spec.yaml;
 * Plex publishes none). Loose objects: PMS hoists and adds attributes freely.
 */

const str = z.string().optional();
const int = z.number().int().optional();
const container = <T extends z.ZodRawShape>(shape: T) => z.looseObject({ MediaContainer: z.looseObject(shape) });

/**
 * GET / : the spec types it as `MediaContainerWithDirectory`; the server attributes PMS hoists
 * onto the container are those of the spec's `ServerConfiguration` schema.
 */
export const serverInfoSchema = container({
  version: z.string(),
  friendlyName: str,
  machineIdentifier: str,
  platform: str,
});

/** `LibrarySection` of GET /library/sections/all. */
export const sectionSchema = z.looseObject({
  key: z.union([z.string(), z.number().int()]).transform(String),
  title: z.string(),
  type: z.string(),
  refreshing: z.boolean().optional(),
});
export type Section = z.output<typeof sectionSchema>;

export const sectionsSchema = container({
  size: int,
  Directory: z.array(sectionSchema).optional(),
});

/** A paged container asked for zero items: only its total matters. */
export const totalSchema = container({
  size: int,
  totalSize: z.number().int().nonnegative().optional(),
});

/** The part of `Metadata` we show. */
export const metadataSchema = z.looseObject({
  title: z.string(),
  type: z.string(),
  addedAt: z.number().int().optional(),
  year: int,
  index: int,
  parentIndex: int,
  parentTitle: str,
  grandparentTitle: str,
  duration: int,
  viewOffset: int,
});
export type Metadata = z.output<typeof metadataSchema>;

export const metadataListSchema = container({
  size: int,
  Metadata: z.array(metadataSchema).optional(),
});

/** A `/status/sessions` entry: `Metadata` plus `User`, `Player`, `Session` and, when transcoding, `TranscodeSession`. */
export const sessionSchema = metadataSchema.extend({
  // sessionKey and ratingKey are not in the community spec's Metadata, but PMS sends both on
  // /status/sessions and in PlaySessionStateNotification (python-plexapi `Playable.sessionKey`).
  sessionKey: z.union([z.string(), z.number()]).transform(String).optional(),
  ratingKey: z.union([z.string(), z.number()]).transform(String).optional(),
  User: z.looseObject({ title: str, id: z.union([z.string(), z.number()]).optional() }).optional(),
  Player: z.looseObject({ title: str, product: str, platform: str, state: str, device: str, local: z.boolean().optional() }).optional(),
  Session: z.looseObject({ id: str, bandwidth: z.number().nonnegative().optional(), location: str }).optional(),
  Media: z
    .array(z.looseObject({ videoResolution: str, videoCodec: str, audioCodec: str, height: int, width: int, bitrate: int }))
    .optional(),
  // videoDecision/audioDecision are not in the community spec's TranscodeSession, but PMS sends
  // them (Tautulli's transcode_decision reads them); `transcode` or `copy`.
  TranscodeSession: z
    .looseObject({
      videoDecision: str, audioDecision: str, subtitleDecision: str, videoCodec: str, audioCodec: str,
      height: int, width: int, throttled: z.boolean().optional(), progress: z.number().optional(),
    })
    .optional(),
});
export type PlexSession = z.output<typeof sessionSchema>;

export const sessionsSchema = container({
  size: int,
  Metadata: z.array(sessionSchema).optional(),
});

/** GET /activities. */
export const activitySchema = z.looseObject({
  uuid: str,
  type: z.string(),
  title: str,
  subtitle: str,
  progress: z.number().min(-1).max(100).optional(),
  Context: z.looseObject({ librarySectionID: z.union([z.string(), z.number()]).optional() }).optional(),
});
export type Activity = z.output<typeof activitySchema>;

export const activitiesSchema = container({
  size: int,
  Activity: z.array(activitySchema).optional(),
});

/** GET /updater/status: `Release` is present when PMS knows of a newer version. */
export const updaterSchema = container({
  canInstall: z.boolean().optional(),
  checkedAt: int,
  status: int,
  Release: z.array(z.looseObject({ version: str, state: str })).optional(),
});
export type UpdaterStatus = z.output<typeof updaterSchema>['MediaContainer'];
