import type { ServiceModule } from '../registry.js';
import { tautulliCommands } from './commands.js';
import { TautulliService } from './service.js';
import { TautulliSimulator } from './sim.js';

/** Tautulli (default port 8181): the key goes in the `apikey` query parameter (api-reference.md). */
export const tautulliModule: ServiceModule = {
  type: 'tautulli',
  defaultPort: 8181,
  // One get_activity per poll (service.ts): 4/min while streams play, 1/min idle, plus 0.3/min of
  // server info; Home Assistant's integration makes 3 calls every 10 s (18/min).
  defaults: { interval: 15, idle_interval: 60 },
  auth: (cfg) => ({ query: () => ({ apikey: cfg.api_key ?? '' }) }),
  create: (ctx) => new TautulliService(ctx),
  commands: tautulliCommands,
  simulator: (options) => TautulliSimulator.start(options),
};
