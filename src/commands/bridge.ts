import { z } from 'zod';
import type { BridgeInstance } from '../bridge/bridge.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { CommandError } from '../errors.js';
import { defineCommand } from './registry.js';

const none = z.object({}).strict();

/** The bridge's own commands: `<base>/bridge/set/<command>`. */
export const bridgeCommands = [
  defineCommand({
    name: 'resync',
    scope: 'bridge',
    description: 'Republish every discovery config and retained state',
    params: none,
    role: 'operator',
    idempotent: true,
    example: {},
    handler: async (_p, { target }: { target: BridgeInstance }) => target.actions.resync('resync command'),
  }),
  defineCommand({
    name: 'set_log_level',
    scope: 'bridge',
    description: 'Change the log level at runtime',
    params: z.object({ level: z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]]) }).strict(),
    bareParam: 'level',
    role: 'admin',
    idempotent: true,
    example: { level: 'debug' },
    handler: async (p, { target }: { target: BridgeInstance }) => {
      target.actions.setLogLevel(p.level);
      return { level: p.level };
    },
  }),
  defineCommand({
    name: 'sync',
    scope: 'bridge',
    description: 'Poll one instance (or all) now',
    params: z.object({ instance: z.string().max(64).optional() }).strict(),
    bareParam: 'instance',
    role: 'operator',
    idempotent: true,
    example: { instance: 'sonarr' },
    handler: async (p, { target }: { target: BridgeInstance }) => ({ synced: await target.actions.sync(p.instance) }),
  }),
  defineCommand({
    name: 'health_check',
    scope: 'bridge',
    description: 'Report the bridge, broker and per-instance health',
    params: none,
    role: 'viewer',
    idempotent: true,
    example: {},
    handler: async (_p, { target }: { target: BridgeInstance }) => target.actions.health(),
  }),
  defineCommand({
    name: 'get_jobs',
    scope: 'bridge',
    description: 'List the kept jobs (or one job by id), newest last',
    params: z.object({ id: z.string().max(64).optional(), active: z.boolean().optional() }).strict(),
    bareParam: 'id',
    role: 'viewer',
    idempotent: true,
    example: { active: true },
    handler: async (p, { target }: { target: BridgeInstance }) => {
      if (p.id) {
        const job = target.actions.jobs.get(p.id);
        if (!job) throw new CommandError('UNKNOWN_JOB', `no job "${p.id}"`);
        return job;
      }
      const jobs = target.actions.jobs.list();
      return p.active ? jobs.filter((j) => j.state === 'queued' || j.state === 'running') : jobs;
    },
  }),
  defineCommand({
    name: 'cancel_job',
    scope: 'bridge',
    description: 'Cancel a queued or running job',
    params: z.object({ id: z.string().min(1).max(64) }).strict(),
    bareParam: 'id',
    role: 'operator',
    idempotent: true,
    example: { id: '3f1c2a9e-5b7d-4e1f-9a0b-2c3d4e5f6a7b' },
    handler: async (p, { target }: { target: BridgeInstance }) => target.actions.jobs.cancel(p.id),
  }),
] as const;
