import type { z } from 'zod';
import { UpstreamError } from '../../errors.js';
import type { UpstreamHttp } from '../http.js';
import { parseAnswer } from '../parse.js';
import { errorSchema, historySchema, queueSchema, warningsSchema, type HistorySlot, type Queue, type Warning } from './schemas.js';

/** Errors about the key (interface.py check_apikey): the instance is misconfigured, not broken. */
const AUTH_ERRORS = ['API Key Required', 'API Key Incorrect', 'Missing authentication', 'Access denied'];

/**
 * The SABnzbd API: one endpoint, `GET /api?mode=…&output=json`, the key as the `apikey` query
 * parameter (added by the HTTP client). SABnzbd answers errors with HTTP 200 and
 * `{"status": false, "error": "…"}`, so every answer is checked for that before its schema.
 */
export class SabnzbdApi {
  readonly #http: UpstreamHttp;
  readonly #service: string;

  constructor(http: UpstreamHttp, service: string) {
    this.#http = http;
    this.#service = service;
  }

  /** `mode=queue&limit=N`: everything the bridge publishes, with at most N jobs listed. */
  async queue(limit: number, signal: AbortSignal): Promise<Queue> {
    return (await this.#call('queue', { limit }, queueSchema, signal)).queue;
  }

  /** `mode=history&nzo_ids=…`: where jobs that left the queue ended up. */
  async history(nzoIds: readonly string[], limit: number, signal: AbortSignal): Promise<HistorySlot[]> {
    return (await this.#call('history', { limit, nzo_ids: nzoIds.join(',') }, historySchema, signal)).history.slots;
  }

  async warnings(signal: AbortSignal): Promise<Warning[]> {
    return (await this.#call('warnings', {}, warningsSchema, signal)).warnings;
  }

  async #call<S extends z.ZodType>(mode: string, params: Record<string, string | number>, schema: S, signal: AbortSignal): Promise<z.output<S>> {
    const where = `GET ${this.#http.describe('/api')}?mode=${mode}`;
    const data = await this.#http.json('/api', { query: { mode, ...params, output: 'json' }, signal });
    const error = errorSchema.safeParse(data);
    if (error.success) {
      const auth = AUTH_ERRORS.includes(error.data.error);
      throw new UpstreamError(this.#service, `${where}: ${auth ? 'SABnzbd refused the API key' : 'SABnzbd answered with an error'} (${error.data.error.slice(0, 120)})`, {
        code: auth ? 'AUTH' : 'BAD_RESPONSE',
      });
    }
    return parseAnswer(this.#service, where, schema, data);
  }
}
