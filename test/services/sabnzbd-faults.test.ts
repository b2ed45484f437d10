import { sabnzbdModule } from '../../src/services/sabnzbd/index.js';
import { startSabnzbdSim } from '../../src/services/sabnzbd/sim.js';
import { describeFaultModes } from '../helpers/faults.js';

describeFaultModes({
  title: 'sabnzbd: fault modes',
  faulty: { id: 'sabnzbd', module: sabnzbdModule, start: () => startSabnzbdSim({ slowMs: 3000 }) },
  other: { id: 'sabnzbd_b', module: sabnzbdModule, start: () => startSabnzbdSim() },
  causes: {
    down: /connection refused/,
    slow: /no answer within 0\.5 s/,
    // SABnzbd answers a wrong key with HTTP 200 and {"status":false,"error":"API Key Incorrect"}.
    unauthorized: /SABnzbd refused the API key \(API Key Incorrect\)/,
    error: /HTTP 500/,
    malformed: /not JSON/,
  },
});
