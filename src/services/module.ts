import { z } from 'zod';
import type { AnyCommandDef } from '../commands/registry.js';
import type { ServiceInstance, ServiceContext } from './service.js';
import type { SimServer } from './sim/server.js';
import { DEFAULT_INTERVALS, serviceBaseShape, type BaseServiceConfig, type CommonServiceSettings, type Credential } from './settings.js';

export interface ServiceAuth {
  headers?: () => Record<string, string>;
  query?: () => Record<string, string>;
}

/** A running simulator of one service type, for `media2mqtt demo` and the tests. */
export interface Simulator {
  readonly server: SimServer;
  /** The `services.<id>` entry that points the bridge at this simulator. */
  config(): Record<string, unknown>;
  /** Advance the simulated world one step (queues progress, torrents finish, …). */
  tick?(): void;
  stop(): Promise<void>;
}

/**
 * What the configuration needs to know about a service type, from `src/services/<type>/config.ts`.
 * It loads no service code: the config schema is built from these, and `load()` brings the
 * runtime module only when an instance of the type is configured.
 */
export interface ServiceTypeDef<T extends string = string, S extends z.ZodRawShape = z.ZodRawShape> {
  type: T;
  defaultPort: number;
  /** Credentials the type cannot work without (`check-config` names the missing one). */
  credentials?: readonly Credential[];
  /** Settings of this type beyond the common ones (`SETTINGS.live`, …). */
  settings?: S;
  /** Poll intervals for this type when the configuration sets none (else 30 s / 120 s). */
  defaults?: { interval?: number; idle_interval?: number };
  /** The runtime module (service class, commands, simulator), loaded on use. */
  load(): Promise<ServiceModule<T>>;
}

/** The settings a type's instances receive (common ones, its own, intervals resolved). */
export type ConfigOf<D extends ServiceTypeDef> = BaseServiceConfig & { type: D['type'] } & z.output<z.ZodObject<NonNullable<D['settings']>>>;

/**
 * Everything about one upstream type at run time, from `src/services/<type>/index.ts`: how it
 * authenticates, the instance class (whose `onWebhook` takes its pushes), its commands and its
 * simulator (loaded only by the demo and tests).
 */
export interface ServiceModule<T extends string = string> {
  type: T;
  auth(cfg: CommonServiceSettings): ServiceAuth;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  create(ctx: ServiceContext<any>): ServiceInstance;
  /** The type's commands (`<base>/<instance>/set/<name>`), declared with defineCommand in its folder. */
  commands?: readonly AnyCommandDef[];
  /** `demo`: the simulator also scripts activity on tick() (tests leave it off and drive it themselves). */
  simulator?: (options?: { port?: number; demo?: boolean }) => Promise<Simulator>;
}

/** Declares a service type (its `config.ts`): the schema of its instances is built here. */
export function defineServiceType<const T extends string, M extends ServiceModule<T>, S extends z.ZodRawShape = Record<never, never>>(def: ServiceTypeDef<T, S> & { load(): Promise<M> }) {
  const schema = z
    .object({ type: z.literal(def.type), ...serviceBaseShape, ...((def.settings ?? {}) as S) })
    .strict()
    .superRefine((svc, ctx) => {
      for (const key of def.credentials ?? []) {
        if (!(svc as Record<string, unknown>)[key]) ctx.addIssue({ code: 'custom', path: [key], message: `${def.type} needs ${key}` });
      }
    });
  return Object.assign(def, { schema });
}

/** The instance's settings with the type's default intervals filled in. */
export function resolveServiceConfig<C extends { interval?: number | undefined; idle_interval?: number | undefined }>(
  def: { defaults?: { interval?: number; idle_interval?: number } },
  input: C,
): C & { interval: number; idle_interval: number } {
  return {
    ...input,
    interval: input.interval ?? def.defaults?.interval ?? DEFAULT_INTERVALS.interval,
    idle_interval: input.idle_interval ?? def.defaults?.idle_interval ?? DEFAULT_INTERVALS.idle_interval,
  };
}
