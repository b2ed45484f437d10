import type { MountEntry } from './procfs.js';

export interface NameFilter {
  include: readonly string[];
  exclude: readonly string[];
}

// Pseudo and in-memory file systems: their "usage" says nothing about storage. overlay is the root
// of a container; it is the host's disk seen twice, so it needs an explicit include.
const VIRTUAL_FS = new Set([
  'proc', 'sysfs', 'tmpfs', 'devtmpfs', 'devpts', 'ramfs', 'rootfs', 'overlay', 'aufs', 'squashfs', 'cgroup', 'cgroup2',
  'pstore', 'bpf', 'tracefs', 'debugfs', 'securityfs', 'mqueue', 'hugetlbfs', 'configfs', 'fusectl', 'autofs',
  'binfmt_misc', 'nsfs', 'rpc_pipefs', 'efivarfs', 'selinuxfs', 'nfsd', 'sunrpc', 'fuse.lxcfs', 'fuse.gvfsd-fuse',
  'fuse.portal', 'fuse.snapfuse', 'iso9660', 'udf', 'zram',
]);

/**
 * Mount points to publish. Without `include`, every real file system once: bind mounts of one
 * device (Docker's /etc/hosts, btrfs subvolumes) show the same numbers, so only the shortest mount
 * path of each device is kept. With `include`, exactly those mount paths, whatever their type.
 */
export function selectMounts(entries: readonly MountEntry[], filter: NameFilter): MountEntry[] {
  const byMount = new Map<string, MountEntry>();
  // A later mount on the same path hides the earlier one; the kernel lists them in mount order.
  for (const e of entries) byMount.set(e.mount, e);
  const all = [...byMount.values()];
  if (filter.include.length) return all.filter((e) => filter.include.includes(e.mount) && !filter.exclude.includes(e.mount));
  const byDevice = new Map<string, MountEntry>();
  const out: MountEntry[] = [];
  for (const e of all) {
    if (filter.exclude.includes(e.mount) || isVirtual(e)) continue;
    // Only block devices identify one file system; "server:/export" or a ZFS dataset may be mounted
    // twice for different sub-trees with different numbers.
    if (!e.device.startsWith('/dev/')) {
      out.push(e);
      continue;
    }
    const seen = byDevice.get(e.device);
    if (!seen || e.mount.length < seen.mount.length) byDevice.set(e.device, e);
  }
  out.push(...byDevice.values());
  return out.sort((a, b) => a.mount.localeCompare(b.mount));
}

function isVirtual(e: MountEntry): boolean {
  return VIRTUAL_FS.has(e.fstype);
}

// Virtual interfaces: loopback, container bridges and veth pairs, libvirt bridges, traffic shaping.
const VIRTUAL_IFACE = /^(lo$|docker|veth|br-|virbr|ifb|dummy)/;

/** Interfaces to publish: `include` exactly when given, otherwise every non-virtual one, minus `exclude`. */
export function selectInterfaces(names: Iterable<string>, filter: NameFilter): string[] {
  const out: string[] = [];
  for (const name of names) {
    if (filter.exclude.includes(name)) continue;
    if (filter.include.length ? filter.include.includes(name) : !VIRTUAL_IFACE.test(name)) out.push(name);
  }
  return out.sort();
}
