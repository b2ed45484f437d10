import { multipartField } from './multipart.js';

/**
 * What a Plex webhook makes stale. PMS posts multipart/form-data with the event as JSON in the
 * `payload` field (support.plex.tv, "Webhooks"); a JSON body is accepted too (relays, tests).
 */
export type PlexRefresh = 'sessions' | 'library';

const TARGETS: Record<string, PlexRefresh[]> = {
  'media.play': ['sessions'],
  'media.pause': ['sessions'],
  'media.resume': ['sessions'],
  'media.stop': ['sessions'],
  'media.scrobble': ['sessions'],
  'playback.started': ['sessions'],
  'library.new': ['library'],
};

/** The webhook's payload object, or null when the body holds none. */
export function plexWebhookPayload(req: { contentType: string; body: Buffer; json: unknown }): Record<string, unknown> | null {
  const text = multipartField(req.body, req.contentType, 'payload');
  let value: unknown = req.json;
  if (text !== null) {
    try {
      value = JSON.parse(text);
    } catch {
      return null;
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * The parts to refresh. Sessions are read by every poll anyway, so an unknown event (a rating,
 * a database backup) or an unreadable body costs one request.
 */
export function plexWebhookRefresh(payload: Record<string, unknown> | null): { event: string | null; refresh: PlexRefresh[] } {
  const event = typeof payload?.event === 'string' ? payload.event : null;
  return { event, refresh: (event && TARGETS[event]) || ['sessions'] };
}
