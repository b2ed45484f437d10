/**
 * Every error media2mqtt raises on purpose is one of these classes, with a stable `code` and the
 * underlying `cause`. Messages are written for the user who reads them in a terminal or in
 * `<base>/bridge/log`; they never contain credentials.
 */
export class Media2MqttError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export interface ConfigIssue {
  /** Dotted path into the configuration, e.g. `broker.port` or `services.sonarr.url`. */
  path: string;
  message: string;
}

/** A configuration that cannot be used. Carries every problem, not just the first. */
export class ConfigError extends Media2MqttError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[], options?: { cause?: unknown; file?: string }) {
    const where = options?.file ? ` in ${options.file}` : '';
    super(
      'CONFIG_INVALID',
      `Invalid configuration${where} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n'),
      options,
    );
    this.issues = issues;
  }
}

/** The embedded broker could not start (port busy, bad certificate, …). */
export class BrokerError extends Media2MqttError {}

/** An upstream service answered badly or not at all. */
export class UpstreamError extends Media2MqttError {
  readonly service: string;
  readonly status: number | undefined;
  constructor(service: string, message: string, options?: { cause?: unknown; status?: number; code?: string }) {
    super(options?.code ?? 'UPSTREAM', message, options);
    this.service = service;
    this.status = options?.status;
  }
}

/** A command was refused or failed; `code` is what the caller sees in the response envelope. */
export class CommandError extends Media2MqttError {}

/** Process exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  config: 2,
  broker: 3,
} as const;

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
