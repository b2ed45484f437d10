import type { z } from 'zod';
import { UpstreamError } from '../../errors.js';

/**
 * Checks an upstream answer against the zod schema of the fields we read. A garbage answer
 * becomes a BAD_RESPONSE UpstreamError (the instance goes offline with a clear cause) instead
 * of a crash or a NaN on MQTT. `where` is the request without its query (no credentials).
 */
export function parseUpstream<S extends z.ZodType>(service: string, schema: S, data: unknown, where: string): z.output<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const at = issue?.path.length ? issue.path.join('.') : '(body)';
  return bad(service, `${where}: unexpected answer at ${at}: ${issue?.message ?? 'invalid'}`);
}

function bad(service: string, message: string): never {
  throw new UpstreamError(service, message, { code: 'BAD_RESPONSE' });
}
