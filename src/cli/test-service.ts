import type { Config } from '../config/schema.js';
import { Scheduler } from '../core/scheduler.js';
import { UpstreamError, errorMessage } from '../errors.js';
import { LogHub } from '../log.js';
import { Topics, type OnlineState } from '../mqtt/contract.js';
import { memoryStorage } from '../store/db.js';

type Io = { out: (s: string) => void; err: (s: string) => void };

/** What `media2mqtt test <instance>` found, for printing and for tests. */
export interface ServiceTestResult {
  ok: boolean;
  instance: string;
  type: string;
  url: string;
  version: string | null;
  latencyMs: number | null;
  /** The failure in words, with what to change; null when ok. */
  problem: string | null;
  /** The upstream error's code (`UNREACHABLE`, `AUTH`, `TIMEOUT`, `HTTP_404`, `BAD_RESPONSE`, …). */
  code: string | null;
}

/** The settings that hold this type's credentials. */
function secretKeys(instance: string, type: string): string {
  const key = (k: string) => `services.${instance}.${k}`;
  return type === 'plex' ? key('token') : type === 'qbittorrent' ? `${key('username')} and ${key('password')}` : key('api_key');
}

/** The setting to look at for each kind of failure, in the words a user needs. */
export function explain(err: UpstreamError, instance: string, type: string, url: string, timeout: number): string {
  const key = (k: string) => `services.${instance}.${k}`;
  const secret = secretKeys(instance, type);
  const code = err.code;
  if (code === 'AUTH') return `${url} is ${type}, but it refused the credentials (HTTP ${err.status}): check ${secret}.`;
  if (code === 'TIMEOUT') return `${url} did not answer within ${timeout} s: is the host up and the port right? (${key('timeout')} is ${timeout} s)`;
  if (code === 'UNREACHABLE') {
    if (/certificate|self[- ]signed|CERT_|SSL|TLS/i.test(err.message)) return `${url}: the HTTPS certificate is not trusted (${err.message}). Use the right host name, or set ${key('verify_tls')}: false for a self-signed certificate.`;
    return `cannot reach ${url} (${err.message}): check the host name, the port and http/https in ${key('url')}.`;
  }
  if (code === 'HTTP_404') return `${url} answers, but not with ${type}'s API (HTTP 404): check ${key('url')}, including a URL base set in ${type} (e.g. http://host:port/${type}).`;
  if (code === 'BAD_RESPONSE') return `${url} answers, but not with JSON: it is probably not ${type} (a login page or a reverse proxy?). Check ${key('url')}.`;
  if (err.status !== undefined && err.status >= 500) return `${type} at ${url} answered with an error (HTTP ${err.status}): look at ${type}'s own logs. ${err.message}`;
  return err.message;
}

/**
 * Connection test of one configured service: builds its real API client and service exactly as
 * the bridge does and runs one poll (which starts with the service's status call and reads its
 * version), with the live channel off and nothing published. Reports URL, credentials and version,
 * or what is wrong in words.
 */
export async function testService(cfg: Config, instance: string, secrets: string[] = []): Promise<ServiceTestResult> {
  const input = cfg.services[instance];
  if (!input) throw new UpstreamError(instance, `no service "${instance}" in the configuration (configured: ${Object.keys(cfg.services).join(', ') || 'none'})`, { code: 'UNKNOWN_INSTANCE' });
  const { SERVICE_TYPE_DEFS, loadServiceModule } = await import('../services/registry.js');
  const { resolveServiceConfig } = await import('../services/module.js');
  const { PeerDirectory } = await import('../core/peers.js');
  const { UpstreamHttp } = await import('../services/http.js');
  const module = await loadServiceModule(input.type);
  // The live channel stays off: one poll answers the questions, a socket would only linger.
  const svc = { ...resolveServiceConfig(SERVICE_TYPE_DEFS[input.type], input), live: false };
  const auth = module.auth(svc);
  const http = new UpstreamHttp({ service: instance, baseUrl: svc.url, timeout: svc.timeout, verifyTls: svc.verify_tls, headers: auth.headers, query: auth.query });
  // The first upstream error of the poll, with its code (the poll itself reports only a message).
  let failure: UpstreamError | null = null;
  const watched = new Proxy(http, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const r = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (r instanceof Promise)
          return r.catch((err: unknown) => {
            if (err instanceof UpstreamError) failure ??= err;
            throw err;
          });
        return r;
      };
    },
  });
  const logs = new LogHub({ level: 'error', format: 'text', write: () => undefined });
  logs.addSecrets(secrets);
  const log = logs.child(`test:${instance}`);
  const scheduler = new Scheduler(log);
  let availability: { state: OnlineState; error: string | null } = { state: 'offline', error: null };
  let status: Record<string, unknown> = {};
  const service = module.create({
    id: instance,
    topics: new Topics(cfg.mqtt.base_topic),
    log,
    scheduler,
    publishState: (name, payload) => {
      if (name === 'status') status = { ...payload };
    },
    publishEvent: () => undefined,
    clearState: () => undefined,
    setAvailability: (state, error) => void (availability = { state, error: error ?? null }),
    emitEvent: () => undefined,
    entitiesChanged: () => undefined,
    storage: memoryStorage(),
    peers: new PeerDirectory(() => undefined),
    share: () => undefined,
    cfg: svc,
    http: watched as typeof http,
  });
  const base = { instance, type: input.type, url: svc.url };
  try {
    await service.start();
    await scheduler.runNow('poll');
  } catch (err) {
    if (err instanceof UpstreamError) failure ??= err;
    else availability = { state: 'offline', error: errorMessage(err) };
  } finally {
    await scheduler.stop().catch(() => undefined);
    await service.stop().catch(() => undefined);
  }
  const version = typeof status.version === 'string' ? status.version : null;
  const latencyMs = typeof status.latency_ms === 'number' ? status.latency_ms : null;
  if (availability.state === 'online') return { ...base, ok: true, version, latencyMs, problem: null, code: null };
  if (failure) return { ...base, ok: false, version, latencyMs, problem: explain(failure, instance, input.type, svc.url, svc.timeout), code: failure.code };
  // Some clients judge the answer themselves (qBittorrent's "Fails." login, SABnzbd's error field).
  const said = availability.error ?? 'no answer';
  const refused = /refused the api key|wrong username or password|unauthori[sz]ed|forbidden|api key incorrect/i.test(said);
  return {
    ...base,
    ok: false,
    version,
    latencyMs,
    problem: refused ? `${svc.url} is ${input.type}, but it refused the credentials (${said}): check ${secretKeys(instance, input.type)}.` : `the poll failed: ${said}`,
    code: refused ? 'AUTH' : 'POLL_FAILED',
  };
}

export function printServiceTest(r: ServiceTestResult, io: Io): void {
  if (r.ok) {
    io.out(
      `${r.instance} (${r.type}) at ${r.url}: OK\n` +
        `  URL:         reachable${r.latencyMs !== null ? `, answered in ${r.latencyMs} ms` : ''}\n` +
        `  credentials: accepted\n` +
        `  version:     ${r.version ?? 'not reported'}\n`,
    );
    return;
  }
  io.err(`${r.instance} (${r.type}) at ${r.url}: FAILED (${r.code})\n  ${r.problem}\n`);
}
