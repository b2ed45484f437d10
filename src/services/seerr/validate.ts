import type { z } from 'zod';
import { UpstreamError } from '../../errors.js';

/**
 * Checks an upstream answer against the schema of the fields we read. A garbage answer becomes a
 * BAD_RESPONSE UpstreamError (the poll fails cleanly, availability goes offline) instead of a crash
 * or a NaN on a topic. The message names the first offending field, never the body.
 */
export function parseAnswer<S extends z.ZodType>(service: string, what: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new UpstreamError(service, `${what}: unexpected answer${where}: ${issue?.message ?? 'invalid'}`, { code: 'BAD_RESPONSE' });
}
