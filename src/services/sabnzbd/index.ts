import type { ServiceModule } from '../registry.js';
import { sabnzbdCommands } from './commands.js';
import { SabnzbdService } from './service.js';
import { startSabnzbdSim } from './sim.js';

/** SABnzbd (default port 8080): one `/api` endpoint, the key as the `apikey` query parameter (API page, "API Key and NZB key"). */
export const sabnzbdModule: ServiceModule = {
  type: 'sabnzbd',
  defaultPort: 8080,
  auth: (cfg) => ({ query: () => ({ apikey: cfg.api_key ?? '' }) }),
  create: (ctx) => new SabnzbdService(ctx),
  commands: sabnzbdCommands,
  simulator: (options) => startSabnzbdSim(options),
};

export { SabnzbdService } from './service.js';
export { SabnzbdSim, startSabnzbdSim, type SabnzbdSimOptions } from './sim.js';
export { SabnzbdState } from './entities.js';
