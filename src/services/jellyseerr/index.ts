import { JELLYSEERR } from '../seerr/flavour.js';
import { seerrModule } from '../seerr/module.js';

/** Jellyseerr (default port 5055); the implementation is shared with Overseerr in ../seerr. */
export const jellyseerrModule = seerrModule(JELLYSEERR);
