import { sonarrModule } from '../../src/services/sonarr/index.js';
import { SonarrSim } from '../../src/services/sonarr/sim.js';
import { describeFaultModes } from '../helpers/faults.js';

describeFaultModes({
  title: 'Sonarr upstream faults',
  faulty: { id: 'sonarr', module: sonarrModule, start: () => SonarrSim.start({ autoGrabAfter: 0 }) },
  other: { id: 'sonarr_4k', module: sonarrModule, start: () => SonarrSim.start({ autoGrabAfter: 0 }) },
  causes: { down: /connection refused/, slow: /no answer within 0\.5 s/, unauthorized: /401 unauthorized/, error: /HTTP 500/, malformed: /not JSON/ },
});
