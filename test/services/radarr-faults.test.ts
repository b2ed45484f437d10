import { radarrModule } from '../../src/services/radarr/index.js';
import { RadarrSim } from '../../src/services/radarr/sim.js';
import { describeFaultModes } from '../helpers/faults.js';

describeFaultModes({
  title: 'Radarr upstream faults',
  faulty: { id: 'radarr', module: radarrModule, start: () => RadarrSim.start({ autoGrabAfter: 0 }) },
  other: { id: 'radarr_4k', module: radarrModule, start: () => RadarrSim.start({ autoGrabAfter: 0 }) },
  causes: { down: /connection refused/, slow: /no answer within 0\.5 s/, unauthorized: /401 unauthorized/, error: /HTTP 500/, malformed: /not JSON/ },
});
