import { VERSION } from '../../version.js';
import type { ServiceModule } from '../registry.js';
import { plexCommands } from './commands.js';
import { PlexService } from './service.js';
import { PlexSim } from './sim.js';

export { PlexService } from './service.js';
export { PlexSim } from './sim.js';

export const plexModule: ServiceModule = {
  type: 'plex',
  defaultPort: 32400,
  // description.md, "Headers": the token, and who the client is. X-Plex-Client-Identifier is
  // per instance, so the service adds it to every request (auth() does not know the instance).
  auth: (cfg) => ({
    headers: () => ({
      'X-Plex-Token': cfg.token ?? '',
      'X-Plex-Product': 'media2mqtt',
      'X-Plex-Version': VERSION,
      'X-Plex-Platform': 'Node.js',
      'X-Plex-Device-Name': 'media2mqtt',
    }),
  }),
  create: (ctx) => new PlexService(ctx),
  commands: plexCommands,
  simulator: (options) => PlexSim.start(options),
};
