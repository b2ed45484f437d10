import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { Collector, request } from '../helpers/mqtt.js';
import { FakeDocker } from '../fixtures/host/docker-fake.js';
import type { Json } from './kit.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A bridge with the host instance on, its Docker socket pointing at a fake Engine API (no Docker engine runs here). */
async function bench(options: { docker?: boolean; allow?: boolean } = {}): Promise<{ t: TestApp; docker: FakeDocker; call: (command: string, payload: unknown) => Promise<Json> }> {
  const dir = await mkdtemp(join(tmpdir(), 'm2m-cmd-docker-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const socket = join(dir, 'docker.sock');
  const docker = new FakeDocker();
  await docker.listen(socket);
  cleanup.push(() => docker.close());
  const t = await startApp({
    system: { enabled: true, gpu: false, docker: { enabled: options.docker ?? true, socket } },
    commands: { rate_limit: 0, allow_destructive: options.allow ? ['system/restart_container'] : [] },
  } as never);
  cleanup.push(() => t.stop());
  const call = async (command: string, payload: unknown) => (await request(t.url, 'media2mqtt', 'system', command, typeof payload === 'string' ? payload : JSON.stringify(payload))) as Json;
  return { t, docker, call };
}

describe('Host commands', () => {
  it('restart_container, when allowed, restarts the container through the Docker socket and re-reads the states', async () => {
    const { t, docker, call } = await bench({ allow: true });
    const c = await Collector.connect(t.url, ['media2mqtt/system/docker']);
    cleanup.push(() => c.close());
    await c.waitForTopic('media2mqtt/system/docker', (d) => (d as Json).stopped === 1);
    expect(await call('restart_container', { container: 'radarr' })).toMatchObject({ status: 'ok', data: { container: 'radarr', restarted: true } });
    expect(docker.restarted).toEqual(['radarr']);
    expect(docker.requests).toContain('POST /containers/radarr/restart');
    // The fake marks it running; the state follows at once.
    await c.waitForTopic('media2mqtt/system/docker', (d) => (d as Json).stopped === 0);
    // Bare name; an unknown container is the Engine's 404.
    expect(await call('restart_container', 'sonarr')).toMatchObject({ status: 'ok' });
    expect(await call('restart_container', { container: 'lidarr' })).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND', message: expect.stringContaining('No such container') } });
  });

  it('is DESTRUCTIVE_DISABLED by default; bad input and dry_run reach no socket', async () => {
    const { docker, call } = await bench();
    const before = docker.requests.filter((r) => r.startsWith('POST')).length;
    expect(await call('restart_container', { container: 'sonarr' })).toMatchObject({ status: 'error', error: { code: 'DESTRUCTIVE_DISABLED' } });
    for (const bad of [{}, { container: '' }, { container: 5 }, { container: '../etc' }, { container: 'sonarr', force: true }]) {
      expect(await call('restart_container', bad), JSON.stringify(bad)).toMatchObject({ status: 'error', error: { code: 'INVALID_PARAMS' } });
    }
    expect(await call('restart_container', { container: 'sonarr', dry_run: true })).toMatchObject({ status: 'error', error: { code: 'DESTRUCTIVE_DISABLED' } });
    expect(docker.requests.filter((r) => r.startsWith('POST')).length).toBe(before);
    expect(docker.restarted).toEqual([]);
  });

  it('dry_run of an allowed restart answers without restarting', async () => {
    const { docker, call } = await bench({ allow: true });
    expect(await call('restart_container', { container: 'sonarr', dry_run: true })).toMatchObject({ status: 'ok', data: { dry_run: true, destructive: true } });
    expect(docker.restarted).toEqual([]);
  });

  it('does not exist when Docker is not enabled', async () => {
    const { docker, call } = await bench({ docker: false, allow: true });
    expect(await call('restart_container', { container: 'sonarr' })).toMatchObject({ status: 'error', error: { code: 'UNKNOWN_COMMAND' } });
    expect(docker.requests).toEqual([]);
  });
});
