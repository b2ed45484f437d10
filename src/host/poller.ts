import type { InstanceContext } from '../core/instance.js';
import type { SystemConfig } from '../config/schema.js';
import type { HostStates } from './entities.js';
import type { HostProblems } from './problems.js';

/** What every poller of the host device shares (host.ts builds it once). */
export interface HostEnv {
  readonly ctx: InstanceContext<HostStates>;
  readonly cfg: SystemConfig;
  /** Root of procfs, of sysfs. */
  readonly proc: string;
  readonly sys: string;
  /** `1/` in a container (the host's mounts and network are PID 1's), '' otherwise. */
  readonly hostPid: string;
  /** Monotonic milliseconds for rates. */
  readonly now: () => number;
  readonly problems: HostProblems;
  /** Reads a file below procfs; one that cannot be read is an error. */
  read(file: string): Promise<string>;
  /** Set once start()'s probe is done. */
  probed: boolean;
}

/** Changes found by the probe in start() are the initial shape, not a change. */
export function shapeChanged(env: HostEnv, added: unknown[], removed: unknown[]): boolean {
  return env.probed && (added.length > 0 || removed.length > 0);
}
