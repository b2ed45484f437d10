import { UpstreamError } from '../../errors.js';
import type { RequestOptions, UpstreamHttp, UpstreamResponse } from '../http.js';

export interface QbitSessionOptions {
  service: string;
  http: UpstreamHttp;
  username?: string | undefined;
  password?: string | undefined;
}

const LOGIN_PATH = '/api/v2/auth/login';

/**
 * qBittorrent's cookie login ([WebUI API, Authentication]): `POST /api/v2/auth/login` with a form
 * `username`/`password` answers `Ok.` and sets the session cookie, or `Fails.` for wrong
 * credentials (HTTP 200 either way); 403 means the IP is banned after too many failures. Every
 * other call without a valid cookie gets 403, so a 403 means the session ended (timeout, restart):
 * log in again once and retry. Without configured credentials qBittorrent may bypass auth for
 * localhost or whitelisted subnets, and no login is made.
 *
 * The cookie lives only in this object and in request headers; it is never logged.
 */
export class QbitSession {
  readonly #o: QbitSessionOptions;
  #cookie: string | null = null;
  #loggingIn: Promise<void> | null = null;
  #logins = 0;
  /** Called after each successful login: a new session may be a restarted (upgraded) qBittorrent. */
  onLogin: (() => void) | null = null;

  constructor(options: QbitSessionOptions) {
    this.#o = options;
  }

  get hasCredentials(): boolean {
    return Boolean(this.#o.username) || Boolean(this.#o.password);
  }

  /** Successful logins since start (one per session, not one per poll). */
  get logins(): number {
    return this.#logins;
  }

  /** A request with the session cookie; logs in first when needed and once more on a 403. */
  async request(path: string, options: RequestOptions = {}): Promise<UpstreamResponse> {
    let fresh = false;
    if (this.hasCredentials && !this.#cookie) {
      await this.login(options.signal);
      fresh = true;
    }
    try {
      return await this.#send(path, options);
    } catch (err) {
      if (!isForbidden(err)) throw err;
      if (!this.hasCredentials) {
        throw new UpstreamError(this.#o.service, `${options.method ?? 'GET'} ${this.#o.http.describe(path)}: 403 forbidden: qBittorrent wants a login; set username and password for this service (or allow it in qBittorrent's "Bypass authentication" options)`, { code: 'AUTH', status: 403, cause: err });
      }
      if (fresh) throw err; // a cookie we just got is refused: logging in again would not help
      this.#cookie = null;
      await this.login(options.signal);
      return this.#send(path, options);
    }
  }

  /** Logs in (concurrent callers share one attempt). */
  login(signal?: AbortSignal): Promise<void> {
    this.#loggingIn ??= this.#login(signal).finally(() => (this.#loggingIn = null));
    return this.#loggingIn;
  }

  /** Forgets the cookie (the next request logs in again). */
  reset(): void {
    this.#cookie = null;
  }

  #send(path: string, options: RequestOptions): Promise<UpstreamResponse> {
    if (!this.#cookie) return this.#o.http.request(path, options);
    return this.#o.http.request(path, { ...options, headers: { ...options.headers, cookie: this.#cookie } });
  }

  async #login(signal?: AbortSignal): Promise<void> {
    const { http, service } = this.#o;
    const where = `POST ${http.describe(LOGIN_PATH)}`;
    // "Set Referer or Origin header to the exact same domain and port as used in the HTTP query Host header."
    const res = await http.request(LOGIN_PATH, {
      method: 'POST',
      form: { username: this.#o.username ?? '', password: this.#o.password ?? '' },
      headers: { referer: refererFor(http.baseUrl) },
      okStatuses: [401, 403],
      signal,
    });
    const body = res.text.trim();
    if (res.status === 403) {
      throw new UpstreamError(service, `${where}: 403: qBittorrent has banned this address after too many failed logins; fix the credentials and wait for the ban to end (WebUI ban duration)`, { code: 'AUTH', status: 403 });
    }
    if (body === 'Fails.') {
      throw new UpstreamError(service, `${where}: login failed: wrong username or password`, { code: 'AUTH', status: res.status });
    }
    if (res.status === 401) {
      throw new UpstreamError(service, `${where}: 401 unauthorized: qBittorrent refused the request as cross-site (its Host header must match the url; check a reverse proxy)`, { code: 'AUTH', status: 401 });
    }
    // 4.x/5.0 answer 200 "Ok." with `SID`; 5.2 answers 204 with an empty body and `QBT_SID_<port>`.
    const cookie = sessionCookie(res.headers['set-cookie']);
    if (!cookie && body !== 'Ok.') {
      throw new UpstreamError(service, `${where}: unexpected login answer (HTTP ${res.status}, no session cookie)`, { code: 'BAD_RESPONSE', status: res.status });
    }
    this.#cookie = cookie;
    this.#logins++;
    this.onLogin?.();
  }
}

function isForbidden(err: unknown): boolean {
  return err instanceof UpstreamError && err.status === 403;
}

/** The Referer qBittorrent's CSRF check accepts: scheme, host and port of the configured url. */
export function refererFor(baseUrl: string): string {
  return `${new URL(baseUrl).origin}/`;
}

/**
 * The session cookie (`name=value`) from Set-Cookie: `SID` up to 5.1, `QBT_SID_<port>` since 5.2.
 * Anything else (a proxy's own cookies) is ignored.
 */
export function sessionCookie(setCookie: string | string[] | undefined): string | null {
  const lines = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  for (const line of lines) {
    const m = /^\s*((?:QBT_)?SID(?:_\d+)?)=([^;\s]*)/.exec(line);
    if (m && m[2]) return `${m[1]}=${m[2]}`;
  }
  return null;
}
