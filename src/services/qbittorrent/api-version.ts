/**
 * The names that changed between qBittorrent 4.x (WebAPI 2.0–2.9, doc webui-api-4.1.md) and 5.x
 * (WebAPI 2.11+, doc webui-api.md): `torrents/pause|resume` became `torrents/stop|start`, the add
 * option `paused` became `stopped`, the state filter `paused|resumed` became `stopped|running`, and
 * the states `pausedDL|pausedUP` became `stoppedDL|stoppedUP`. qBittorrent 5.x answers 404 to the old
 * names, so the client picks by the version it detected.
 */

export type TorrentAction = 'pause' | 'resume';

/** First WebAPI version with the 5.x names (qBittorrent 5.0 ships WebAPI 2.11). */
const STOP_START_SINCE: readonly [number, number] = [2, 11];

/** "2.11.2" → [2, 11, 2]; null when it is not a dotted version. */
export function parseWebApiVersion(text: string): [number, number, number] | null {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** true when this WebAPI uses `stop`/`start` (5.x), false for `pause`/`resume` (4.x). */
export function usesStopStart(webapiVersion: string): boolean {
  const v = parseWebApiVersion(webapiVersion);
  if (!v) return true; // an unknown shape is newer than anything we know
  const [major, minor] = v;
  return major > STOP_START_SINCE[0] || (major === STOP_START_SINCE[0] && minor >= STOP_START_SINCE[1]);
}

/** The endpoint for pausing/resuming torrents on this WebAPI version. */
export function torrentActionPath(webapiVersion: string, action: TorrentAction): string {
  const name = usesStopStart(webapiVersion) ? (action === 'pause' ? 'stop' : 'start') : action;
  return `/api/v2/torrents/${name}`;
}

/** The `torrents/add` option that adds a torrent without starting it. */
export function addStoppedOption(webapiVersion: string): 'stopped' | 'paused' {
  return usesStopStart(webapiVersion) ? 'stopped' : 'paused';
}

/** `/app/version` answers "v4.6.7"; the device shows "4.6.7". */
export function displayVersion(appVersion: string): string {
  return appVersion.trim().replace(/^v/i, '');
}
