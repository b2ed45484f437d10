import { randomBytes } from 'node:crypto';
import type { Simulator } from '../module.js';
import { SimServer, type SimRequest, type SimResponse } from '../sim/server.js';
import type { SeerrFlavour } from './flavour.js';
import { SIM_INITIAL_ISSUES, SIM_INITIAL_REQUESTS, SIM_TITLES, SIM_USERS, type SimIssue, type SimMedia, type SimMediaRequest, type SimTitle, type SimUser } from './sim-data.js';

export type { SimIssue, SimMedia, SimMediaRequest } from './sim-data.js';
import { renderWebhook } from './sim-webhook.js';

const API = '/api/v1';
/** How long an approved request stays "processing" in the simulated world. */
const PROCESSING_TICKS = 2;

/**
 * A stateful Jellyseerr or Overseerr (one implementation; the flavour changes the `/status` version
 * and the media-server wording). Auth is the `X-Api-Key` header; without it the app answers 403
 * `{status, error}` (server/middleware/auth.ts `isAuthenticated`). `/status` is public.
 */
export class SeerrSim implements Simulator {
  readonly server: SimServer;
  readonly flavour: SeerrFlavour;
  /** Seerr keys are base64 strings of 68 characters or so; any opaque string works. */
  readonly apiKey = randomBytes(24).toString('base64');
  readonly requests: SimMediaRequest[] = [];
  readonly issues: SimIssue[] = [];
  readonly media = new Map<number, SimMedia>();
  updateAvailable = false;
  #nextRequestId = 1;
  #nextMediaId = 1;
  #nextIssueId = 1;
  #ticks = 0;

  constructor(flavour: SeerrFlavour) {
    this.flavour = flavour;
    this.server = new SimServer({
      name: flavour.type,
      authorized: (req) => req.headers['x-api-key'] === this.apiKey,
      unauthorized: () => ({ status: 403, json: { status: 403, error: 'You do not have permission to access this endpoint' } }),
      slowMs: 3000,
    });
    const start = Date.now() - 30 * 86_400_000;
    SIM_INITIAL_REQUESTS.forEach(([tmdbId, status, mediaStatus, userId, is4k], i) => {
      const at = new Date(start + i * 3 * 86_400_000).toISOString();
      const r = this.addRequest(tmdbId, { userId, is4k, at });
      r.status = status;
      if (is4k) r.media.status4k = mediaStatus;
      else r.media.status = mediaStatus;
      if (status !== 1) r.modifiedBy = SIM_USERS[0]!;
    });
    for (const [issueType, status, tmdbId] of SIM_INITIAL_ISSUES) {
      const issue = this.addIssue(tmdbId, issueType);
      issue.status = status;
    }
    this.#routes();
  }

  static async start(flavour: SeerrFlavour, options: { port?: number } = {}): Promise<SeerrSim> {
    const sim = new SeerrSim(flavour);
    await sim.server.start(options.port ?? 0);
    return sim;
  }

  config(): Record<string, unknown> {
    return { type: this.flavour.type, url: this.server.url, api_key: this.apiKey };
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  /**
   * Processing media becomes available after a couple of ticks; every 4th tick someone requests
   * the next title nobody has requested yet (or, once all are, the oldest pending one is approved).
   */
  tick(): void {
    this.#ticks++;
    for (const r of this.requests) {
      if (r.status !== 2 || this.#mediaStatus(r) !== 3) continue;
      if (--r.processingTicks <= 0) this.#setMediaStatus(r, 5);
    }
    if (this.#ticks % 4 === 0) {
      const next = SIM_TITLES.find((t) => !this.requests.some((r) => r.media.title.tmdbId === t.tmdbId));
      if (next) this.addRequest(next.tmdbId, { userId: 2 + (this.#ticks % 3) });
      else {
        // Everything has been asked for: the admin works through the queue instead.
        const oldest = this.requests.find((r) => r.status === 1);
        if (oldest) this.setStatus(oldest.id, 'approve');
      }
    }
  }

  /** A new request (pending unless `approved`, which is what auto-approve does). */
  addRequest(tmdbId?: number, options: { userId?: number; is4k?: boolean; approved?: boolean; at?: string } = {}): SimMediaRequest {
    const title = tmdbId === undefined ? SIM_TITLES.find((t) => !this.requests.some((r) => r.media.title.tmdbId === t.tmdbId)) : SIM_TITLES.find((t) => t.tmdbId === tmdbId);
    if (!title) throw new Error(`no simulated title ${tmdbId ?? '(all requested)'}`);
    const at = options.at ?? new Date().toISOString();
    let media = this.media.get(title.tmdbId);
    if (!media) {
      media = { id: this.#nextMediaId++, title, status: 1, status4k: 1, createdAt: at, updatedAt: at };
      this.media.set(title.tmdbId, media);
    }
    const user = SIM_USERS.find((u) => u.id === (options.userId ?? 2)) ?? SIM_USERS[1]!;
    const r: SimMediaRequest = { id: this.#nextRequestId++, status: 1, media, user, modifiedBy: null, is4k: options.is4k ?? false, createdAt: at, updatedAt: at, processingTicks: PROCESSING_TICKS };
    this.requests.push(r);
    this.#setMediaStatus(r, 2);
    if (options.approved) this.setStatus(r.id, 'approve');
    return r;
  }

  /** What POST /request/{id}/approve|decline does (by the admin user the API key stands for). */
  setStatus(id: number, status: 'approve' | 'decline'): SimMediaRequest | null {
    const r = this.requests.find((x) => x.id === id);
    if (!r) return null;
    r.status = status === 'approve' ? 2 : 3;
    r.modifiedBy = SIM_USERS[0]!;
    r.updatedAt = new Date().toISOString();
    r.processingTicks = PROCESSING_TICKS;
    this.#setMediaStatus(r, status === 'approve' ? 3 : 1);
    return r;
  }

  addIssue(tmdbId: number, issueType: 1 | 2 | 3 | 4 = 1, userId = 3): SimIssue {
    const media = this.media.get(tmdbId);
    if (!media) throw new Error(`no simulated media ${tmdbId}`);
    const at = new Date().toISOString();
    const issue: SimIssue = { id: this.#nextIssueId++, issueType, status: 1, media, user: SIM_USERS.find((u) => u.id === userId) ?? SIM_USERS[2]!, createdAt: at, updatedAt: at };
    this.issues.push(issue);
    return issue;
  }

  /** GET /request/count, computed as the apps do (server/routes/request.ts `/count`). */
  counts(): Record<string, number> {
    const rs = this.requests;
    const approved = rs.filter((r) => r.status === 2);
    return {
      total: rs.length,
      movie: rs.filter((r) => r.media.title.kind === 'movie').length,
      tv: rs.filter((r) => r.media.title.kind === 'tv').length,
      pending: rs.filter((r) => r.status === 1).length,
      approved: approved.length,
      declined: rs.filter((r) => r.status === 3).length,
      processing: approved.filter((r) => this.#mediaStatus(r) === 3).length,
      available: approved.filter((r) => this.#mediaStatus(r) === 5).length,
    };
  }

  /** GET /issue/count. */
  issueCounts(): Record<string, number> {
    const is = this.issues;
    const type = (t: number) => is.filter((i) => i.issueType === t).length;
    return {
      total: is.length,
      video: type(1),
      audio: type(2),
      subtitles: type(3),
      others: type(4),
      open: is.filter((i) => i.status === 1).length,
      closed: is.filter((i) => i.status === 2).length,
    };
  }

  /** The body the app's webhook agent would POST for this notification (default JSON template). */
  webhook(notificationType: string, ids: { requestId?: number; issueId?: number } = {}): Record<string, unknown> {
    const request = ids.requestId !== undefined ? this.requests.find((r) => r.id === ids.requestId) ?? null : null;
    const issue = ids.issueId !== undefined ? this.issues.find((i) => i.id === ids.issueId) ?? null : null;
    return renderWebhook(notificationType, { request, issue, app: this.flavour.app });
  }

  #mediaStatus(r: SimMediaRequest): number {
    return r.is4k ? r.media.status4k : r.media.status;
  }

  #setMediaStatus(r: SimMediaRequest, status: number): void {
    if (r.is4k) r.media.status4k = status;
    else r.media.status = status;
    r.media.updatedAt = new Date().toISOString();
  }

  #routes(): void {
    const s = this.server;
    s.route('GET', `${API}/status`, () => ({
      json: { version: this.flavour.simVersion, commitTag: this.flavour.simCommitTag, updateAvailable: this.updateAvailable, commitsBehind: this.updateAvailable ? 12 : 0, restartRequired: false },
    }), { public: true });
    s.route('GET', `${API}/request/count`, () => ({ json: this.counts() }));
    s.route('GET', `${API}/request`, (req) => this.#list(req));
    s.route('GET', `${API}/request/:requestId`, (req) => {
      const r = this.requests.find((x) => String(x.id) === req.params.requestId);
      return r ? { json: this.requestJson(r) } : { status: 404, json: { message: 'Request not found.' } };
    });
    s.route('POST', `${API}/request/:requestId/:status`, (req) => {
      const status = req.params.status;
      if (status !== 'approve' && status !== 'decline') return { status: 400, json: { message: 'Invalid status.' } };
      const r = this.setStatus(Number(req.params.requestId), status);
      return r ? { json: this.requestJson(r) } : { status: 404, json: { message: 'Request not found.' } };
    });
    s.route('GET', `${API}/issue/count`, () => ({ json: this.issueCounts() }));
    s.route('GET', `${API}/movie/:movieId`, (req) => this.#details('movie', req.params.movieId));
    s.route('GET', `${API}/tv/:tvId`, (req) => this.#details('tv', req.params.tvId));
  }

  /** GET /request with take/skip/filter/sort/sortDirection/requestedBy (newest first by default). */
  #list(req: SimRequest): SimResponse {
    const q = req.query;
    const take = Math.max(1, Math.min(100, Number(q.get('take') ?? 10) || 10));
    const skip = Math.max(0, Number(q.get('skip') ?? 0) || 0);
    const filter = q.get('filter') ?? 'all';
    const ms = (r: SimMediaRequest) => this.#mediaStatus(r);
    const filters: Record<string, (r: SimMediaRequest) => boolean> = {
      all: () => true,
      pending: (r) => r.status === 1,
      approved: (r) => r.status === 2,
      processing: (r) => r.status === 2 && [1, 2, 3].includes(ms(r)),
      available: (r) => [4, 5].includes(ms(r)),
      unavailable: (r) => [1, 2].includes(r.status) && ms(r) !== 5,
      failed: (r) => r.status === 4,
      deleted: (r) => ms(r) === 6,
      completed: (r) => r.status === 5,
    };
    const keep = filters[filter];
    if (!keep) return { status: 400, json: { message: `Invalid filter "${filter}".` } };
    const requestedBy = q.get('requestedBy');
    let list = this.requests.filter((r) => keep(r) && (!requestedBy || String(r.user.id) === requestedBy));
    const sortKey = q.get('sort') === 'modified' ? (r: SimMediaRequest) => r.updatedAt : (r: SimMediaRequest) => r.id;
    list = [...list].sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0));
    if (q.get('sortDirection') === 'asc') list.reverse();
    return {
      json: {
        pageInfo: { pages: Math.ceil(list.length / take), pageSize: take, results: list.length, page: Math.floor(skip / take) + 1 },
        results: list.slice(skip, skip + take).map((r) => this.requestJson(r)),
      },
    };
  }

  #details(kind: 'movie' | 'tv', id: string | undefined): SimResponse {
    const t = SIM_TITLES.find((x) => x.kind === kind && String(x.tmdbId) === id);
    if (!t) return { status: 404, json: { message: kind === 'movie' ? 'Movie not found.' : 'TV show not found.' } };
    const media = this.media.get(t.tmdbId);
    const common = { id: t.tmdbId, overview: t.overview, posterPath: `/p${t.tmdbId}.jpg`, ...(media ? { mediaInfo: this.mediaJson(media) } : {}) };
    return kind === 'movie'
      ? { json: { ...common, title: t.title, originalTitle: t.title, releaseDate: t.date, status: 'Released', runtime: 120 } }
      : { json: { ...common, name: t.title, originalName: t.title, firstAirDate: t.date, status: 'Returning Series', numberOfSeasons: 2 } };
  }

  requestJson(r: SimMediaRequest): Record<string, unknown> {
    return {
      id: r.id,
      status: r.status,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      type: r.media.title.kind,
      is4k: r.is4k,
      serverId: 0,
      profileId: r.is4k ? 5 : 4,
      rootFolder: r.media.title.kind === 'movie' ? '/data/movies' : '/data/tv',
      media: this.mediaJson(r.media),
      requestedBy: this.userJson(r.user),
      modifiedBy: r.modifiedBy ? this.userJson(r.modifiedBy) : null,
      seasons: r.media.title.kind === 'tv' ? [{ id: r.id * 10 + 1, seasonNumber: 1, status: r.status === 2 ? 2 : 1 }] : [],
    };
  }

  mediaJson(m: SimMedia): Record<string, unknown> {
    return {
      id: m.id,
      mediaType: m.title.kind,
      tmdbId: m.title.tmdbId,
      tvdbId: m.title.tvdbId,
      status: m.status,
      status4k: m.status4k,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    };
  }

  userJson(u: SimUser): Record<string, unknown> {
    const jellyfin = this.flavour.mediaServer === 'Jellyfin';
    return {
      id: u.id,
      email: u.email,
      // Users signed in through the media server have its user name; displayName falls back to it.
      ...(jellyfin ? { jellyfinUsername: u.name } : { plexUsername: u.name }),
      displayName: u.name,
      userType: jellyfin ? 3 : 1,
      permissions: u.admin ? 2 : 32,
      avatar: jellyfin ? `/avatarproxy/${u.id}` : `https://plex.tv/users/${u.id.toString(16).padStart(16, '0')}/avatar`,
      createdAt: '2024-01-05T10:00:00.000Z',
      updatedAt: '2024-01-05T10:00:00.000Z',
      requestCount: this.requests.filter((r) => r.user.id === u.id).length,
    };
  }
}
