import type { z } from 'zod';
import { UpstreamError } from '../../errors.js';

/**
 * Checks an upstream answer against the schema of the fields we read, so a garbage answer fails
 * the poll as BAD_RESPONSE (availability offline, one log line) instead of crashing or putting a
 * NaN on a topic. The message names the first offending field, never the body.
 */
export function parseAnswer<S extends z.ZodType>(service: string, what: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new UpstreamError(service, `${what}: unexpected answer${where}: ${issue?.message ?? 'invalid'}`, { code: 'BAD_RESPONSE' });
}
