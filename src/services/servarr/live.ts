import WebSocket, { type RawData } from 'ws';
import { UpstreamError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { UpstreamHttp } from '../http.js';
import { parseAnswer } from '../parse.js';
import {
  HANDSHAKE_REQUEST,
  PING_MESSAGE,
  negotiateSchema,
  parseHandshakeResponse,
  parseHubMessage,
  parseServarrMessage,
  splitRecords,
  webSocketConnection,
  type ServarrMessage,
} from './signalr.js';

/** What the instance's `status` says about its live channel. */
export type LiveState = 'connected' | 'disconnected' | 'off';

/** The hub Sonarr v4 and Radarr map (`x.MapHub<MessageHub>("/signalr/messages")`, NzbDrone.Host/Startup.cs). */
export const SIGNALR_PATH = '/signalr/messages';

/**
 * ASP.NET Core HubOptions defaults: the server pings every 15 s (KeepAliveInterval) and drops a
 * client it has not heard from for 30 s (ClientTimeoutInterval); the official clients ping every
 * 15 s and give up on a server silent for 30 s (serverTimeoutInMilliseconds). Same here.
 */
const KEEPALIVE_MS = 15_000;
const SERVER_TIMEOUT_MS = 30_000;
/**
 * Largest message accepted (ws `maxPayload`, and the most text kept waiting for a record
 * separator). Resource messages carry one series/movie/episode file, a few KB to a few hundred;
 * anything near this is not a message we want.
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Reconnect backoff: 1 s doubling to 60 s (the official frontend retries every 0–10 s forever). */
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60_000;
/** No hub here (Sonarr v3 has the old SignalR 2 endpoint, a 404) or the key is refused: ask again rarely. */
const RETRY_REFUSED_MS = 10 * 60_000;
/** A connection that lasted this long starts the backoff from the beginning again. */
const STABLE_MS = 30_000;

export interface ServarrLiveOptions {
  /** The instance's HTTP client: negotiate goes through it (deadline, TLS setting, auth header). */
  http: UpstreamHttp;
  /** Instance id, for errors. */
  service: string;
  /** Auth headers for the WebSocket upgrade (the same X-Api-Key). */
  headers: () => Record<string, string>;
  verifyTls: boolean;
  /** Deadline for one whole connect (negotiate, upgrade, handshake). */
  timeoutMs: number;
  log: Logger;
  onMessage: (m: ServarrMessage) => void;
  onState: (s: Exclude<LiveState, 'off'>) => void;
  /** Test and benchmark knobs; defaults as the ASP.NET Core clients. */
  keepAliveMs?: number;
  serverTimeoutMs?: number;
}

class LiveError extends Error {
  /** Try again only after RETRY_REFUSED_MS (404, 401: retrying sooner changes nothing). */
  readonly refused: boolean;
  constructor(message: string, refused = false) {
    super(message);
    this.refused = refused;
  }
}

/**
 * A receive-only SignalR client for the Sonarr/Radarr message hub: negotiate over HTTP, a
 * WebSocket with the JSON hub protocol (signalr.ts), keep-alive both ways, reconnect with
 * backoff. The API key travels in the X-Api-Key header of negotiate and of the upgrade: the
 * apps' "SignalR" auth scheme reads `access_token` from the query or X-Api-Key from the headers
 * (AddApiKey("SignalR", HeaderName = "X-Api-Key", QueryName = "access_token"),
 * Sonarr.Http/Authentication); browsers must use the query, a server need not put the key in a
 * URL. Log lines never carry a URL (the connection token in `id` is a secret too, per the spec).
 * Bad frames are counted and logged once per connection; nothing here throws out of a listener.
 */
export class ServarrLive {
  readonly #o: ServarrLiveOptions;
  #ws: WebSocket | null = null;
  #phase: 'idle' | 'connecting' | 'open' = 'idle';
  #stopped = true;
  #state: Exclude<LiveState, 'off'> = 'disconnected';
  #attempt = 0;
  #connectedAt = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #deadlineTimer: NodeJS.Timeout | null = null;
  #pingTimer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #controller: AbortController | null = null;
  #buffer = '';
  /** Why the current socket is closing, when we know better than its close code. */
  #closeReason: string | null = null;
  #lastFailure: string | null = null;
  #garbageLogged = false;
  /** Frames or records that were not valid hub messages, since start. */
  garbage = 0;
  /** Successful connects since start. */
  connects = 0;

  constructor(options: ServarrLiveOptions) {
    this.#o = options;
  }

  get state(): Exclude<LiveState, 'off'> {
    return this.#state;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#controller?.abort(new Error('stopping'));
    const ws = this.#ws;
    this.#teardown();
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
      // A peer that does not answer the close frame gets the socket cut.
      const cut = setTimeout(() => ws.terminate(), 1000);
      await closed;
      clearTimeout(cut);
    }
  }

  /**
   * The upstream answers again after failing (a poll succeeded): connect now instead of waiting
   * out the backoff, also after a refusal (a 401 while the app was starting, a key fixed upstream).
   */
  kick(): void {
    if (this.#stopped || !this.#retryTimer) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    void this.#connect();
  }

  async #connect(): Promise<void> {
    this.#retryTimer = null;
    if (this.#stopped) return;
    this.#phase = 'connecting';
    const controller = new AbortController();
    this.#controller = controller;
    const seconds = Math.round(this.#o.timeoutMs / 100) / 10;
    this.#deadlineTimer = setTimeout(() => controller.abort(new LiveError(`no connection within ${seconds} s`)), this.#o.timeoutMs);
    try {
      const id = await this.#negotiate(controller.signal);
      if (controller.signal.aborted) throw controller.signal.reason;
      this.#open(id, controller.signal);
    } catch (err) {
      this.#clearDeadline();
      if (this.#stopped) return;
      this.#failed(err);
    }
  }

  async #negotiate(signal: AbortSignal): Promise<string | null> {
    const path = `${SIGNALR_PATH}/negotiate`;
    try {
      const res = await this.#o.http.request(path, { method: 'POST', query: { negotiateVersion: 1 }, signal });
      let data: unknown;
      try {
        data = JSON.parse(res.text);
      } catch {
        throw new LiveError('negotiate: the answer is not JSON');
      }
      const answer = parseAnswer(this.#o.service, 'negotiate', negotiateSchema, data);
      const ws = webSocketConnection(answer);
      if ('refused' in ws) throw new LiveError(ws.refused, true);
      return ws.id;
    } catch (err) {
      if (err instanceof LiveError) throw err;
      if (signal.aborted && signal.reason instanceof LiveError) throw signal.reason;
      // UpstreamHttp's messages name the URL; ours must not (see the class comment).
      const message = errorMessage(err).split(this.#o.http.describe(path)).join('negotiate');
      const refused = err instanceof UpstreamError && (err.code === 'AUTH' || err.code === 'HTTP_404');
      throw new LiveError(err instanceof UpstreamError && err.code === 'HTTP_404' ? 'negotiate: HTTP 404, this version has no SignalR hub at /signalr/messages' : message, refused);
    }
  }

  #open(id: string | null, signal: AbortSignal): void {
    const url = new URL(this.#o.http.baseUrl.replace(/\/+$/, '') + SIGNALR_PATH);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (id) url.searchParams.set('id', id);
    const ws = new WebSocket(url, {
      headers: { 'user-agent': 'media2mqtt', ...this.#o.headers() },
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: this.#o.timeoutMs,
      rejectUnauthorized: this.#o.verifyTls,
    });
    this.#ws = ws;
    this.#buffer = '';
    this.#closeReason = null;
    this.#garbageLogged = false;
    const onAbort = () => {
      if (this.#ws !== ws) return;
      this.#closeReason = signal.reason instanceof LiveError ? signal.reason.message : 'stopped';
      ws.terminate();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      if (this.#ws !== ws) return;
      this.#closeReason = `WebSocket upgrade refused: HTTP ${res.statusCode}`;
      ws.terminate();
    });
    ws.on('open', () => {
      if (this.#ws === ws) ws.send(HANDSHAKE_REQUEST);
    });
    ws.on('message', (data, isBinary) => this.#onData(ws, data, isBinary));
    ws.on('error', (err) => {
      if (this.#ws === ws && !this.#closeReason) this.#closeReason = socketReason(err);
    });
    ws.on('close', (code, reason) => {
      signal.removeEventListener('abort', onAbort);
      this.#onClose(ws, code, reason.toString('utf8'));
    });
  }

  #onData(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (this.#ws !== ws) return;
    this.#armIdle(ws);
    if (isBinary) return this.#garbage('a binary frame (the JSON hub protocol sends text)');
    this.#buffer += rawText(data);
    const { records, rest } = splitRecords(this.#buffer);
    this.#buffer = rest;
    if (rest.length > MAX_FRAME_BYTES) {
      this.#buffer = '';
      this.#garbage(`more than ${MAX_FRAME_BYTES} bytes without a record separator`);
    }
    for (const record of records) {
      if (this.#ws !== ws) return;
      if (this.#phase === 'connecting') this.#onHandshake(ws, record);
      else this.#onRecord(ws, record);
    }
  }

  #onHandshake(ws: WebSocket, record: string): void {
    const answer = parseHandshakeResponse(record);
    if (!answer.ok) {
      this.#closeReason = answer.reason;
      ws.terminate();
      return;
    }
    this.#clearDeadline();
    this.#phase = 'open';
    this.#connectedAt = Date.now();
    this.connects++;
    this.#lastFailure = null;
    this.#o.log.info('live updates connected (SignalR); the queue is polled at the idle interval while connected');
    this.#pingTimer = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) ws.send(PING_MESSAGE);
    }, this.#o.keepAliveMs ?? KEEPALIVE_MS);
    this.#setState('connected');
  }

  #onRecord(ws: WebSocket, record: string): void {
    const message = parseHubMessage(record);
    if (message.kind === 'invalid') return this.#garbage(message.reason);
    if (message.kind === 'close') {
      this.#closeReason = `the server closed the connection${message.error ? `: ${message.error}` : ''}`;
      ws.close(1000);
      return;
    }
    const m = parseServarrMessage(message);
    if (!m) return; // ping, or a type a receive-only client ignores
    if ('invalid' in m) return this.#garbage(m.invalid);
    this.#o.log.debug(`live message ${m.name}${m.action ? ` (${m.action})` : ''}`);
    try {
      this.#o.onMessage(m);
    } catch (err) {
      this.#o.log.warn(`live message ${m.name} could not be handled: ${errorMessage(err)}`);
    }
  }

  #garbage(reason: string): void {
    this.garbage++;
    if (this.#garbageLogged) {
      this.#o.log.debug(`live updates: ignored ${reason}`);
      return;
    }
    this.#garbageLogged = true;
    this.#o.log.warn(`live updates: ignored ${reason}; further bad frames on this connection are logged at debug level`);
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (this.#ws !== ws) return;
    const wasOpen = this.#phase === 'open';
    const why = this.#closeReason ?? (code === 1009 ? `a message larger than ${MAX_FRAME_BYTES} bytes` : `closed (${code}${reason ? ` ${reason.slice(0, 60)}` : ''})`);
    this.#teardown();
    if (this.#stopped) return;
    if (wasOpen && Date.now() - this.#connectedAt >= STABLE_MS) this.#attempt = 0;
    if (wasOpen) {
      this.#o.log.info(`live updates lost: ${why}; polling takes over, reconnecting with backoff`);
      this.#lastFailure = why;
      this.#setState('disconnected');
      this.#schedule(false);
    } else this.#failed(new LiveError(why));
  }

  #failed(err: unknown): void {
    const message = errorMessage(err);
    const refused = err instanceof LiveError && err.refused;
    // One line per distinct reason, not one per attempt.
    if (message !== this.#lastFailure) this.#o.log.info(`live updates unavailable: ${message}; polling only, retrying ${refused ? 'in 10 min' : 'with backoff'}`);
    this.#lastFailure = message;
    this.#phase = 'idle';
    this.#setState('disconnected');
    this.#schedule(refused);
  }

  #schedule(refused: boolean): void {
    if (this.#stopped || this.#retryTimer) return;
    const base = refused ? RETRY_REFUSED_MS : Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(this.#attempt, 10));
    this.#attempt++;
    const delay = base * (0.8 + Math.random() * 0.4);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #setState(s: Exclude<LiveState, 'off'>): void {
    if (s === this.#state) return;
    this.#state = s;
    try {
      this.#o.onState(s);
    } catch (err) {
      this.#o.log.warn(`live state change could not be handled: ${errorMessage(err)}`);
    }
  }

  #armIdle(ws: WebSocket): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const ms = this.#o.serverTimeoutMs ?? SERVER_TIMEOUT_MS;
    this.#idleTimer = setTimeout(() => {
      if (this.#ws !== ws) return;
      this.#closeReason = `nothing from the server for ${ms / 1000} s`;
      ws.terminate();
    }, ms);
  }

  #clearDeadline(): void {
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = null;
  }

  #teardown(): void {
    this.#clearDeadline();
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#pingTimer = null;
    this.#idleTimer = null;
    this.#ws = null;
    this.#buffer = '';
    this.#phase = 'idle';
    this.#controller = null;
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** A socket error as a short reason, without addresses. */
function socketReason(err: Error): string {
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (code === 'ENOTFOUND') return 'host not found';
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return `a message larger than ${MAX_FRAME_BYTES} bytes`;
  return err.message.replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '<host>').slice(0, 120);
}
