import { pino, type Logger as PinoLogger, type Level } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** One log line as the bridge republishes it on `<base>/bridge/log`. */
export interface LogRecord {
  level: LogLevel;
  namespace: string;
  message: string;
  time: string;
}

const SECRET_KEY = /pass(word)?|token|api_?key|apikey|secret|authorization|cookie|credential/i;
const LEVEL_NAMES: Record<number, LogLevel> = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' };

/** Replaces values of secret-looking keys, recursively. Exported for bridge/info and the audit trail. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && v !== '' ? '***' : redactDeep(v, depth + 1);
  }
  return out;
}

export interface LogHubOptions {
  level: LogLevel;
  format: 'text' | 'json';
  /** Where formatted lines go; stdout by default (tests pass an array sink). */
  write?: (line: string) => void;
}

/**
 * Owns every logger of the process: namespaced children (`bridge:sonarr`), one runtime level for all
 * of them, redaction of secret keys and of known secret values (whatever their key), and listeners
 * that receive each record (the MQTT `bridge/log` publisher).
 */
export class LogHub {
  readonly root: Logger;
  #loggers = new Set<Logger>();
  #secrets: string[] = [];
  #listeners = new Set<(r: LogRecord) => void>();
  #format: 'text' | 'json';
  #write: (line: string) => void;

  constructor(options: LogHubOptions) {
    this.#format = options.format;
    this.#write = options.write ?? ((line) => process.stdout.write(line));
    this.root = pino({ level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, {
      write: (chunk: string) => this.#emit(chunk),
    });
    this.#loggers.add(this.root);
  }

  child(namespace: string): Logger {
    const logger = this.root.child({ ns: namespace });
    this.#loggers.add(logger);
    return logger;
  }

  get level(): LogLevel {
    return this.root.level as LogLevel;
  }

  setLevel(level: LogLevel): void {
    for (const l of this.#loggers) l.level = level as Level;
  }

  /** Values (api keys, passwords) that must never be printed, whatever key or message holds them. */
  addSecrets(values: Iterable<string>): void {
    for (const v of values) if (v && v.length >= 3 && !this.#secrets.includes(v)) this.#secrets.push(v);
    // Longest first so that a secret containing another is replaced whole.
    this.#secrets.sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const s of this.#secrets) {
      if (out.includes(s)) out = out.split(s).join('***');
      const escaped = JSON.stringify(s).slice(1, -1);
      if (escaped !== s && out.includes(escaped)) out = out.split(escaped).join('***');
    }
    return out;
  }

  onRecord(listener: (r: LogRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(chunk: string): void {
    let obj: Record<string, unknown>;
    try {
      obj = redactDeep(JSON.parse(this.scrub(chunk))) as Record<string, unknown>;
    } catch {
      this.#write(this.scrub(chunk));
      return;
    }
    const level = LEVEL_NAMES[Number(obj.level)] ?? 'info';
    const record: LogRecord = {
      level,
      namespace: typeof obj.ns === 'string' ? obj.ns : 'bridge',
      message: formatMessage(obj),
      time: typeof obj.time === 'string' ? obj.time : new Date().toISOString(),
    };
    if (this.#format === 'json') {
      this.#write(JSON.stringify({ ...obj, level }) + '\n');
    } else {
      this.#write(`${record.time.replace('T', ' ').slice(0, 19)} ${level.padEnd(5)} ${record.namespace}: ${record.message}\n`);
    }
    for (const l of this.#listeners) {
      try {
        l(record);
      } catch {
        // A broken listener must not break logging.
      }
    }
  }
}

function formatMessage(obj: Record<string, unknown>): string {
  const msg = typeof obj.msg === 'string' ? obj.msg : '';
  const err = obj.err as { message?: string } | undefined;
  const extra = Object.entries(obj).filter(([k]) => !['level', 'time', 'msg', 'ns', 'err', 'pid', 'hostname'].includes(k));
  let out = msg;
  if (err?.message && !msg.includes(err.message)) out += (out ? ': ' : '') + err.message;
  if (extra.length) out += ' ' + extra.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
  return out;
}
