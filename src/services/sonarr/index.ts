import type { ServiceModule } from '../registry.js';
import { servarrAuth } from '../servarr/auth.js';
import { sonarrCommands } from './commands.js';
import { SonarrService } from './service.js';
import { SonarrSim } from './sim.js';

/** Sonarr (API v3; Sonarr v3 and v4), default port 8989. */
export const sonarrModule: ServiceModule = {
  type: 'sonarr',
  defaultPort: 8989,
  auth: servarrAuth,
  create: (ctx) => new SonarrService(ctx),
  commands: sonarrCommands,
  simulator: (options) => SonarrSim.start(options),
};

export { SonarrService } from './service.js';
export { SonarrSim } from './sim.js';
