import type { SimServer } from '../sim/server.js';
import type { PlexWorld } from './sim-world.js';

/**
 * The simulator side of Plex's commands, on the existing SimServer: POST
 * /status/sessions/terminate (sessionId required, reason optional) ends the session. Scans use
 * the simulator's existing section refresh and activities.
 */
export class PlexCommandSim {
  /** Terminated sessions with the reason given, oldest first. */
  readonly terminated: { sessionId: string; reason: string | null }[] = [];

  constructor(server: SimServer, world: PlexWorld) {
    server.route('POST', '/status/sessions/terminate', (req) => {
      const id = req.query.get('sessionId');
      if (!id) return { status: 400, text: '' };
      const i = world.sessions.findIndex((s) => s.id === id);
      if (i < 0) return { status: 404, text: '' };
      world.sessions.splice(i, 1);
      this.terminated.push({ sessionId: id, reason: req.query.get('reason') });
      return { status: 200, text: '' };
    });
  }
}
