/**
 * Jellyfin's client identification and credentials in one header, as its own clients send it:
 * `Authorization: MediaBrowser Client="…", Device="…", DeviceId="…", Version="…", Token="…"`.
 * (The spec's `CustomAuthentication` scheme names the header but not the format; Jellyfin also
 * accepts `X-Emby-Token`, which carries no client identity.) The DeviceId keeps the bridge one
 * device in Jellyfin's device list instead of a new one per restart.
 */
export interface JellyfinClientIdentity {
  client: string;
  device: string;
  deviceId: string;
  version: string;
  token: string;
}

/** Values are quoted; a quote or backslash inside one would end it early, so they are dropped. */
function quote(v: string): string {
  return `"${v.replace(/["\\\r\n]/g, '')}"`;
}

export function jellyfinAuthorization(id: JellyfinClientIdentity): string {
  return `MediaBrowser Client=${quote(id.client)}, Device=${quote(id.device)}, DeviceId=${quote(id.deviceId)}, Version=${quote(id.version)}, Token=${quote(id.token)}`;
}

/**
 * The token from an `Authorization`/`X-Emby-Authorization` header value, or null: what the
 * simulator (and anything else that must check one) reads.
 */
export function tokenFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^\s*(?:MediaBrowser|Emby)\s+(.*)$/i.exec(header);
  if (!m) return null;
  for (const part of m[1]!.split(',')) {
    const kv = /^\s*([A-Za-z]+)\s*=\s*"?([^"]*)"?\s*$/.exec(part);
    if (kv && kv[1]!.toLowerCase() === 'token') return kv[2]!;
  }
  return null;
}

/** media2mqtt as a Jellyfin client; one DeviceId per instance id. */
export function jellyfinIdentity(token: string, instance: string, version: string): JellyfinClientIdentity {
  return { client: 'media2mqtt', device: 'media2mqtt', deviceId: `media2mqtt-${instance}`, version, token };
}
