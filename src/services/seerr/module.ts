import type { ServiceModule } from '../registry.js';
import type { SeerrFlavour } from './flavour.js';
import { jellyseerrCommands, overseerrCommands } from './commands.js';
import { SeerrService } from './service.js';
import { SeerrSimulator } from './sim.js';

/** The module of one flavour (Jellyseerr or Overseerr); both listen on 5055 by default. */
export function seerrModule(flavour: SeerrFlavour): ServiceModule {
  return {
    type: flavour.type,
    defaultPort: 5055,
    // Webhooks carry the changes; polling is the fallback. Home Assistant's integration reads the
    // request count every 5 minutes: one call every 10 minutes when idle, every minute for 5 minutes
    // after a change (service.ts BURST_MS).
    // Idle at 20 min keeps polling at half of Home Assistant's integration (every 5 min); the
    // webhook agent is what makes new requests appear at once.
    defaults: { interval: 60, idle_interval: 1200 },
    // securitySchemes.apiKey: header X-Api-Key.
    auth: (cfg) => ({ headers: () => ({ 'X-Api-Key': cfg.api_key ?? '' }) }),
    create: (ctx) => new SeerrService(ctx, flavour),
    commands: flavour.type === 'jellyseerr' ? jellyseerrCommands : overseerrCommands,
    simulator: (options) => SeerrSimulator.start(flavour, options),
  };
}
