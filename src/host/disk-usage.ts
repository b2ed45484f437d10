import { statfs } from 'node:fs/promises';

export interface DiskUsage {
  used_percent: number;
  used: number;
  free: number;
  total: number;
}

/**
 * Usage of the file system holding `mount`, with `df`'s arithmetic: `free` is what unprivileged
 * users can still write (bavail) and the percentage leaves out the root-reserved blocks, so a disk
 * shows 100 % when a normal process can no longer write to it.
 */
export async function diskUsage(mount: string): Promise<DiskUsage | undefined> {
  const s = await statfs(mount);
  if (!s.blocks) return undefined;
  const total = s.blocks * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const free = s.bavail * s.bsize;
  const usable = used + free;
  return { used_percent: usable ? Math.round((used / usable) * 1000) / 10 : 0, used, free, total };
}

/**
 * statfs on a hung network mount (NFS, CIFS with the server gone) does not return and holds one of
 * libuv's four pool threads. A poll gives up waiting when its signal aborts, and a mount whose call
 * is still running is not asked again until it settles, so one dead server cannot use up the pool.
 */
export class DiskUsageReader {
  #pending = new Set<string>();

  /** undefined when the call failed, is still running from an earlier poll, or `signal` aborted first. */
  read(mount: string, signal: AbortSignal, onError?: (err: unknown) => void): Promise<DiskUsage | undefined> {
    if (this.#pending.has(mount) || signal.aborted) return Promise.resolve(undefined);
    this.#pending.add(mount);
    const work = diskUsage(mount)
      .catch((err: unknown) => {
        onError?.(err);
        return undefined;
      })
      .finally(() => this.#pending.delete(mount));
    return new Promise((resolve) => {
      const onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      void work.then((v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      });
    });
  }
}
