import type { z } from 'zod';
import type { UpstreamHttp } from '../http.js';
import { parseAnswer } from '../parse.js';
import {
  healthListSchema,
  indexerListSchema,
  indexerStatsSchema,
  indexerStatusListSchema,
  systemStatusSchema,
  updateListSchema,
  type HealthItem,
  type Indexer,
  type IndexerStatistics,
  type IndexerStatus,
  type SystemStatus,
  type UpdateInfo,
} from './schemas.js';

/**
 * The few Prowlarr API v1 operations the bridge uses (paths from shared/specs/prowlarr/openapi.json).
 * Auth (X-Api-Key) is added by the HTTP client; every answer is validated before use.
 */
export class ProwlarrApi {
  readonly #http: UpstreamHttp;
  readonly #service: string;

  constructor(http: UpstreamHttp, service: string) {
    this.#http = http;
    this.#service = service;
  }

  indexers(signal: AbortSignal): Promise<Indexer[]> {
    return this.#get('/api/v1/indexer', indexerListSchema, signal);
  }

  indexerStatus(signal: AbortSignal): Promise<IndexerStatus[]> {
    return this.#get('/api/v1/indexerstatus', indexerStatusListSchema, signal);
  }

  health(signal: AbortSignal): Promise<HealthItem[]> {
    return this.#get('/api/v1/health', healthListSchema, signal);
  }

  /** Per-indexer counters between two instants (`startDate`/`endDate` are documented `date-time` query parameters). */
  async stats(start: Date, end: Date, signal: AbortSignal): Promise<IndexerStatistics[]> {
    const answer = await this.#get('/api/v1/indexerstats', indexerStatsSchema, signal, { startDate: start.toISOString(), endDate: end.toISOString() });
    return answer.indexers ?? [];
  }

  systemStatus(signal: AbortSignal): Promise<SystemStatus> {
    return this.#get('/api/v1/system/status', systemStatusSchema, signal);
  }

  updates(signal: AbortSignal): Promise<UpdateInfo[]> {
    return this.#get('/api/v1/update', updateListSchema, signal);
  }

  async #get<S extends z.ZodType>(path: string, schema: S, signal: AbortSignal, query?: Record<string, string>): Promise<z.output<S>> {
    const data = await this.#http.json(path, { signal, query });
    return parseAnswer(this.#service, `GET ${this.#http.describe(path)}`, schema, data);
  }
}
