import { z } from 'zod';
import { UpstreamError } from '../../errors.js';
import type { UpstreamHttp } from '../http.js';
import { parseAnswer } from '../parse.js';
import { errorSchema, historySchema, queueSchema, warningsSchema, type HistorySlot, type Queue, type Warning } from './schemas.js';

/** Errors about the key (interface.py check_apikey): the instance is misconfigured, not broken. */
const AUTH_ERRORS = ['API Key Required', 'API Key Incorrect', 'Missing authentication', 'Access denied'];

const actionSchema = z.looseObject({ status: z.boolean(), nzo_ids: z.array(z.string()).optional() });

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

  /** `mode=addurl&name=<url>`: SABnzbd fetches the NZB itself; answers the new job's nzo_id. */
  async addUrl(options: { url: string; name?: string; category?: string; priority?: number }, signal: AbortSignal): Promise<string[]> {
    const params: Record<string, string | number> = { name: options.url };
    if (options.name !== undefined) params.nzbname = options.name;
    if (options.category !== undefined) params.cat = options.category;
    if (options.priority !== undefined) params.priority = options.priority;
    return (await this.#action('addurl', params, signal)).nzo_ids ?? [];
  }

  /** `mode=pause` (until resumed), or `mode=config&name=set_pause&value=<minutes>` for a timed pause. */
  async pause(minutes: number | undefined, signal: AbortSignal): Promise<void> {
    if (minutes === undefined) await this.#action('pause', {}, signal);
    else await this.#action('config', { name: 'set_pause', value: minutes }, signal);
  }

  async resume(signal: AbortSignal): Promise<void> {
    await this.#action('resume', {}, signal);
  }

  /** `mode=config&name=speedlimit&value=…`: a percentage of the line speed, or an absolute value with K/M. */
  async speedLimit(value: string, signal: AbortSignal): Promise<void> {
    await this.#action('config', { name: 'speedlimit', value }, signal);
  }

  /** The actions answer `{"status": true}` (with `nzo_ids` for adds); false means SABnzbd did not do it. */
  async #action(mode: string, params: Record<string, string | number>, signal: AbortSignal): Promise<z.output<typeof actionSchema>> {
    const answer = await this.#call(mode, params, actionSchema, signal);
    if (!answer.status) throw new UpstreamError(this.#service, `SABnzbd did not ${mode === 'config' ? `set ${String(params.name)}` : mode}`, { code: 'REJECTED' });
    return answer;
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
