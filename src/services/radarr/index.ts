import type { ServiceModule } from '../registry.js';
import { servarrAuth } from '../servarr/auth.js';
import { radarrCommands } from './commands.js';
import { RadarrService } from './service.js';
import { RadarrSim } from './sim.js';

/** Radarr (API v3; Radarr v3 to v5), default port 7878. */
export const radarrModule: ServiceModule = {
  type: 'radarr',
  defaultPort: 7878,
  auth: servarrAuth,
  create: (ctx) => new RadarrService(ctx),
  commands: radarrCommands,
  simulator: (options) => RadarrSim.start(options),
};

export { RadarrService } from './service.js';
export { RadarrSim } from './sim.js';
