import { z } from 'zod';
import { UpstreamError } from '../../errors.js';
import type { UpstreamHttp } from '../http.js';
import { envelopeSchema } from './schemas.js';
import { parseAnswer } from '../parse.js';

const anything = z.unknown();

/**
 * Tautulli API v2: every call is `GET /api/v2?apikey=…&cmd=<command>` (the key is added by the
 * HTTP client from the module's auth), and every answer is wrapped as
 * `{"response": {"result": "success"|"error", "message": …, "data": …}}` (api-reference.md,
 * "General structure"). Tautulli answers errors with that same envelope and an HTTP status
 * (plexpy/api2.py `_api_validate`/`_api_run`: 400 unknown command, 401 invalid apikey, 500 a
 * command that failed), so non-2xx JSON answers are read for their message.
 */
export class TautulliApi {
  readonly #http: UpstreamHttp;
  readonly #service: string;

  constructor(http: UpstreamHttp, service: string) {
    this.#http = http;
    this.#service = service;
  }

  async call<S extends z.ZodType>(cmd: string, schema: S, signal: AbortSignal, params: Record<string, string | number> = {}): Promise<z.output<S>> {
    const res = await this.#http.request('/api/v2', { query: { cmd, ...params }, signal, okStatuses: [400, 404, 500] });
    const failed = res.status >= 300;
    // The URL without the key, as the HTTP client's own messages name it.
    const what = `GET ${this.#http.describe('/api/v2')}?cmd=${cmd}`;
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw failed
        ? new UpstreamError(this.#service, `${what}: HTTP ${res.status}${snippet(res.text)}`, { status: res.status, code: `HTTP_${res.status}` })
        : new UpstreamError(this.#service, `${what}: the answer is not JSON`, { code: 'BAD_RESPONSE' });
    }
    const env = envelopeSchema.safeParse(body);
    if (!env.success) {
      if (failed) throw new UpstreamError(this.#service, `${what}: HTTP ${res.status}`, { status: res.status, code: `HTTP_${res.status}` });
      return parseAnswer(this.#service, what, envelopeSchema, body) as never; // throws BAD_RESPONSE with the field
    }
    const { result, message } = env.data.response;
    if (result !== 'success' || failed) {
      throw new UpstreamError(this.#service, `${what}: ${shortMessage(message) || `result "${result}"`}`, {
        status: res.status,
        code: failed ? `HTTP_${res.status}` : 'API_ERROR',
      });
    }
    return parseAnswer(this.#service, what, schema, env.data.response.data);
  }

  /** `terminate_session` (api-reference.md): session_key or session_id, and a message for the viewer. */
  async terminateSession(target: { session_key?: number; session_id?: string }, message: string | undefined, signal: AbortSignal): Promise<void> {
    const params: Record<string, string | number> = {};
    if (target.session_key !== undefined) params.session_key = target.session_key;
    if (target.session_id !== undefined) params.session_id = target.session_id;
    if (message !== undefined) params.message = message;
    await this.call('terminate_session', anything, signal, params);
  }
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim().slice(0, 120);
  return t ? ` (${t}${text.length > 120 ? '…' : ''})` : '';
}

/** "Unknown command: x. Possible commands are: <125 names>" → the first sentence. */
function shortMessage(message: string | null | undefined): string {
  if (!message) return '';
  const first = message.split('. Possible commands')[0]!;
  return first.length > 160 ? `${first.slice(0, 160)}…` : first;
}
