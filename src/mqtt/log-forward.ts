import { LOG_LEVELS, type LogHub, type LogLevel } from '../log.js';

/**
 * Forwards log records at or above `min` to `<base>/bridge/log` while connected. Returns the
 * function that stops it. A failing publish logs; that log must not publish again.
 */
export function forwardLogs(logs: LogHub, min: LogLevel | 'off', publish: (text: string) => void, connected: () => boolean): () => void {
  if (min === 'off') return () => undefined;
  const rank = (l: LogLevel) => LOG_LEVELS.indexOf(l);
  let inside = false;
  return logs.onRecord((record) => {
    if (inside || rank(record.level) > rank(min) || !connected()) return;
    inside = true;
    try {
      publish(JSON.stringify(record));
    } finally {
      inside = false;
    }
  });
}
