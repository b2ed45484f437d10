/**
 * Jellyseerr and Overseerr share one API (specs/jellyseerr/overseerr-api.yml, specs/overseerr/
 * overseerr-api.yml: same request, media, issue and status endpoints). What differs is the name,
 * the media server it fronts and the version line; everything else lives in this folder once.
 */
export interface SeerrFlavour {
  type: 'jellyseerr' | 'overseerr';
  /** Product name, as shown to users. */
  app: string;
  /** The media server the app requests for (device model wording). */
  mediaServer: 'Jellyfin' | 'Plex';
  /** The simulator's `/status` answer. */
  simVersion: string;
  simCommitTag: string;
}

export const JELLYSEERR: SeerrFlavour = {
  type: 'jellyseerr',
  app: 'Jellyseerr',
  mediaServer: 'Jellyfin',
  simVersion: '2.5.2',
  simCommitTag: 'v2.5.2',
};

export const OVERSEERR: SeerrFlavour = {
  type: 'overseerr',
  app: 'Overseerr',
  mediaServer: 'Plex',
  simVersion: '1.33.2',
  simCommitTag: 'v1.33.2',
};
