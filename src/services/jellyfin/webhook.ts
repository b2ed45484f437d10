/**
 * What a push from Jellyfin's webhook plugin (jellyfin/jellyfin-plugin-webhook, "Generic"
 * destination) makes stale. The plugin's body is a user-written Handlebars template, so only
 * `NotificationType` is relied on (the template must include `"NotificationType":
 * "{{NotificationType}}"`); names are the plugin's `NotificationType` enum.
 */
export type JellyfinRefresh = 'sessions' | 'library' | 'scan';

const TARGETS: Record<string, JellyfinRefresh[]> = {
  PlaybackStart: ['sessions'],
  PlaybackStop: ['sessions'],
  SessionStart: ['sessions'],
  ItemAdded: ['library'],
  ItemDeleted: ['library'],
  // The plugin calls it TaskCompleted; ScheduledTaskEnded is Jellyfin's own event name. A scan
  // may have started and ended between two polls, so the library is read too (tasks end a few
  // times a day; that is three requests each).
  TaskCompleted: ['scan', 'library'],
  ScheduledTaskEnded: ['scan', 'library'],
  PendingRestart: ['library'],
};

/**
 * The parts to refresh for one webhook body. Sessions are refreshed by every poll anyway, so an
 * unknown or unreadable body costs one request (and still proves the server answers).
 * PlaybackProgress is ignored on purpose: clients report it every few seconds per stream, and
 * the regular poll keeps progress current.
 */
export function jellyfinWebhookRefresh(json: unknown): { type: string | null; refresh: JellyfinRefresh[] } {
  const type = json && typeof json === 'object' && typeof (json as Record<string, unknown>).NotificationType === 'string' ? ((json as Record<string, unknown>).NotificationType as string) : null;
  if (type === 'PlaybackProgress') return { type, refresh: [] };
  return { type, refresh: (type && TARGETS[type]) || ['sessions'] };
}
