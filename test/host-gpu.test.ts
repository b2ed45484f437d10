import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemSchema } from '../src/config/schema.js';
import { HostInstance, type HostStates } from '../src/host/index.js';
import type { SiAnswer } from '../src/host/si-protocol.js';
import { recordingContext, type RecordingContext } from './fixtures/host/context.js';
import { FixtureTree, meminfoText, netDevText, statText } from './fixtures/host/tree.js';

/** GPU and static names through a real worker thread running a fake si-worker (no GPU exists here). */
describe('Host GPU through the systeminformation worker', () => {
  let tree: FixtureTree;
  let ctx: RecordingContext<HostStates>;
  let host: HostInstance;
  let answerFile: string;
  const saved = process.env.M2M_FAKE_SI;

  const answer = (a: SiAnswer) => writeFile(answerFile, JSON.stringify(a));

  beforeEach(async () => {
    tree = await FixtureTree.create();
    await tree.writeProc('stat', statText([1, 0, 1, 8, 0], [[1, 0, 1, 8, 0]]));
    await tree.writeProc('meminfo', meminfoText(1_000_000, 500_000));
    await tree.writeProc('loadavg', '0.00 0.00 0.00 1/10 1\n');
    await tree.writeProc('net/dev', netDevText({ eth0: [0, 0] }));
    await tree.writeProc('mounts', '');
    answerFile = join(tree.root, 'si.json');
    process.env.M2M_FAKE_SI = answerFile;
    await answer({
      static: { manufacturer: 'ACME', model: 'Media Box', os: 'Debian GNU/Linux 12', kernel: '6.1.0', cpu: 'ACME Quad' },
      gpu: { model: 'GeForce GTX 1650', utilization: 37, temperature: 82, memory_used: 2048, memory_total: 4096 },
    });
    ctx = recordingContext<HostStates>();
    host = new HostInstance(ctx, systemSchema.parse({}), {
      procRoot: tree.proc,
      sysRoot: tree.sys,
      siModuleUrl: new URL('./fixtures/host/fake-si/index.ts', import.meta.url).href,
    });
    await host.start();
  });

  afterEach(async () => {
    await host.stop();
    await ctx.scheduler.stop();
    await tree.remove();
    if (saved === undefined) delete process.env.M2M_FAKE_SI;
    else process.env.M2M_FAKE_SI = saved;
  });

  it('reads the device names once at start', () => {
    expect(host.device()).toMatchObject({ manufacturer: 'ACME', model: 'Media Box', swVersion: 'Debian GNU/Linux 12 (kernel 6.1.0)', hwVersion: 'ACME Quad' });
  });

  it('publishes the GPU, adds its entities, alerts on its temperature, and drops it when it goes', async () => {
    expect(host.entities().some((e) => e.key.startsWith('gpu_'))).toBe(false);
    await host.refresh();
    expect(ctx.state('gpu')).toEqual({ utilization: 37, temperature: 82, memory_used: 2048, memory_total: 4096 });
    expect(ctx.entitiesChangedCount).toBe(1);
    const gpu = host.entities().filter((e) => e.key.includes('gpu'));
    expect(gpu.map((e) => [e.key, e.deviceClass, e.unit])).toEqual([
      ['gpu_utilization', undefined, '%'],
      ['gpu_temperature', 'temperature', '°C'],
      ['gpu_memory_used', 'data_size', 'MiB'],
      ['problem_gpu_temperature', 'problem', undefined],
    ]);
    expect(ctx.events).toEqual([{ type: 'alert', data: expect.objectContaining({ metric: 'gpu_temperature', level: 'warning', value: 82, threshold: 80 }) }]);
    expect(ctx.state('problems')).toMatchObject({ gpu_temperature: true });

    // The driver no longer reports utilisation: GPU entities and state go away, and the alert clears.
    await answer({ gpu: null });
    await host.refresh();
    expect(ctx.cleared).toContain('gpu');
    expect(ctx.entitiesChangedCount).toBe(2);
    expect(host.entities().some((e) => e.key.includes('gpu'))).toBe(false);
    expect(ctx.events[1]).toMatchObject({ type: 'alert_cleared', data: { metric: 'gpu_temperature', previous_level: 'warning' } });
    expect(ctx.state('problems')).not.toHaveProperty('gpu_temperature');

    // Polling stopped: a GPU reported now is not picked up until restart.
    await answer({ gpu: { utilization: 1 } });
    await host.refresh();
    expect(ctx.state('gpu')).toBeUndefined();
  });

  it('terminates a worker that does not answer when stopped', async () => {
    await writeFile(answerFile, JSON.stringify({ hang: true }));
    const polling = host.refresh();
    // The gpu poll waits on the hung worker; the other polls have finished.
    await vi.waitFor(() => expect(ctx.state('memory')).toBeDefined());
    let settled = false;
    void polling.then(() => (settled = true));
    await host.stop();
    await polling;
    expect(settled).toBe(true);
    expect(ctx.state('gpu')).toBeUndefined();
  });
});
