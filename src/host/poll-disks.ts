import { join } from 'node:path';
import { errorMessage } from '../errors.js';
import { DiskUsageReader } from './disk-usage.js';
import { HostState } from './entities.js';
import { selectMounts } from './filters.js';
import { mountSlug, syncNames } from './names.js';
import { shapeChanged, type HostEnv } from './poller.js';
import { diskLabel } from './problems.js';
import { parseDiskstats, parseMounts } from './procfs.js';
import { RateTracker } from './rates.js';

/** `disk_<slug>` with this slug is HostState.diskIo, not a mount. */
const DISK_IO_SLUG = HostState.diskIo.slice('disk_'.length);

/**
 * The disk family: usage per selected mount (`statfs`, which mounts from the host's mount table)
 * and the machine's read/write rates from /proc/diskstats.
 */
export class DiskPoller {
  readonly #env: HostEnv;
  /** mount path → slug; names handed out are kept so keys stay stable. */
  readonly #disks = new Map<string, string>();
  readonly #rates = new RateTracker();
  readonly #usage = new DiskUsageReader();
  #diskIo = false;

  constructor(env: HostEnv) {
    this.#env = env;
  }

  /** /proc/diskstats lists disks (it does not in some containers): disk I/O is polled. */
  get diskIo(): boolean {
    return this.#diskIo;
  }

  get disks(): { mount: string; slug: string }[] {
    return [...this.#disks].map(([mount, slug]) => ({ mount, slug }));
  }

  /** Finds the mounts at start; `diskstatsFound`: /proc/diskstats lists at least one disk. */
  async probe(diskstatsFound: boolean): Promise<void> {
    this.#diskIo = diskstatsFound;
    await this.#updateDisks();
  }

  async pollIo(): Promise<void> {
    const disks = parseDiskstats(await this.#env.read('diskstats'));
    this.#rates.retain(disks.keys());
    const at = this.#env.now();
    let read = 0;
    let write = 0;
    let measured = false;
    // Summed per disk over disks present in both samples, so a disk plugged in between them adds
    // no spike and one unplugged adds no negative rate.
    for (const [name, c] of disks) {
      const rates = this.#rates.update(name, [c.readBytes, c.writeBytes], at);
      if (!rates) continue;
      read += rates[0]!;
      write += rates[1]!;
      measured = true;
    }
    if (measured) this.#env.ctx.publishState(HostState.diskIo, { read_rate: Math.round(read), write_rate: Math.round(write) });
  }

  async pollUsage(signal: AbortSignal): Promise<void> {
    const { ctx, cfg, problems } = this.#env;
    await this.#updateDisks();
    await Promise.all(
      [...this.#disks].map(async ([mount, slug]) => {
        const usage = await this.#usage.read(join(cfg.host_root, mount), signal, (err) => ctx.log.debug({ mount }, `statfs failed: ${errorMessage(err)}`));
        if (!usage || !this.#disks.has(mount)) return;
        ctx.publishState(HostState.disk(slug), { mount, ...usage });
        problems.check(`disk:${mount}`, usage.used_percent, cfg.thresholds.disk, diskLabel(mount));
      }),
    );
    problems.publish();
  }

  async #updateDisks(): Promise<void> {
    const { ctx, cfg, problems } = this.#env;
    const mounts = selectMounts(parseMounts(await this.#env.read(`${this.#env.hostPid}mounts`)), cfg.disks).map((m) => m.mount);
    // A mount at `/io` must not take `disk_io`, the topic of the read/write rates.
    const { added, removed } = syncNames(this.#disks, mounts, mountSlug, [DISK_IO_SLUG]);
    for (const [mount, slug] of removed) {
      ctx.clearState(HostState.disk(slug));
      problems.forget(`disk:${mount}`, diskLabel(mount));
    }
    if (shapeChanged(this.#env, added, removed)) ctx.entitiesChanged();
  }
}
