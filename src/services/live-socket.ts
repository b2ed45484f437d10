import WebSocket from 'ws';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** What a service's live channel is doing, as published in `<base>/<instance>/status`. */
export type LiveState = 'connected' | 'disconnected' | 'off';
export const LIVE_STATES: readonly LiveState[] = ['connected', 'disconnected', 'off'];

/** The open connection, as the protocol layer sees it. */
export interface LiveConnection {
  /** Sends one JSON text frame; dropped silently when the socket is not open. */
  send(message: unknown): void;
  /** Changes the keepalive period (Jellyfin tells the client its timeout in ForceKeepAlive). */
  keepAliveEvery(ms: number): void;
}

export interface LiveSocketOptions {
  /** `ws://` or `wss://`. Never logged as given: only scheme, host and path (see `describeLiveUrl`). */
  url: string;
  /** Handshake headers (credentials go here rather than in the URL where the upstream allows it). */
  headers?: Record<string, string>;
  log: Logger;
  /** Deadline for the TCP connect plus the upgrade handshake. */
  connectTimeoutMs: number;
  verifyTls?: boolean;
  /** Largest frame accepted; a bigger one closes the socket (ws answers 1009) and it reconnects. */
  maxPayload?: number;
  /** First wait before reconnecting; doubles per failed attempt up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Keepalive period. Every period `keepAlive` runs (default: a WebSocket ping, which every server
   * answers with a pong); a connection that received nothing (message or pong) for 2.5 periods is
   * dead and gets replaced.
   */
  keepAliveMs?: number;
  keepAlive?: (conn: LiveConnection) => void;
  /** Right after the handshake: subscriptions. */
  onOpen?: (conn: LiveConnection) => void;
  /**
   * One frame parsed as JSON. A throw is the protocol layer saying "bad message": it is logged
   * once per distinct message and the socket stays open.
   */
  onMessage: (data: unknown, conn: LiveConnection) => void;
  /** Connected after each handshake, disconnected when a connected socket is gone (not per failed retry). */
  onState?: (state: 'connected' | 'disconnected') => void;
}

const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;
/** A connection that stayed up this long counts as healthy: the backoff starts over. */
const STABLE_MS = 10_000;
/** Distinct bad-frame messages remembered (for "log once"); bounded so garbage cannot grow it. */
const MAX_REMEMBERED_ERRORS = 50;

/** Scheme, host and path of a URL: never its query (tokens) or user info. */
export function describeLiveUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** An upstream `http(s)://host/base` URL → `ws(s)://host/base<path>` (a reverse-proxy base path is kept). */
export function liveUrl(baseUrl: string, path: string, query: Record<string, string> = {}): string {
  const u = new URL(baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = u.pathname.replace(/\/+$/, '') + path;
  u.search = '';
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

/**
 * A WebSocket that stays connected: a deadline on every connect, a keepalive hook and dead-peer
 * detection, reconnects with capped exponential backoff (with jitter, so instances do not retry in
 * lockstep), a bounded frame size, frames parsed as JSON with garbage logged once per distinct
 * problem, and a clean stop. It knows nothing about any protocol; the Jellyfin and Plex folders
 * (and later SignalR) put theirs on top through the hooks.
 */
export class LiveSocket {
  readonly #o: LiveSocketOptions;
  #ws: WebSocket | null = null;
  #stopped = true;
  #connected = false;
  #attempt = 0;
  #openedAt = 0;
  #lastInbound = 0;
  #keepAliveMs: number;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #connectTimer: NodeJS.Timeout | null = null;
  #keepAliveTimer: NodeJS.Timeout | null = null;
  /** Connection problems already logged at warn since the last good connection. */
  #loggedErrors = new Set<string>();
  /** Bad-frame problems already logged (for the life of this object). */
  #loggedFrames = new Set<string>();
  #closed: Promise<void> = Promise.resolve();

  constructor(options: LiveSocketOptions) {
    this.#o = options;
    this.#keepAliveMs = options.keepAliveMs ?? 30_000;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Starts connecting; returns at once (the first attempt runs in the background). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  /** Closes the socket and cancels every timer; resolves when the socket is gone. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    const ws = this.#ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
      // A peer that does not answer the close frame must not hold the stop up.
      const kill = setTimeout(() => ws.terminate(), 2000);
      await this.#closed;
      clearTimeout(kill);
    }
    this.#clearTimers();
  }

  #connect(): void {
    if (this.#stopped) return;
    const o = this.#o;
    const ws = new WebSocket(o.url, {
      headers: o.headers,
      maxPayload: o.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      handshakeTimeout: o.connectTimeoutMs,
      rejectUnauthorized: o.verifyTls ?? true,
      perMessageDeflate: false,
      followRedirects: false,
    });
    this.#ws = ws;
    let done!: () => void;
    this.#closed = new Promise((r) => (done = r));
    // handshakeTimeout covers the upgrade; this also covers a TCP connect that never completes.
    this.#connectTimer = setTimeout(() => this.#fail(ws, `no handshake within ${o.connectTimeoutMs / 1000} s`), o.connectTimeoutMs + 500);
    let failure: string | null = null;

    ws.on('unexpected-response', (_req, res) => {
      failure = `the server refused the upgrade with status ${res.statusCode ?? '?'}`;
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      failure ??= errorMessage(err);
    });
    ws.on('open', () => {
      if (this.#connectTimer) clearTimeout(this.#connectTimer);
      this.#openedAt = Date.now();
      this.#lastInbound = Date.now();
      this.#connected = true;
      this.#loggedErrors.clear();
      o.log.info(`live updates connected (${describeLiveUrl(o.url)})`);
      o.onState?.('connected');
      this.#armKeepAlive();
      try {
        o.onOpen?.(this.#conn(ws));
      } catch (err) {
        this.#badFrame(`subscribing failed: ${errorMessage(err)}`);
      }
    });
    ws.on('pong', () => (this.#lastInbound = Date.now()));
    ws.on('message', (data, isBinary) => {
      this.#lastInbound = Date.now();
      this.#frame(ws, data, isBinary);
    });
    ws.on('close', (code) => {
      this.#clearTimers();
      const wasConnected = this.#connected;
      this.#connected = false;
      if (this.#ws === ws) this.#ws = null;
      done();
      // A stop is not an outage: no state change, no reconnect.
      if (this.#stopped) return;
      const stable = wasConnected && Date.now() - this.#openedAt >= STABLE_MS;
      if (stable) this.#attempt = 0;
      const why = failure ?? (wasConnected ? `closed by the server (code ${code})` : `closed before the handshake (code ${code})`);
      const delay = this.#backoff();
      const line = `live updates ${wasConnected ? 'lost' : 'unavailable'}: ${why}; polling takes over, retrying in ${Math.round(delay / 100) / 10} s`;
      // One warn per distinct problem; repeats (every retry of a long outage) go to debug.
      if (this.#loggedErrors.has(why)) o.log.debug(line);
      else {
        this.#loggedErrors.add(why);
        o.log.warn(line);
      }
      if (wasConnected) o.onState?.('disconnected');
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = null;
        this.#connect();
      }, delay);
    });
  }

  #backoff(): number {
    const min = this.#o.minBackoffMs ?? 1000;
    const max = this.#o.maxBackoffMs ?? 60_000;
    const base = Math.min(max, min * 2 ** Math.min(this.#attempt, 16));
    this.#attempt++;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  #fail(ws: WebSocket, why: string): void {
    ws.emit('error', new Error(why));
    ws.terminate();
  }

  #frame(ws: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString('utf8'));
    } catch {
      // Neither the frame nor the parser's message (which quotes it) goes to the log.
      this.#badFrame(`a ${isBinary ? 'binary' : 'text'} frame that does not parse as JSON was ignored`);
      return;
    }
    try {
      this.#o.onMessage(parsed, this.#conn(ws));
    } catch (err) {
      this.#badFrame(`a message was ignored: ${errorMessage(err)}`);
    }
  }

  #badFrame(message: string): void {
    if (this.#loggedFrames.has(message)) return;
    if (this.#loggedFrames.size < MAX_REMEMBERED_ERRORS) this.#loggedFrames.add(message);
    this.#o.log.warn(`live updates: ${message}`);
  }

  #conn(ws: WebSocket): LiveConnection {
    return {
      send: (message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
      },
      keepAliveEvery: (ms) => {
        this.#keepAliveMs = Math.max(1000, ms);
        if (ws === this.#ws) this.#armKeepAlive();
      },
    };
  }

  #armKeepAlive(): void {
    if (this.#keepAliveTimer) clearInterval(this.#keepAliveTimer);
    const ws = this.#ws;
    if (!ws) return;
    const every = this.#keepAliveMs;
    this.#keepAliveTimer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (Date.now() - this.#lastInbound > every * 2.5) {
        this.#fail(ws, `nothing received for ${Math.round((every * 2.5) / 1000)} s`);
        return;
      }
      if (this.#o.keepAlive) this.#o.keepAlive(this.#conn(ws));
      else ws.ping();
    }, every);
    this.#keepAliveTimer.unref();
  }

  #clearTimers(): void {
    if (this.#connectTimer) clearTimeout(this.#connectTimer);
    if (this.#keepAliveTimer) clearInterval(this.#keepAliveTimer);
    this.#connectTimer = null;
    this.#keepAliveTimer = null;
  }
}
