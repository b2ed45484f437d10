import { z } from 'zod';

/** Who may do what: MQTT users, RPC callers and commands all rank on this scale. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The `commands` section of the configuration (README, "Commands"). It lives with the commands so
 * that their code never imports src/config/schema.ts, which reads every service type through the
 * registry (and the service types declare commands).
 */
// `<instance>/<command>` with `*` for any part: `sonarr/*`, `*/search`, `qbittorrent/remove`.
const commandPattern = z.string().regex(/^(\*|[a-z0-9][a-z0-9_-]*)\/(\*|[a-z0-9_]+)$/, 'patterns look like "<instance>/<command>", with * for any part (e.g. "sonarr/*")');

export const commandsSchema = z
  .object({
    /** false turns every command off (the bridge only publishes). */
    enabled: z.boolean().default(true),
    /** When not empty, only commands matching one of these patterns run. */
    allow: z.array(commandPattern).default([]),
    /** Commands matching these patterns never run (checked after `allow`). */
    deny: z.array(commandPattern).default([]),
    /** Destructive commands (remove with files, terminate_session, restart_container) run only when they match here. */
    allow_destructive: z.array(commandPattern).default([]),
    /** Commands per minute per client (MQTT client / RPC caller); 0 = unlimited. */
    rate_limit: z.number().int().min(0).max(100_000).default(60),
    /** Finished jobs kept (data file and `<base>/jobs/<id>`). */
    jobs_kept: z.number().int().min(1).max(10_000).default(100),
    /** Audit records kept in the data file. */
    audit_kept: z.number().int().min(0).max(100_000).default(1000),
  })
  .strict();

export type CommandsConfig = z.output<typeof commandsSchema>;
