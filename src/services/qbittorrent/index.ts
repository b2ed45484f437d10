import type { ServiceModule } from '../registry.js';
import { qbittorrentCommands } from './commands.js';
import { QbittorrentService } from './service.js';
import { refererFor } from './session.js';
import { QbittorrentSim, type QbittorrentSimOptions } from './sim.js';

export { QbittorrentService } from './service.js';
export { QbitClient } from './client.js';
export { QbittorrentSim, type QbittorrentSimOptions } from './sim.js';

/**
 * qBittorrent (WebUI API v2, 4.1–5.x). Credentials (`username`/`password`) are optional: without
 * them qBittorrent must bypass authentication for this client. The session cookie is managed per
 * request by the client, so `auth` only adds the Referer that qBittorrent's CSRF check wants.
 */
export const qbittorrentModule: ServiceModule = {
  type: 'qbittorrent',
  defaultPort: 8080,
  // One sync/maindata per poll: 60 s while downloading is 1 request/min, half of Home
  // Assistant's integration (a full update every 30 s).
  defaults: { interval: 60, idle_interval: 300 },
  auth: (cfg) => {
    const referer = refererFor(cfg.url);
    return { headers: () => ({ referer }) };
  },
  create: (ctx) => new QbittorrentService(ctx),
  commands: qbittorrentCommands,
  simulator: (options?: QbittorrentSimOptions) => QbittorrentSim.start(options),
};
