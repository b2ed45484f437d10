import { z } from 'zod';
import type { Role } from '../config/schema.js';
import type { CommandResponse } from '../mqtt/contract.js';
import { CommandError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** Who called, from which transport; used for roles, rate limits and the audit trail. */
export interface CallerMeta {
  transport: 'mqtt' | 'rpc' | 'cli' | 'http';
  clientId?: string;
  role?: Role;
  transaction?: string;
}

export interface CommandDef<P extends z.ZodType = z.ZodType> {
  /** Command name in topics: `<base>/<instance>/set/<name>`. */
  name: string;
  /** Instances this command exists on: `bridge`, a service type such as `sonarr`, or `system`. */
  scope: string;
  description: string;
  params: P;
  /** When the MQTT payload is a bare value (not a JSON object), it becomes this parameter. */
  bareParam?: string;
  role: Role;
  /** Safe to retry: calling it twice has the same effect as once. */
  idempotent: boolean;
  handler: (instance: string, params: z.output<P>, meta: CallerMeta) => Promise<unknown>;
}

/** Limits on what a command payload may be, so bad input never reaches a handler. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_DEPTH = 16;

function depthOk(v: unknown, d = 0): boolean {
  if (d > MAX_DEPTH) return false;
  if (Array.isArray(v)) return v.every((x) => depthOk(x, d + 1));
  if (v && typeof v === 'object') return Object.values(v).every((x) => depthOk(x, d + 1));
  return true;
}

/** JSON.parse that refuses prototype-polluting keys. */
function safeJson(text: string): unknown {
  return JSON.parse(text, (k, v: unknown) => {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new CommandError('INVALID_PAYLOAD', `key "${k}" is not allowed`);
    return v;
  });
}

/**
 * The one command registry. Every transport (MQTT topics, JSON-RPC, CLI, HA buttons) calls
 * `dispatch()`, which parses, validates, runs the handler and always answers with one envelope.
 */
export class CommandRegistry {
  #commands = new Map<string, CommandDef>();
  /** Instance id → scope (its type), maintained by the app as instances come and go. */
  #instances = new Map<string, string>();
  #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  register<P extends z.ZodType>(def: CommandDef<P>): void {
    const key = `${def.scope}/${def.name}`;
    if (this.#commands.has(key)) throw new Error(`command ${key} registered twice`);
    this.#commands.set(key, def as unknown as CommandDef);
  }

  has(scope: string, name: string): boolean {
    return this.#commands.has(`${scope}/${name}`);
  }

  setInstance(instance: string, scope: string): void {
    this.#instances.set(instance, scope);
  }

  find(instance: string, name: string): CommandDef | undefined {
    const scope = this.#instances.get(instance);
    return scope === undefined ? undefined : this.#commands.get(`${scope}/${name}`);
  }

  list(instance?: string): { instance: string; command: string; description: string; role: Role }[] {
    const out = [];
    for (const [id, scope] of this.#instances) {
      if (instance && id !== instance) continue;
      for (const def of this.#commands.values()) if (def.scope === scope) out.push({ instance: id, command: def.name, description: def.description, role: def.role });
    }
    return out;
  }

  /** Parses a raw MQTT payload: a JSON value, or a bare string for single-parameter commands. */
  parsePayload(def: CommandDef, raw: Buffer | string): unknown {
    const text = typeof raw === 'string' ? raw : raw.toString('utf8');
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new CommandError('PAYLOAD_TOO_LARGE', `payload is larger than ${MAX_PAYLOAD_BYTES} bytes`);
    const trimmed = text.trim();
    if (trimmed === '') return {};
    let value: unknown;
    if (/^[[{"]/.test(trimmed)) {
      try {
        value = safeJson(trimmed);
      } catch (err) {
        if (err instanceof CommandError) throw err;
        throw new CommandError('INVALID_JSON', `payload is not valid JSON: ${errorMessage(err)}`);
      }
    } else {
      value = trimmed;
    }
    if (!depthOk(value)) throw new CommandError('INVALID_PAYLOAD', `payload is nested deeper than ${MAX_DEPTH} levels`);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
    if (def.bareParam) return { [def.bareParam]: value };
    throw new CommandError('INVALID_PAYLOAD', 'payload must be a JSON object');
  }

  async dispatch(instance: string, name: string, payload: Buffer | string | Record<string, unknown>, meta: CallerMeta): Promise<CommandResponse> {
    let transaction = meta.transaction;
    try {
      if (!this.#instances.has(instance)) throw new CommandError('UNKNOWN_INSTANCE', `no instance "${instance}"`);
      const def = this.find(instance, name);
      if (!def) throw new CommandError('UNKNOWN_COMMAND', `"${name}" is not a command of ${instance}`);
      const raw = typeof payload === 'string' || Buffer.isBuffer(payload) ? this.parsePayload(def, payload) : payload;
      // Zigbee2MQTT convention: a `transaction` field is echoed in the answer, not passed to the handler.
      if (raw && typeof raw === 'object' && 'transaction' in raw) {
        const { transaction: t, ...rest } = raw as Record<string, unknown>;
        if (typeof t === 'string' || typeof t === 'number') transaction ??= String(t).slice(0, 128);
        return await this.#run(def, instance, rest, meta, transaction);
      }
      return await this.#run(def, instance, raw, meta, transaction);
    } catch (err) {
      return this.#error(instance, name, err, transaction);
    }
  }

  async #run(def: CommandDef, instance: string, raw: unknown, meta: CallerMeta, transaction: string | undefined): Promise<CommandResponse> {
    try {
      const parsed = def.params.safeParse(raw);
      if (!parsed.success) {
        const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
        throw new CommandError('INVALID_PARAMS', msg);
      }
      const data = await def.handler(instance, parsed.data, meta);
      return { status: 'ok', data: data ?? null, error: null, ...(transaction !== undefined ? { transaction } : {}) };
    } catch (err) {
      return this.#error(instance, def.name, err, transaction);
    }
  }

  #error(instance: string, name: string, err: unknown, transaction: string | undefined): CommandResponse {
    const known = err instanceof CommandError;
    if (!known) this.#log.error(`command ${instance}/${name} failed: ${errorMessage(err)}`);
    // Internal errors are masked: their messages may hold paths or upstream details.
    const error = known ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'internal error (see the bridge log)' };
    return { status: 'error', data: null, error, ...(transaction !== undefined ? { transaction } : {}) };
  }
}
