import { OVERSEERR } from '../seerr/flavour.js';
import { seerrModule } from '../seerr/module.js';

/** Overseerr (default port 5055); the implementation is shared with Jellyseerr in ../seerr. */
export const overseerrModule = seerrModule(OVERSEERR);
