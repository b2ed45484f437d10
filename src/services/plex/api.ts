import { UpstreamError } from '../../errors.js';
import type { UpstreamHttp } from '../http.js';
import { parseAnswer } from '../parse.js';
import {
  activitiesSchema,
  metadataListSchema,
  sectionsSchema,
  serverInfoSchema,
  sessionsSchema,
  totalSchema,
  updaterSchema,
  type Activity,
  type Metadata,
  type PlexSession,
  type Section,
  type UpdaterStatus,
} from './schemas.js';

/**
 * The Plex Media Server calls media2mqtt makes (operationIds of the community spec in the
 * comments), each validated against the fields it reads. Paging uses `X-Plex-Container-Start`/
 * `-Size` as query parameters, which PMS accepts for every `X-Plex-*` header (description.md,
 * "Headers"); a size of 0 returns only the total ("Pagination").
 */
export class PlexApi {
  readonly #http: UpstreamHttp;
  readonly #service: string;
  readonly #headers: Record<string, string>;

  /** `headers`: the per-instance client identity, sent with every call. */
  constructor(http: UpstreamHttp, service: string, headers: Record<string, string>) {
    this.#http = http;
    this.#service = service;
    this.#headers = headers;
  }

  /** getServerInfo: version and friendly name. */
  async serverInfo(signal: AbortSignal): Promise<{ version: string; friendlyName?: string | undefined }> {
    const body = await this.#http.json('/', { signal, headers: this.#headers });
    return parseAnswer(this.#service, 'GET /', serverInfoSchema, body).MediaContainer;
  }

  /** getSections. */
  async sections(signal: AbortSignal): Promise<Section[]> {
    const body = await this.#http.json('/library/sections/all', { signal, headers: this.#headers });
    return parseAnswer(this.#service, 'GET /library/sections/all', sectionsSchema, body).MediaContainer.Directory ?? [];
  }

  /**
   * listContent with a page of zero items: the number of items of one media `type` in a section
   * (`totalSize`, or the `X-Plex-Container-Total-Size` header), without downloading any.
   */
  async count(sectionKey: string, type: number, signal: AbortSignal): Promise<number> {
    const path = `/library/sections/${encodeURIComponent(sectionKey)}/all`;
    const what = `GET /library/sections/${sectionKey}/all?type=${type}`;
    const res = await this.#http.request(path, {
      signal,
      headers: this.#headers,
      query: { type, 'X-Plex-Container-Start': 0, 'X-Plex-Container-Size': 0 },
    });
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw new UpstreamError(this.#service, `${what}: the answer is not JSON`, { code: 'BAD_RESPONSE', status: res.status });
    }
    const mc = parseAnswer(this.#service, what, totalSchema, body).MediaContainer;
    if (mc.totalSize !== undefined) return mc.totalSize;
    const header = Number(res.headers['x-plex-container-total-size']);
    if (Number.isInteger(header) && header >= 0) return header;
    throw new UpstreamError(this.#service, `${what}: unexpected answer: no totalSize`, { code: 'BAD_RESPONSE' });
  }

  /**
   * `/library/recentlyAdded`, newest first, at most `limit` items. Not in the community spec
   * (python-plexapi's `Library.recentlyAdded()` and Tautulli read it); its answer has the
   * spec's `MediaContainerWithMetadata` shape, which the contract test holds it to.
   */
  async recentlyAdded(limit: number, signal: AbortSignal): Promise<Metadata[]> {
    const body = await this.#http.json('/library/recentlyAdded', {
      signal,
      headers: this.#headers,
      query: { 'X-Plex-Container-Start': 0, 'X-Plex-Container-Size': limit },
    });
    return parseAnswer(this.#service, 'GET /library/recentlyAdded', metadataListSchema, body).MediaContainer.Metadata ?? [];
  }

  /** listSessions: what is playing now (admin token). */
  async sessions(signal: AbortSignal): Promise<PlexSession[]> {
    const body = await this.#http.json('/status/sessions', { signal, headers: this.#headers });
    return parseAnswer(this.#service, 'GET /status/sessions', sessionsSchema, body).MediaContainer.Metadata ?? [];
  }

  /** listActivities: library scans show as `library.update.section`. */
  async activities(signal: AbortSignal): Promise<Activity[]> {
    const body = await this.#http.json('/activities', { signal, headers: this.#headers });
    return parseAnswer(this.#service, 'GET /activities', activitiesSchema, body).MediaContainer.Activity ?? [];
  }

  /** getUpdatesStatus: PMS's own last update check (no check is triggered). */
  async updaterStatus(signal: AbortSignal): Promise<UpdaterStatus | null> {
    // Some installs answer 404 (no updater); that is "unknown", not a failed poll.
    const res = await this.#http.request('/updater/status', { signal, headers: this.#headers, okStatuses: [404] });
    if (res.status === 404) return null;
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw new UpstreamError(this.#service, 'GET /updater/status: the answer is not JSON', { code: 'BAD_RESPONSE', status: res.status });
    }
    return parseAnswer(this.#service, 'GET /updater/status', updaterSchema, body).MediaContainer;
  }

  /** refreshSection: starts a scan of one section; it shows in /activities while it runs. */
  async refreshSection(sectionKey: string, signal: AbortSignal): Promise<void> {
    await this.#http.request(`/library/sections/${encodeURIComponent(sectionKey)}/refresh`, { method: 'POST', signal, headers: this.#headers });
  }

  /** terminateSession: ends a playback session; `reason` is shown to the user by the client. */
  async terminateSession(sessionId: string, reason: string | undefined, signal: AbortSignal): Promise<void> {
    await this.#http.request('/status/sessions/terminate', { method: 'POST', signal, headers: this.#headers, query: { sessionId, reason } });
  }
}
