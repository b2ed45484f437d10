import { z } from 'zod';
import { defineCommand } from '../../src/commands/registry.js';
import { CommandError } from '../../src/errors.js';
import type { EntityDef } from '../../src/ha/entity.js';
import type { ServiceModule } from '../../src/services/module.js';
import { PolledService } from '../../src/services/service.js';
import type { ServiceStates } from '../../src/mqtt/contract.js';
import type { BaseServiceConfig } from '../../src/services/settings.js';

/** The fake's own contract: the base status, and a queue with its pause flag. */
type FakeStates = ServiceStates & { queue: { paused: boolean } };

/**
 * A stand-in service whose commands the test controls: a job that waits on a gate, a handler
 * that throws an internal error, a destructive one. It counts handler calls, so a test can prove
 * that bad input never reached a handler (and so never an upstream).
 */
export class FakeService extends PolledService<BaseServiceConfig, FakeStates> {
  readonly type = 'sabnzbd' as const;
  protected readonly manufacturer = 'Test';
  protected readonly model = 'Fake';
  calls: { command: string; params: unknown; by: unknown }[] = [];
  release!: () => void;
  gate = new Promise<void>((r) => (this.release = r));
  paused = false;

  protected async poll(): Promise<void> {
    this.version = '1.0';
    this.ctx.publishState('queue', { paused: this.paused });
  }
  protected serviceEntities(): EntityDef<FakeStates>[] {
    return [];
  }
}

const none = z.object({}).strict();

export const fakeCommands = [
  defineCommand<typeof none, FakeService>({
    name: 'ping',
    scope: 'sabnzbd',
    description: 'answers pong',
    params: none,
    role: 'operator',
    idempotent: true,
    control: { platform: 'button', name: 'Ping', icon: 'mdi:table-tennis' },
    handler: async (p, { target, meta }) => {
      target.calls.push({ command: 'ping', params: p, by: meta });
      return { pong: true };
    },
  }),
  defineCommand({
    name: 'pause',
    scope: 'sabnzbd',
    description: 'pause with a password-protected reason (to test redaction)',
    params: z.object({ paused: z.boolean(), password: z.string().optional() }).strict(),
    bareParam: 'paused',
    role: 'operator',
    idempotent: true,
    control: { platform: 'switch', name: 'Paused', state: 'queue', field: 'paused', param: 'paused' },
    handler: async (p, { target }: { target: FakeService }) => {
      target.calls.push({ command: 'pause', params: p, by: null });
      target.paused = p.paused;
      await target.refresh();
      return { paused: p.paused };
    },
  }),
  defineCommand({
    name: 'slow',
    scope: 'sabnzbd',
    description: 'a job that waits on the test',
    params: z.object({ steps: z.number().int().min(1).max(10).default(2) }).strict(),
    role: 'operator',
    idempotent: false,
    job: true,
    handler: async (p, { target, job, signal }: { target: FakeService; job: import('../../src/jobs/jobs.js').JobHandle | null; signal: AbortSignal }) => {
      target.calls.push({ command: 'slow', params: p, by: null });
      job!.progress(50, 'half way');
      await Promise.race([target.gate, new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }))]);
      return { steps: p.steps };
    },
  }),
  defineCommand<typeof none, FakeService>({
    name: 'boom',
    scope: 'sabnzbd',
    description: 'fails with an internal error whose message must not leak',
    params: none,
    role: 'operator',
    idempotent: true,
    handler: async (_p, { target }) => {
      target.calls.push({ command: 'boom', params: {}, by: null });
      throw new Error('ENOENT /secret/path/api_key=abc');
    },
  }),
  defineCommand({
    name: 'wipe',
    scope: 'sabnzbd',
    description: 'destructive when files is true',
    params: z.object({ files: z.boolean() }).strict(),
    role: 'operator',
    idempotent: false,
    destructive: (p) => p.files,
    handler: async (p, { target }: { target: FakeService }) => {
      target.calls.push({ command: 'wipe', params: p, by: null });
      return { wiped: true };
    },
  }),
];

export const fakeModule: ServiceModule = {
  type: 'sabnzbd',
  auth: () => ({}),
  create: (ctx) => new FakeService(ctx),
  commands: fakeCommands,
};

export const FAKE_SERVICE = { fake: { type: 'sabnzbd', url: 'http://127.0.0.1:9', api_key: 'k'.repeat(16), interval: 3600, idle_interval: 3600 } };
