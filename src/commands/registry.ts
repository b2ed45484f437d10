import { z } from 'zod';
import type { CommandsConfig, Role } from './config.js';
import type { AuditRecord, CommandResponse } from '../mqtt/contract.js';
import type { Instance } from '../core/instance.js';
import { CommandError, Media2MqttError, errorMessage } from '../errors.js';
import type { JobHandle, JobManager } from '../jobs/jobs.js';
import type { Logger } from '../log.js';
import { decodePayload, parsePayload, payloadTransaction, shapePayload } from './payload.js';
import { RateLimiter, checkAllowed, checkDestructive, redactParams, roleAtLeast } from './policy.js';

/** Who called, from which transport; used for roles, rate limits and the audit trail. */
export interface CallerMeta {
  transport: 'mqtt' | 'rpc' | 'cli' | 'http';
  clientId?: string;
  user?: string;
  /** Known when the embedded broker or the HTTP token vouches for the caller; else the transport's own checks apply. */
  role?: Role;
  transaction?: string;
  /**
   * Rate-limit bucket when neither user nor client id is vouched for (an external broker): the
   * MQTT 5 user property or response topic the caller set (see mqtt-transport `callerOf`).
   */
  rateKey?: string;
}

/** What a handler gets besides its parameters. */
export interface CommandContext<T = Instance> {
  /** The instance id the command was sent to (`sonarr_4k`). */
  instance: string;
  /** The running instance object. */
  target: T;
  meta: CallerMeta;
  /** Set when the command runs as a job: progress reporting and cancellation. */
  job: JobHandle | null;
  /** Aborted when the job is cancelled or the bridge stops; pass it to upstream calls. */
  signal: AbortSignal;
}

/** A Home Assistant control for a command on its instance's device. */
export type CommandControl =
  | { platform: 'button'; name: string; icon?: string; payload?: Record<string, unknown> }
  /**
   * One button per item the instance has now (a restart per Docker container): `items` reads them
   * from the running instance each time its device is published (src/ha/platforms.ts itemButton).
   */
  | { platform: 'buttons'; icon?: string; deviceClass?: 'restart' | 'update' | 'identify'; items: (target: Instance) => { key: string; name: string; payload: Record<string, unknown> }[] }
  /** A value HA sets (src/ha/platforms.ts numberEntity): the command template turns `value` into the payload. */
  | { platform: 'number'; name: string; icon?: string; state: string; valueTemplate: string; commandTemplate: string; min: number; max: number; step: number; unit?: string; deviceClass?: string }
  /** An on/off command: HA shows a switch whose state is `<state>.<field>` and sends `{"<param>": true|false}`. */
  | { platform: 'switch'; name: string; icon?: string; state: string; field: string; param: string };

export interface CommandDef<P extends z.ZodType = z.ZodType, T = Instance, N extends string = string> {
  /** Command name in topics: `<base>/<instance>/set/<name>` (a literal type, so RPC clients see the names). */
  name: N;
  /** Instances this command exists on: `bridge`, a service type such as `sonarr`, or `system`. */
  scope: string;
  description: string;
  params: P;
  /** When the MQTT payload is a bare value (not a JSON object), it becomes this parameter. */
  bareParam?: string;
  role: Role;
  /** Safe to retry: calling it twice has the same effect as once. */
  idempotent: boolean;
  /** Runs as a job: the caller gets `{job_id}` at once and follows `<base>/jobs/<id>`. */
  job?: boolean;
  /** Off unless `commands.allow_destructive` names it; a function decides from the parameters (remove with files). */
  destructive?: boolean | ((params: z.output<P>) => boolean);
  /** Home Assistant button or switch on the instance's device. */
  control?: CommandControl;
  /** One example payload for the README and `list` (valid against `params`). */
  example?: z.input<P>;
  handler: (params: z.output<P>, ctx: CommandContext<T>) => Promise<unknown>;
}

/** A command of any parameter and target type, as service modules list them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandDef = CommandDef<any, any>;

/** Keeps a command's parameter and target types while it is declared in its service folder. */
export function defineCommand<P extends z.ZodType, T = Instance, const N extends string = string>(def: CommandDef<P, T, N>): CommandDef<P, T, N> {
  return def;
}

export { MAX_PAYLOAD_BYTES } from './payload.js';

export interface CommandListEntry {
  instance: string;
  command: string;
  description: string;
  role: Role;
  job: boolean;
  destructive: boolean;
  idempotent: boolean;
  example?: unknown;
}

export interface RegistryDeps {
  log: Logger;
  config: CommandsConfig;
  /** The running instance with this id (commands need its API client). */
  resolve: (instance: string) => Instance | undefined;
  jobs: JobManager;
  /** Every dispatch ends here: stored and published by the app. */
  audit: (record: AuditRecord) => void;
  /** Aborted when the bridge stops: inline handlers end with it (jobs have their own). */
  stopSignal: AbortSignal;
}

/** How long an inline (non-job) handler may take before its upstream calls are aborted. */
export const INLINE_DEADLINE_MS = 60_000;

/**
 * The one command registry. Every transport (MQTT topics, JSON-RPC over MQTT and HTTP, the CLI,
 * HA buttons) calls `dispatch()`, which rate-limits, parses, checks the configuration and the
 * caller's role, validates, runs the handler (inline or as a job) or only answers (`dry_run`),
 * audits, and always answers with one envelope.
 */
export class CommandRegistry {
  #commands = new Map<string, CommandDef>();
  /** Instance id → scope (its type), maintained by the app as instances come and go. */
  #instances = new Map<string, string>();
  #deps: RegistryDeps;
  #limiter: RateLimiter;

  constructor(deps: RegistryDeps) {
    this.#deps = deps;
    this.#limiter = new RateLimiter(deps.config.rate_limit);
  }

  register<P extends z.ZodType, T>(def: CommandDef<P, T>): void {
    const key = `${def.scope}/${def.name}`;
    if (this.#commands.has(key)) throw new Media2MqttError('INTERNAL', `command ${key} registered twice`);
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

  /** The commands of one instance (or all), as the `list` RPC method and the README show them. */
  list(instance?: string): CommandListEntry[] {
    const out: CommandListEntry[] = [];
    for (const [id, scope] of this.#instances) {
      if (instance && id !== instance) continue;
      for (const def of this.#commands.values()) {
        if (def.scope !== scope) continue;
        out.push({
          instance: id,
          command: def.name,
          description: def.description,
          role: def.role,
          job: !!def.job,
          destructive: !!def.destructive,
          idempotent: def.idempotent,
          ...(def.example !== undefined ? { example: def.example } : {}),
        });
      }
    }
    return out;
  }

  /** The HA controls (buttons, switches) of one instance's commands that the configuration allows. */
  controls(instance: string): { command: string; control: CommandControl }[] {
    const scope = this.#instances.get(instance);
    const out: { command: string; control: CommandControl }[] = [];
    for (const def of this.#commands.values()) {
      if (def.scope !== scope || !def.control) continue;
      try {
        checkAllowed(this.#deps.config, instance, def.name);
        // Always destructive (restart_container) and not allowed: a button would only fail.
        if (def.destructive === true) checkDestructive(this.#deps.config, instance, def.name);
      } catch {
        continue; // a disabled command gets no button
      }
      out.push({ command: def.name, control: def.control });
    }
    return out;
  }

  /** Parses a raw MQTT payload: a JSON value, or a bare string for single-parameter commands. */
  parsePayload(def: CommandDef, raw: Buffer | string): unknown {
    return parsePayload(def, raw);
  }

  async dispatch(instance: string, name: string, payload: Buffer | string | Record<string, unknown>, meta: CallerMeta): Promise<CommandResponse> {
    const call: Call = { instance, name, meta, transaction: meta.transaction, dryRun: false, params: null, jobId: null };
    let response: CommandResponse;
    try {
      response = await this.#dispatch(call, payload);
    } catch (err) {
      response = this.#error(call, err);
    }
    this.#audit(call, response);
    return response;
  }

  /** Answers (and audits) a command a transport refuses before dispatch, echoing its transaction when it has a valid one. */
  refuse(instance: string, name: string, payload: Buffer | string | Record<string, unknown>, meta: CallerMeta, err: Media2MqttError): CommandResponse {
    const call: Call = { instance, name, meta, transaction: meta.transaction, dryRun: false, params: null, jobId: null };
    try {
      this.#read(call, payload);
    } catch {
      // The payload's own problem is not the reason given here.
    }
    const response = this.#error(call, err);
    this.#audit(call, response);
    return response;
  }

  /**
   * Decodes the payload and takes its `transaction` first, so every error answer after this point
   * (RATE_LIMITED, UNKNOWN_INSTANCE, UNKNOWN_COMMAND …) echoes it (issue 14, item 3).
   */
  #read(call: Call, payload: Buffer | string | Record<string, unknown>): unknown {
    const value = decodePayload(payload);
    call.transaction ??= payloadTransaction(value);
    return value;
  }

  async #dispatch(call: Call, payload: Buffer | string | Record<string, unknown>): Promise<CommandResponse> {
    const { instance, name, meta } = call;
    const value = this.#read(call, payload);
    this.#limiter.take(meta.user ? `user:${meta.user}` : (meta.rateKey ?? `${meta.transport}:${meta.clientId ?? ''}`));
    if (!this.#instances.has(instance)) throw new CommandError('UNKNOWN_INSTANCE', `no instance "${instance}"`);
    const def = this.find(instance, name);
    if (!def) throw new CommandError('UNKNOWN_COMMAND', `"${name}" is not a command of ${instance}`);
    let raw = typeof payload === 'string' || Buffer.isBuffer(payload) ? shapePayload(def, value) : value;
    // Zigbee2MQTT convention: a `transaction` field is echoed in the answer, not passed to the handler;
    // `dry_run: true` validates and answers without acting.
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      const { transaction: _t, dry_run: dry, ...rest } = raw as Record<string, unknown>;
      if (dry !== undefined && typeof dry !== 'boolean') throw new CommandError('INVALID_PARAMS', 'dry_run: must be true or false');
      call.dryRun = dry === true;
      raw = rest;
    }
    call.params = redactParams(raw);
    checkAllowed(this.#deps.config, instance, name);
    if (meta.role && !roleAtLeast(meta.role, def.role)) {
      throw new CommandError('FORBIDDEN', `${instance}/${name} needs the ${def.role} role; this caller has ${meta.role}`);
    }
    const parsed = def.params.safeParse(raw);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
      throw new CommandError('INVALID_PARAMS', msg);
    }
    const destructive = typeof def.destructive === 'function' ? def.destructive(parsed.data) : !!def.destructive;
    if (destructive) checkDestructive(this.#deps.config, instance, name);
    if (call.dryRun) return this.#ok(call, { dry_run: true, instance, command: name, params: parsed.data, job: !!def.job, destructive });

    const target = this.#deps.resolve(instance);
    if (!target) throw new CommandError('UNKNOWN_INSTANCE', `instance "${instance}" is not running`);
    if (def.job) {
      const by = describeCaller(meta);
      const job = this.#deps.jobs.start(instance, name, call.params as Record<string, unknown>, by, (handle) =>
        def.handler(parsed.data, { instance, target, meta, job: handle, signal: handle.signal }),
      );
      call.jobId = job.id;
      return this.#ok(call, { job_id: job.id, state: job.state });
    }
    const signal = AbortSignal.any([AbortSignal.timeout(INLINE_DEADLINE_MS), this.#deps.stopSignal]);
    const data = await def.handler(parsed.data, { instance, target, meta, job: null, signal });
    return this.#ok(call, data ?? null);
  }

  #ok(call: Call, data: unknown): CommandResponse {
    return { status: 'ok', data, error: null, ...(call.transaction !== undefined ? { transaction: call.transaction } : {}) };
  }

  #error(call: Call, err: unknown): CommandResponse {
    // Our own errors (refusals, upstream failures) carry messages written for the user, without
    // credentials; anything else is masked: its message may hold paths or upstream details.
    const known = err instanceof Media2MqttError;
    if (!known) this.#deps.log.error(`command ${call.instance}/${call.name} failed: ${errorMessage(err)}`);
    const error = known ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'internal error (see the bridge log)' };
    return { status: 'error', data: null, error, ...(call.transaction !== undefined ? { transaction: call.transaction } : {}) };
  }

  #audit(call: Call, response: CommandResponse): void {
    try {
      this.#deps.audit({
        time: new Date().toISOString(),
        transport: call.meta.transport,
        client: call.meta.clientId ?? null,
        user: call.meta.user ?? null,
        instance: call.instance.slice(0, 64),
        command: call.name.slice(0, 64),
        params: call.params,
        dry_run: call.dryRun,
        status: response.status,
        error: response.error?.code ?? null,
        job_id: call.jobId,
      });
    } catch (err) {
      this.#deps.log.warn(`cannot record the audit trail: ${errorMessage(err)}`);
    }
  }
}

interface Call {
  instance: string;
  name: string;
  meta: CallerMeta;
  transaction: string | undefined;
  dryRun: boolean;
  params: unknown;
  jobId: string | null;
}

export function describeCaller(meta: CallerMeta): string {
  return [meta.transport, meta.user ?? meta.clientId].filter(Boolean).join(':');
}
