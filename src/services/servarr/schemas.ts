import { z } from 'zod';

/**
 * Zod schemas of the Servarr API v3 resources the bridge reads, shared by Sonarr and Radarr (and
 * Prowlarr's v1, which has the same health/system/update/command resources). Field names and types
 * come from the official OpenAPI documents (specs/sonarr/openapi.json, specs/radarr/openapi.json,
 * `components.schemas.*`); only fields we read are declared, objects stay loose so new upstream
 * fields never break a poll, and nullable fields are `.nullish()` as the spec marks them.
 */

const str = z.string().nullish();
const num = z.number();

/** `*PagingResource`: page, pageSize, sortKey, sortDirection, totalRecords, records. */
export function pagingSchema<T extends z.ZodType>(record: T) {
  return z.looseObject({
    page: num.optional(),
    pageSize: num.optional(),
    totalRecords: z.number().int().min(0),
    records: z.array(record).nullish(),
  });
}

/** `QueueStatusResource` (GET /api/v3/queue/status). */
export const queueStatusSchema = z.looseObject({
  totalCount: z.number().int().min(0),
  count: z.number().int().min(0).optional(),
  unknownCount: z.number().int().min(0).optional(),
  errors: z.boolean().optional(),
  warnings: z.boolean().optional(),
});
export type QueueStatus = z.output<typeof queueStatusSchema>;

/** The fields of `QueueResource` common to Sonarr and Radarr. */
export const queueRecordSchema = z.looseObject({
  id: num,
  title: str,
  size: num.nullish(),
  sizeleft: num.nullish(),
  timeleft: str,
  estimatedCompletionTime: str,
  status: str,
  trackedDownloadStatus: str,
  trackedDownloadState: str,
  errorMessage: str,
  downloadId: str,
  protocol: str,
  downloadClient: str,
  indexer: str,
});
export type QueueRecord = z.output<typeof queueRecordSchema>;

/**
 * `HealthResource`. `wikiUrl` is `HttpUri` (an object) in Sonarr's spec and a string in Radarr's;
 * Sonarr serialises HttpUri as a string on the wire, so both are accepted.
 */
export const healthSchema = z.array(
  z.looseObject({
    source: str,
    type: z.string(),
    message: str,
    wikiUrl: z.union([z.string(), z.looseObject({ fullUri: str })]).nullish(),
  }),
);
export type HealthRecord = z.output<typeof healthSchema>[number];

/** `SystemResource` (GET /api/v3/system/status). */
export const systemStatusSchema = z.looseObject({
  appName: str,
  instanceName: str,
  version: z.string(),
  branch: str,
});
export type SystemStatus = z.output<typeof systemStatusSchema>;

/** `DiskSpaceResource[]` (GET /api/v3/diskspace): every mount the app sees. */
export const diskSpaceSchema = z.array(
  z.looseObject({
    path: str,
    label: str,
    freeSpace: z.number().min(0),
    totalSpace: z.number().min(0),
  }),
);
export type DiskSpace = z.output<typeof diskSpaceSchema>[number];

/** `RootFolderResource[]` (GET /api/v3/rootfolder); freeSpace is null when the folder is not accessible. */
export const rootFolderSchema = z.array(
  z.looseObject({
    id: num.optional(),
    path: z.string(),
    accessible: z.boolean().optional(),
    freeSpace: z.number().min(0).nullish(),
  }),
);
export type RootFolder = z.output<typeof rootFolderSchema>[number];

/** `UpdateResource[]` (GET /api/v3/update), newest first; `latest` marks the newest, `installed` the running one. */
export const updateSchema = z.array(
  z.looseObject({
    version: z.string(),
    branch: str,
    releaseDate: str,
    installed: z.boolean().optional(),
    installable: z.boolean().optional(),
    latest: z.boolean().optional(),
    url: str,
  }),
);
export type UpdateRecord = z.output<typeof updateSchema>[number];

/** `CommandResource` (POST /api/v3/command, GET /api/v3/command/{id}). */
export const commandSchema = z.looseObject({
  id: z.number().int(),
  name: str,
  commandName: str,
  message: str,
  status: z.string(),
  result: str,
  queued: str,
  started: str,
  ended: str,
});
export type CommandRecord = z.output<typeof commandSchema>;

/** CommandStatus values after which a command does not change any more. */
export const FINISHED_COMMAND_STATUSES = ['completed', 'failed', 'aborted', 'cancelled', 'orphaned'] as const;
