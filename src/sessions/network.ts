import { isIP } from 'node:net';

/**
 * LAN or WAN from a client address ("192.168.1.20", "[::1]:8096", "10.0.0.5:52144"): private,
 * loopback, link-local and unique-local addresses are LAN (RFC 1918, RFC 4193, RFC 3927), as
 * Jellyfin's own `NetworkManager.IsInLocalNetwork` decides by default; null when unparsable.
 */
export function lanOrWan(endpoint: string | null | undefined): 'lan' | 'wan' | null {
  if (!endpoint) return null;
  let host = endpoint.trim();
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracket) host = bracket[1]!;
  else if (/^[\d.]+:\d+$/.test(host)) host = host.slice(0, host.lastIndexOf(':'));
  host = host.replace(/^::ffff:/i, '');
  const kind = isIP(host);
  if (kind === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    const lan = a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
    return lan ? 'lan' : 'wan';
  }
  if (kind === 6) {
    const h = host.toLowerCase();
    return h === '::1' || h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe8') || h.startsWith('fe9') || h.startsWith('fea') || h.startsWith('feb') ? 'lan' : 'wan';
  }
  return null;
}
