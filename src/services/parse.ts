import type { z } from 'zod';
import { UpstreamError } from '../errors.js';

/**
 * Checks an upstream answer against the zod schema of the fields a service reads. A garbage
 * answer fails the poll as BAD_RESPONSE (availability offline with a clear cause, one log line)
 * instead of crashing or putting a NaN on a topic. The message names the first offending field,
 * never the body; `what` is the request without its query (no credentials).
 */
export function parseAnswer<S extends z.ZodType>(service: string, what: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new UpstreamError(service, `${what}: unexpected answer${where}: ${issue?.message ?? 'invalid'}`, { code: 'BAD_RESPONSE' });
}

/** JSON.parse that fails as BAD_RESPONSE. */
export function parseJson(service: string, what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UpstreamError(service, `${what}: the answer is not JSON`, { code: 'BAD_RESPONSE' });
  }
}
