import { z } from 'zod';

/**
 * The fields we read from Jellyseerr/Overseerr answers, from the component schemas and operations
 * of specs/jellyseerr/overseerr-api.yml (identical in specs/overseerr/overseerr-api.yml). Loose
 * objects: newer releases add fields (Seerr's `completed` count) and that must not break a poll.
 */

/** GET /request/count. */
export const requestCountSchema = z.looseObject({
  total: z.number(),
  movie: z.number(),
  tv: z.number(),
  pending: z.number(),
  approved: z.number(),
  declined: z.number(),
  processing: z.number(),
  available: z.number(),
  /** Seerr 3.x only (specs/jellyseerr/seerr-api.yml). */
  completed: z.number().optional(),
});
export type RequestCount = z.output<typeof requestCountSchema>;

/** GET /issue/count. */
export const issueCountSchema = z.looseObject({
  total: z.number(),
  video: z.number(),
  audio: z.number(),
  subtitles: z.number(),
  others: z.number(),
  open: z.number(),
  closed: z.number(),
});

/** GET /status (public). */
export const statusSchema = z.looseObject({
  version: z.string(),
  commitTag: z.string().optional(),
  updateAvailable: z.boolean().optional(),
  commitsBehind: z.number().optional(),
  restartRequired: z.boolean().optional(),
});

/**
 * components/schemas/User. `displayName` is not in the spec's schema but every release sends it
 * (the User entity computes it from username, Plex/Jellyfin name or e-mail); the others are fallbacks.
 */
export const userSchema = z.looseObject({
  id: z.number(),
  displayName: z.string().nullish(),
  username: z.string().nullish(),
  plexUsername: z.string().nullish(),
  jellyfinUsername: z.string().nullish(),
});

/**
 * components/schemas/MediaRequest (status 1 pending, 2 approved, 3 declined) with its MediaInfo
 * (tmdbId; status 5 available). `type`/`media.mediaType` are sent by every release though the
 * schema leaves them out; they say whether the title comes from /movie or /tv.
 */
export const mediaRequestSchema = z.looseObject({
  id: z.number().int(),
  status: z.number(),
  type: z.string().optional(),
  createdAt: z.string().optional(),
  is4k: z.boolean().optional(),
  media: z
    .looseObject({
      tmdbId: z.number().nullish(),
      mediaType: z.string().optional(),
      status: z.number().optional(),
    })
    .nullish(),
  requestedBy: userSchema.nullish(),
});
export type MediaRequest = z.output<typeof mediaRequestSchema>;

/** GET /request: `pageInfo.results` is the total matching the filter. */
export const requestPageSchema = z.looseObject({
  pageInfo: z.looseObject({ results: z.number() }),
  results: z.array(mediaRequestSchema),
});

/** GET /movie/{movieId} (MovieDetails) and GET /tv/{tvId} (TvDetails): only the title is read. */
export const movieSchema = z.looseObject({ title: z.string(), releaseDate: z.string().nullish() });
export const tvSchema = z.looseObject({ name: z.string(), firstAirDate: z.string().nullish() });
