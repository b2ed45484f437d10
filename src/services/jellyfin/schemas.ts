import { z } from 'zod';

/**
 * The fields media2mqtt reads from Jellyfin's answers, typed on the official OpenAPI
 * (../shared/specs/jellyfin/openapi.json, server 10.11). Objects are loose: Jellyfin adds fields
 * between versions and we must not break on them. Nullable where the spec says `nullable`.
 */

const str = z.string().nullable().optional();
const int = z.number().int().nullable().optional();
const count = z.number().int().nonnegative();

/** `SystemInfo` (GET /System/Info). */
export const systemInfoSchema = z.looseObject({
  ServerName: str,
  Version: str,
  Id: str,
  HasPendingRestart: z.boolean().optional(),
  IsShuttingDown: z.boolean().optional(),
});
export type SystemInfo = z.output<typeof systemInfoSchema>;

/** `ItemCounts` (GET /Items/Counts): int32, never null in the spec. */
export const itemCountsSchema = z.looseObject({
  MovieCount: count,
  SeriesCount: count,
  EpisodeCount: count,
  ArtistCount: count,
  AlbumCount: count,
  SongCount: count,
  BookCount: count,
  MusicVideoCount: count.optional(),
  BoxSetCount: count.optional(),
});
export type ItemCounts = z.output<typeof itemCountsSchema>;

/** The part of `BaseItemDto` we show (recently added, now playing). */
export const itemSchema = z.looseObject({
  Name: str,
  Id: z.string().optional(),
  Type: z.string().optional(),
  DateCreated: str,
  ProductionYear: int,
  SeriesName: str,
  ParentIndexNumber: int,
  IndexNumber: int,
  Album: str,
  AlbumArtist: str,
  RunTimeTicks: int,
  // For playback sessions (src/services/jellyfin/sessions.ts).
  Width: int,
  Height: int,
  MediaStreams: z
    .array(z.looseObject({ Type: z.string().optional(), Codec: str, Height: int, Width: int, BitRate: int }))
    .nullable()
    .optional(),
});
export type Item = z.output<typeof itemSchema>;

/** `BaseItemDtoQueryResult` (GET /Items). */
export const itemsResultSchema = z.looseObject({
  Items: z.array(itemSchema),
  TotalRecordCount: z.number().int().optional(),
});

/** `PlayMethod` enum of `PlayerStateInfo`. */
export const PLAY_METHODS = ['Transcode', 'DirectStream', 'DirectPlay'] as const;

/** `SessionInfoDto` (GET /Sessions), only what the short session list needs. */
export const sessionSchema = z.looseObject({
  Id: str,
  UserName: str,
  Client: str,
  DeviceName: str,
  DeviceType: str,
  RemoteEndPoint: str,
  NowPlayingItem: itemSchema.nullable().optional(),
  PlayState: z
    .looseObject({
      PositionTicks: int,
      IsPaused: z.boolean().optional(),
      PlayMethod: z.enum(PLAY_METHODS).nullable().optional(),
    })
    .nullable()
    .optional(),
  TranscodingInfo: z
    .looseObject({
      IsVideoDirect: z.boolean().optional(),
      IsAudioDirect: z.boolean().optional(),
      VideoCodec: str,
      AudioCodec: str,
      Bitrate: int,
      Width: int,
      Height: int,
      TranscodeReasons: z.array(z.string()).nullable().optional(),
    })
    .nullable()
    .optional(),
});
export const sessionsSchema = z.array(sessionSchema);
export type Session = z.output<typeof sessionSchema>;

/** `TaskInfo` (GET /ScheduledTasks); `State` is the `TaskState` enum. */
export const taskSchema = z.looseObject({
  Name: str,
  Key: str,
  Id: str,
  State: z.enum(['Idle', 'Cancelling', 'Running']),
  CurrentProgressPercentage: z.number().nullable().optional(),
  LastExecutionResult: z
    .looseObject({
      EndTimeUtc: z.string().optional(),
      Status: z.string().optional(),
    })
    .nullable()
    .optional(),
});
export const tasksSchema = z.array(taskSchema);
export type Task = z.output<typeof taskSchema>;

/** `VirtualFolderInfo` (GET /Library/VirtualFolders): a library; `RefreshStatus` is "Active" while it is refreshed. */
export const virtualFolderSchema = z.looseObject({
  Name: z.string().nullish(),
  ItemId: z.string().nullish(),
  CollectionType: z.string().nullish(),
  RefreshProgress: z.number().nullish(),
  RefreshStatus: z.string().nullish(),
});
export const virtualFoldersSchema = z.array(virtualFolderSchema);
export type VirtualFolder = z.output<typeof virtualFolderSchema>;
