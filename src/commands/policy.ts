import type { CommandsConfig, Role } from './config.js';
import { ROLES } from './config.js';
import { CommandError } from '../errors.js';

/** `sonarr/*` matches every command of instance sonarr; `*` matches any instance or command. */
export function matches(pattern: string, instance: string, command: string): boolean {
  const [pi, pc] = pattern.split('/');
  return (pi === '*' || pi === instance) && (pc === '*' || pc === command);
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Whether the configuration lets this command run at all (before its parameters are looked at). */
export function checkAllowed(cfg: CommandsConfig, instance: string, command: string): void {
  if (!cfg.enabled) throw new CommandError('COMMANDS_DISABLED', 'commands are turned off (commands.enabled: false)');
  if (cfg.allow.length && !cfg.allow.some((p) => matches(p, instance, command))) {
    throw new CommandError('NOT_ALLOWED', `${instance}/${command} is not in commands.allow`);
  }
  if (cfg.deny.some((p) => matches(p, instance, command))) throw new CommandError('NOT_ALLOWED', `${instance}/${command} is in commands.deny`);
}

export function checkDestructive(cfg: CommandsConfig, instance: string, command: string): void {
  if (!cfg.allow_destructive.some((p) => matches(p, instance, command))) {
    throw new CommandError(
      'DESTRUCTIVE_DISABLED',
      `${instance}/${command} with these parameters is destructive and off by default; add "${instance}/${command}" to commands.allow_destructive to allow it`,
    );
  }
}

/**
 * Calls per minute per client, as a token bucket refilled continuously: a burst of up to `perMinute`
 * calls, then one call every 60/perMinute seconds. Buckets of idle clients are dropped, so a
 * client-id generator cannot grow memory without bound.
 */
export class RateLimiter {
  readonly #perMinute: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  static readonly MAX_CLIENTS = 10_000;

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  take(client: string, now = Date.now()): void {
    if (this.#perMinute === 0) return;
    const b = this.#buckets.get(client) ?? { tokens: this.#perMinute, at: now };
    b.tokens = Math.min(this.#perMinute, b.tokens + ((now - b.at) / 60_000) * this.#perMinute);
    b.at = now;
    if (b.tokens < 1) {
      const wait = Math.ceil(((1 - b.tokens) * 60) / this.#perMinute);
      throw new CommandError('RATE_LIMITED', `more than ${this.#perMinute} commands per minute from this client; try again in ${wait} s`);
    }
    b.tokens -= 1;
    this.#buckets.delete(client); // re-insert: the map stays ordered by last use
    this.#buckets.set(client, b);
    if (this.#buckets.size > RateLimiter.MAX_CLIENTS) this.#buckets.delete(this.#buckets.keys().next().value!);
  }
}

const SECRET_KEY = /pass(word)?|token|api_?key|secret|cookie|authorization/i;
/** Long strings (a .torrent as base64, a magnet with trackers) are cut in the audit trail. */
const MAX_AUDIT_STRING = 200;

/** Parameters as they may be stored and published: secrets replaced, file contents cut. */
export function redactParams(v: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (typeof v === 'string') return v.length > MAX_AUDIT_STRING ? `${v.slice(0, MAX_AUDIT_STRING)}… (${v.length} chars)` : v;
  if (Array.isArray(v)) return v.slice(0, 50).map((x) => redactParams(x, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) ? '***' : redactParams(x, depth + 1);
    return out;
  }
  return v;
}
