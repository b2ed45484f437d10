import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { UpstreamError } from '../../errors.js';
import type { UpstreamHttp } from '../http.js';
import {
  FINISHED_COMMAND_STATUSES,
  commandSchema,
  diskSpaceSchema,
  healthSchema,
  pagingSchema,
  queueStatusSchema,
  rootFolderSchema,
  systemStatusSchema,
  updateSchema,
  type CommandRecord,
} from './schemas.js';
import { parseAnswer } from '../parse.js';

type Query = Record<string, string | number | boolean | undefined>;

/** Any paged answer, for counting: only `totalRecords` is read. */
const countSchema = pagingSchema(z.unknown());

/**
 * The parts of the Servarr REST API every *arr app shares (Sonarr and Radarr v3, Prowlarr v1):
 * typed, validated GETs, `pageSize=1` counts, and command start/poll. `base` is the API prefix
 * (`/api/v3` or `/api/v1`). Every call takes the poll's signal.
 */
export class ServarrApi {
  readonly #http: UpstreamHttp;
  readonly #service: string;
  readonly #base: string;

  constructor(http: UpstreamHttp, service: string, base = '/api/v3') {
    this.#http = http;
    this.#service = service;
    this.#base = base;
  }

  /** GET `<base><path>` and validate the answer. */
  async get<S extends z.ZodType>(path: string, schema: S, signal: AbortSignal, query?: Query): Promise<z.output<S>> {
    const full = this.#base + path;
    const data = await this.#http.json(full, { query, signal });
    return parseAnswer(this.#service, `GET ${full}`, schema, data);
  }

  /**
   * The size of a paged collection without downloading it: `pageSize=1` and `totalRecords`
   * (wanted/missing, wanted/cutoff, history…), one small request instead of the whole list.
   */
  async count(path: string, signal: AbortSignal, query: Query = {}): Promise<number> {
    const page = await this.get(path, countSchema, signal, { page: 1, pageSize: 1, ...query });
    return page.totalRecords;
  }

  queueStatus(signal: AbortSignal) {
    return this.get('/queue/status', queueStatusSchema, signal);
  }

  health(signal: AbortSignal) {
    return this.get('/health', healthSchema, signal);
  }

  systemStatus(signal: AbortSignal) {
    return this.get('/system/status', systemStatusSchema, signal);
  }

  diskSpace(signal: AbortSignal) {
    return this.get('/diskspace', diskSpaceSchema, signal);
  }

  rootFolders(signal: AbortSignal) {
    return this.get('/rootfolder', rootFolderSchema, signal);
  }

  updates(signal: AbortSignal) {
    return this.get('/update', updateSchema, signal);
  }

  /** POST /command: starts an upstream command (RefreshSeries, MissingEpisodeSearch, RssSync…). */
  async startCommand(name: string, signal: AbortSignal, body: Record<string, unknown> = {}): Promise<CommandRecord> {
    const full = `${this.#base}/command`;
    const data = await this.#http.json(full, { method: 'POST', json: { ...body, name }, signal });
    return parseAnswer(this.#service, `POST ${full}`, commandSchema, data);
  }

  command(id: number, signal: AbortSignal): Promise<CommandRecord> {
    return this.get(`/command/${id}`, commandSchema, signal);
  }

  /**
   * Polls GET /command/{id} until the command finished (CommandStatus completed, failed, aborted,
   * cancelled or orphaned) or the signal aborts. `onProgress` sees every intermediate state, so
   * a job can report it.
   */
  async waitForCommand(id: number, signal: AbortSignal, options: { everyMs?: number; firstMs?: number; onProgress?: (c: CommandRecord) => void } = {}): Promise<CommandRecord> {
    const max = options.everyMs ?? 2000;
    // Most commands (RssSync, a one-series refresh) end within a second: look early, then back off.
    let every = Math.min(max, options.firstMs ?? max);
    for (;;) {
      const c = await this.command(id, signal);
      options.onProgress?.(c);
      if ((FINISHED_COMMAND_STATUSES as readonly string[]).includes(c.status)) return c;
      await delay(every, undefined, { signal }).catch(() => {
        throw new UpstreamError(this.#service, `command ${id} (${c.name ?? 'command'}) did not finish before the deadline`, { code: 'TIMEOUT' });
      });
      every = Math.min(max, every * 2);
    }
  }
}
