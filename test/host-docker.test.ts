import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemSchema } from '../src/config/schema.js';
import { DockerClient, HostInstance, restartContainer, type HostStates } from '../src/host/index.js';
import { UpstreamError } from '../src/errors.js';
import { recordingContext } from './fixtures/host/context.js';
import { FakeDocker } from './fixtures/host/docker-fake.js';
import { FixtureTree, meminfoText, netDevText, statText } from './fixtures/host/tree.js';

describe('Docker over a unix socket', () => {
  let dir: string;
  let socket: string;
  let docker: FakeDocker;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'm2m-docker-'));
    socket = join(dir, 'docker.sock');
    docker = new FakeDocker();
    await docker.listen(socket);
  });

  afterEach(async () => {
    await docker.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists containers with their names and states', async () => {
    const client = new DockerClient(socket);
    try {
      const list = await client.listContainers(AbortSignal.timeout(5000));
      expect(list.map((c) => [c.name, c.state, c.status])).toEqual([
        ['qbittorrent', 'running', 'Up 1 hour'],
        ['radarr', 'exited', 'Exited (0) 5 minutes ago'],
        ['sonarr', 'running', 'Up 2 hours'],
      ]);
      expect(docker.requests).toEqual(['GET /containers/json?all=true']);
    } finally {
      await client.close();
    }
  });

  it('restarts a container by name, and reports an unknown one as NOT_FOUND', async () => {
    await restartContainer(socket, 'radarr', AbortSignal.timeout(5000));
    expect(docker.restarted).toEqual(['radarr']);
    expect(docker.requests).toContain('POST /containers/radarr/restart');
    const err = await restartContainer(socket, 'lidarr').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', status: 404, service: 'docker' });
    expect((err as Error).message).toContain('No such container: lidarr');
  });

  it('fails fast with UNREACHABLE when nothing listens on the socket', async () => {
    const err = await new DockerClient(join(dir, 'missing.sock')).listContainers().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UNREACHABLE' });
  });

  describe('in the Host device', () => {
    let tree: FixtureTree;

    beforeEach(async () => {
      tree = await FixtureTree.create();
      await tree.writeProc('stat', statText([1, 0, 1, 8, 0], [[1, 0, 1, 8, 0]]));
      await tree.writeProc('meminfo', meminfoText(1_000_000, 500_000));
      await tree.writeProc('loadavg', '0.00 0.00 0.00 1/10 1\n');
      await tree.writeProc('net/dev', netDevText({ eth0: [0, 0] }));
      await tree.writeProc('mounts', '');
    });

    afterEach(() => tree.remove());

    it('publishes container states, one running binary sensor per container, and follows new ones', async () => {
      const ctx = recordingContext<HostStates>();
      const cfg = systemSchema.parse({ gpu: false, docker: { enabled: true, socket: '/nonexistent' } });
      const host = new HostInstance(ctx, cfg, { procRoot: tree.proc, sysRoot: tree.sys, dockerSocket: socket });
      await host.start();
      try {
        const before = host.entities().filter((e) => e.key.startsWith('container_'));
        expect(before).toEqual([]);
        await host.refresh();
        expect(ctx.state('docker')).toEqual({
          running: 2,
          stopped: 1,
          total: 3,
          containers: { qbittorrent: 'running', radarr: 'exited', sonarr: 'running' },
        });
        expect(ctx.entitiesChangedCount).toBe(1);
        const containers = host.entities().filter((e) => e.key.startsWith('container_'));
        expect(containers.map((e) => [e.key, e.platform, e.deviceClass, e.name])).toEqual([
          ['container_qbittorrent', 'binary_sensor', 'running', 'Container qbittorrent'],
          ['container_radarr', 'binary_sensor', 'running', 'Container radarr'],
          ['container_sonarr', 'binary_sensor', 'running', 'Container sonarr'],
        ]);
        expect(containers[2]?.valueTemplate).toBe("{{ 'ON' if value_json.containers['sonarr'] == 'running' else 'OFF' }}");
        expect(host.entities().find((e) => e.key === 'docker_running')).toMatchObject({ state: 'docker', field: 'running', expireAfter: 90 });

        docker.containers.push({ Id: 'd'.repeat(64), Names: ['/jellyfin'], Image: 'jellyfin/jellyfin', State: 'running', Status: 'Up 1 second' });
        await host.refresh();
        expect(ctx.entitiesChangedCount).toBe(2);
        expect(ctx.state('docker')).toMatchObject({ running: 3, total: 4 });
        expect(host.entities().map((e) => e.key)).toContain('container_jellyfin');
      } finally {
        await host.stop();
        await ctx.scheduler.stop();
      }
    });

    it('skips Docker while its socket is unreachable, logging once, and recovers', async () => {
      const ctx = recordingContext<HostStates>();
      const cfg = systemSchema.parse({ gpu: false, docker: { enabled: true, socket } });
      await docker.close();
      const host = new HostInstance(ctx, cfg, { procRoot: tree.proc, sysRoot: tree.sys });
      await host.start();
      try {
        await host.refresh();
        await host.refresh();
        await host.refresh();
        expect(ctx.state('docker')).toBeUndefined();
        expect(ctx.state('memory')).toBeDefined();
        const warnings = ctx.logs.filter((l) => l.includes('Docker containers are not published'));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain(socket);

        await docker.listen(socket);
        await host.refresh();
        expect(ctx.state('docker')).toMatchObject({ running: 2, total: 3 });
      } finally {
        await host.stop();
        await ctx.scheduler.stop();
      }
    });
  });
});
