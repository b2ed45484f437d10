import { newId, type JellyfinWorld } from './sim-world.js';
import type { SimServer } from '../sim/server.js';

/** A library (VirtualFolderInfo) and how long its refresh still runs. */
export interface SimLibrary {
  ItemId: string;
  Name: string;
  CollectionType: 'movies' | 'tvshows' | 'music' | 'books';
  Locations: string[];
  /** Wall-clock end of the current refresh (ms), or 0 when idle. */
  refreshUntil: number;
  refreshes: number;
}

/** How long a one-library refresh stays "Active" in the simulator. */
const LIBRARY_REFRESH_MS = 400;

/**
 * The simulator side of Jellyfin's commands, on the existing SimServer: the libraries
 * (GET /Library/VirtualFolders), a one-library refresh (POST /Items/{itemId}/Refresh), messages to
 * a session (POST /Sessions/{sessionId}/Message) and playstate commands
 * (POST /Sessions/{sessionId}/Playing/{command}; Stop ends the playback).
 */
export class JellyfinCommandSim {
  readonly libraries: SimLibrary[] = [
    { ItemId: newId(), Name: 'Movies', CollectionType: 'movies', Locations: ['/media/movies'], refreshUntil: 0, refreshes: 0 },
    { ItemId: newId(), Name: 'Shows', CollectionType: 'tvshows', Locations: ['/media/tv'], refreshUntil: 0, refreshes: 0 },
    { ItemId: newId(), Name: 'Music', CollectionType: 'music', Locations: ['/media/music'], refreshUntil: 0, refreshes: 0 },
  ];
  /** Messages sent to sessions, oldest first. */
  readonly messages: { sessionId: string; header: string | null; text: string }[] = [];
  /** Playstate commands received, oldest first. */
  readonly playstate: { sessionId: string; command: string }[] = [];

  constructor(server: SimServer, world: JellyfinWorld) {
    const session = (id: string) => world.sessions.find((x) => x.Id === id);
    server.route('GET', '/Library/VirtualFolders', () => ({
      json: this.libraries.map((l) => {
        const active = l.refreshUntil > Date.now();
        return { Name: l.Name, Locations: l.Locations, CollectionType: l.CollectionType, ItemId: l.ItemId, RefreshProgress: active ? 50 : null, RefreshStatus: active ? 'Active' : 'Idle' };
      }),
    }));
    server.route('POST', '/Items/:itemId/Refresh', (req) => {
      const lib = this.libraries.find((l) => l.ItemId === req.params.itemId);
      if (!lib) return { status: 404, json: { title: 'Not Found', status: 404 } };
      lib.refreshUntil = Date.now() + LIBRARY_REFRESH_MS;
      lib.refreshes++;
      return { status: 204 };
    });
    server.route('POST', '/Sessions/:sessionId/Message', (req) => {
      const body = req.json as { Text?: unknown; Header?: unknown } | undefined;
      // MessageCommand: Text is required.
      if (!body || typeof body.Text !== 'string') return { status: 400, json: { title: 'One or more validation errors occurred.', status: 400 } };
      this.messages.push({ sessionId: req.params.sessionId!, header: typeof body.Header === 'string' ? body.Header : null, text: body.Text });
      return { status: 204 };
    });
    server.route('POST', '/Sessions/:sessionId/Playing/:command', (req) => {
      const s = session(req.params.sessionId!);
      this.playstate.push({ sessionId: req.params.sessionId!, command: req.params.command! });
      if (s && req.params.command === 'Stop') s.playing = null;
      return { status: 204 };
    });
  }
}
