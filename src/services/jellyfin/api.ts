import type { UpstreamHttp } from '../http.js';
import { parseAnswer } from '../parse.js';
import {
  itemCountsSchema,
  itemsResultSchema,
  sessionsSchema,
  systemInfoSchema,
  tasksSchema,
  virtualFoldersSchema,
  type Item,
  type ItemCounts,
  type Session,
  type SystemInfo,
  type Task,
  type VirtualFolder,
} from './schemas.js';

/** Item types that count as "added to the library" (BaseItemKind in the spec). */
export const RECENT_ITEM_TYPES = ['Movie', 'Episode', 'MusicAlbum', 'Book', 'AudioBook', 'MusicVideo'] as const;

/**
 * The Jellyfin calls media2mqtt makes, each validated against the fields it reads. Paths and
 * parameter names are the spec's (operationIds in the comments); an API key acts for no user,
 * so only endpoints that work without `userId` are used (`/Items/Latest` needs a user).
 */
export class JellyfinApi {
  readonly #http: UpstreamHttp;
  readonly #service: string;
  readonly #headers: Record<string, string>;

  /** `headers`: the per-instance client identity (see auth.ts), sent with every call. */
  constructor(http: UpstreamHttp, service: string, headers: Record<string, string>) {
    this.#http = http;
    this.#service = service;
    this.#headers = headers;
  }

  /** GetSystemInfo: version, server name, pending restart. */
  async systemInfo(signal: AbortSignal): Promise<SystemInfo> {
    const body = await this.#http.json('/System/Info', { signal, headers: this.#headers });
    return parseAnswer(this.#service, 'GET /System/Info', systemInfoSchema, body);
  }

  /** GetItemCounts: one cheap call for every library total, never a library download. */
  async itemCounts(signal: AbortSignal): Promise<ItemCounts> {
    const body = await this.#http.json('/Items/Counts', { signal, headers: this.#headers });
    return parseAnswer(this.#service, 'GET /Items/Counts', itemCountsSchema, body);
  }

  /**
   * GetItems sorted by DateCreated, newest first, `limit` of them. DateCreated is only filled
   * when asked for in `fields` (ItemFields); virtual (missing) episodes are not "added".
   */
  async recentlyAdded(limit: number, signal: AbortSignal): Promise<Item[]> {
    const body = await this.#http.json('/Items', {
      signal,
      headers: this.#headers,
      query: {
        sortBy: 'DateCreated',
        sortOrder: 'Descending',
        recursive: true,
        includeItemTypes: RECENT_ITEM_TYPES.join(','),
        excludeLocationTypes: 'Virtual',
        fields: 'DateCreated',
        limit,
        enableTotalRecordCount: false,
        enableImages: false,
        enableUserData: false,
      },
    });
    return parseAnswer(this.#service, 'GET /Items', itemsResultSchema, body).Items;
  }

  /** GetSessions seen within `activeWithinSeconds` (idle clients drop out of the list). */
  async sessions(activeWithinSeconds: number, signal: AbortSignal): Promise<Session[]> {
    const body = await this.#http.json('/Sessions', { signal, headers: this.#headers, query: { activeWithinSeconds } });
    return parseAnswer(this.#service, 'GET /Sessions', sessionsSchema, body);
  }

  /** GetTasks: the library scan is one of them (hidden tasks left out). */
  async tasks(signal: AbortSignal): Promise<Task[]> {
    const body = await this.#http.json('/ScheduledTasks', { signal, headers: this.#headers, query: { isHidden: false } });
    return parseAnswer(this.#service, 'GET /ScheduledTasks', tasksSchema, body);
  }

  /** RefreshLibrary: starts a scan of every library (204); the RefreshLibrary task shows its progress. */
  async refreshLibrary(signal: AbortSignal): Promise<void> {
    await this.#http.request('/Library/Refresh', { method: 'POST', signal, headers: this.#headers });
  }

  /** GetVirtualFolders: the libraries, with their item id and refresh state. */
  async libraries(signal: AbortSignal): Promise<VirtualFolder[]> {
    const body = await this.#http.json('/Library/VirtualFolders', { signal, headers: this.#headers });
    return parseAnswer(this.#service, 'GET /Library/VirtualFolders', virtualFoldersSchema, body);
  }

  /**
   * RefreshItem on a library's item: scans it for new and changed files. `Default` modes are what
   * the web UI's "Scan library" sends (the spec's default `None` only validates what exists).
   */
  async refreshItem(itemId: string, signal: AbortSignal): Promise<void> {
    await this.#http.request(`/Items/${encodeURIComponent(itemId)}/Refresh`, { method: 'POST', signal, headers: this.#headers, query: { metadataRefreshMode: 'Default', imageRefreshMode: 'Default' } });
  }

  /** SendMessageCommand: a message shown on the session's client (MessageCommand body). */
  async sendMessage(sessionId: string, text: string, signal: AbortSignal): Promise<void> {
    await this.#http.request(`/Sessions/${encodeURIComponent(sessionId)}/Message`, { method: 'POST', signal, headers: this.#headers, json: { Header: 'media2mqtt', Text: text, TimeoutMs: 10_000 } });
  }

  /** SendPlaystateCommand `Stop`: ends the session's playback. */
  async stopPlayback(sessionId: string, signal: AbortSignal): Promise<void> {
    await this.#http.request(`/Sessions/${encodeURIComponent(sessionId)}/Playing/Stop`, { method: 'POST', signal, headers: this.#headers });
  }
}
