import { prowlarrModule } from '../../src/services/prowlarr/index.js';
import { startProwlarrSim } from '../../src/services/prowlarr/sim.js';
import { describeFaultModes } from '../helpers/faults.js';

describeFaultModes({
  title: 'prowlarr: fault modes',
  faulty: { id: 'prowlarr', module: prowlarrModule, start: () => startProwlarrSim({ slowMs: 3000 }) },
  other: { id: 'prowlarr_b', module: prowlarrModule, start: () => startProwlarrSim() },
  causes: { down: /connection refused/, slow: /no answer within 0\.5 s/, unauthorized: /401 unauthorized/, error: /HTTP 500/, malformed: /not JSON/ },
});
