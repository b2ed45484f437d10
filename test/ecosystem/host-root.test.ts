import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemSchema } from '../../src/config/schema.js';
import { HostInstance, type HostStates } from '../../src/host/index.js';
import { recordingContext } from '../fixtures/host/context.js';
import { FixtureTree, meminfoText, netDevText, statText } from '../fixtures/host/tree.js';

/**
 * `system.host_root` as in a container started with `-v /:/host:ro,rslave`: the host's /proc and
 * /sys under the root, its mounts and network counters from PID 1 (the container's own `self`
 * entries differ), and disk usage measured at `<root><mount>`.
 */
describe('system.host_root', () => {
  let tree: FixtureTree | undefined;
  afterEach(async () => tree?.remove());

  it('reads the host under the root, not the container', async () => {
    tree = await FixtureTree.create();
    await tree.writeProc('stat', statText([1000, 0, 500, 8000, 500], [[1000, 0, 500, 8000, 500]]));
    await tree.writeProc('meminfo', meminfoText(32_000_000, 8_000_000));
    await tree.writeProc('loadavg', '1.00 0.50 0.25 1/300 99\n');
    await tree.writeProc('cpuinfo', 'processor\t: 0\nmodel name\t: Host CPU\n');
    await tree.writeProc('diskstats', '');
    // The container's own view (what `self` resolves to inside it)…
    await tree.writeProc('mounts', 'overlay / overlay rw 0 0\n/dev/sdz1 /container-only ext4 rw 0 0\n');
    await tree.writeProc('net/dev', netDevText({ eth0: [1, 1] }));
    // …and the host's, through its PID 1.
    await tree.writeProc('1/mounts', '/dev/sdb1 /srv/media ext4 rw 0 0\n');
    await tree.writeProc('1/net/dev', netDevText({ enp3s0: [5_000_000, 7_000_000] }));
    await mkdir(join(tree.root, 'srv', 'media'), { recursive: true });

    const ctx = recordingContext<HostStates>();
    const host = new HostInstance(ctx, systemSchema.parse({ gpu: false, host_root: tree.root }));
    try {
      await host.start();
      await host.refresh();
      expect(ctx.state('memory')).toMatchObject({ total: 32_000_000 * 1024 });
      expect(ctx.state('disk_srv_media')).toMatchObject({ mount: '/srv/media' });
      expect([...ctx.states.keys()].filter((k) => k.startsWith('disk_'))).toEqual(['disk_srv_media']);
      expect(host.entities().map((e) => e.key)).toEqual(expect.arrayContaining(['net_enp3s0_rx_rate']));
      expect(host.entities().some((e) => e.key.includes('eth0'))).toBe(false);
    } finally {
      await host.stop();
      await ctx.scheduler.stop();
    }
  });

  it('must be an absolute path', () => {
    expect(() => systemSchema.parse({ host_root: 'host' })).toThrow(/absolute path/);
    expect(systemSchema.parse({}).host_root).toBe('/');
  });
});
