import type { z } from 'zod';
import { UpstreamError } from '../../errors.js';

/**
 * Checks an upstream answer against a schema of the fields we read. A mismatch becomes a
 * BAD_RESPONSE UpstreamError (the instance goes offline with a clear cause) instead of a crash
 * or a NaN on MQTT.
 */
export function parseAnswer<S extends z.ZodType>(schema: S, data: unknown, service: string, where: string): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue && issue.path.length ? issue.path.join('.') : '(body)';
  throw new UpstreamError(service, `${where}: unexpected answer (${path}: ${issue?.message ?? 'invalid'})`, { code: 'BAD_RESPONSE' });
}
