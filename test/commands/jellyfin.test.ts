import { afterEach, describe, expect, it } from 'vitest';
import { jellyfinModule } from '../../src/services/jellyfin/index.js';
import { JellyfinSim } from '../../src/services/jellyfin/sim.js';
import { OpenApiSpec } from '../helpers/openapi.js';
import { commandBench, controls, expectDocumented, expectDryRun, expectInvalid, since } from './kit.js';

const spec = new OpenApiSpec('jellyfin/openapi.json');
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function bench(overrides?: Record<string, unknown>) {
  const sim = await JellyfinSim.start();
  cleanup.push(() => sim.stop());
  const b = await commandBench(jellyfinModule, sim, { overrides });
  cleanup.push(() => b.stop());
  return { sim, b };
}

describe('Jellyfin commands', () => {
  it('scan_library of everything follows the RefreshLibrary task to the end; of one library, that library; only documented requests', async () => {
    const { sim, b } = await bench();
    const from = sim.server.requests.length;
    const all = await b.call('scan_library');
    const job = await b.job(all.data.job_id);
    expect(job).toMatchObject({ state: 'succeeded', result: { library: 'all', status: 'Completed', observed: true } });
    expect(sim.world.scanTask.last?.Status).toBe('Completed');
    // It reported the task's percentage on the way.
    const progress = b.c.on(`media2mqtt/jobs/${all.data.job_id}`).map((m) => JSON.parse(m.payload).progress);
    expect(progress.some((p: number | null) => p !== null && p > 0 && p < 100)).toBe(true);

    const shows = sim.commands.libraries.find((l) => l.Name === 'Shows')!;
    const one = await b.call('scan_library', 'shows');
    expect(await b.job(one.data.job_id)).toMatchObject({ state: 'succeeded', result: { library: 'Shows', id: shows.ItemId } });
    expect(shows.refreshes).toBe(1);
    const byId = await b.call('scan_library', { library: shows.ItemId });
    expect(await b.job(byId.data.job_id)).toMatchObject({ state: 'succeeded' });
    expect(shows.refreshes).toBe(2);

    const none = await b.call('scan_library', { library: 'Anime' });
    expect(await b.job(none.data.job_id)).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND', message: expect.stringContaining('Movies, Shows, Music') } });

    expect(expectDocumented(spec, since(sim, from), ['api_key'])).toEqual(expect.arrayContaining(['POST /Library/Refresh', 'GET /ScheduledTasks', 'GET /Library/VirtualFolders', 'POST /Items/{itemId}/Refresh']));
  });

  it('terminate_session, when allowed, sends the message and then stops the playback', async () => {
    const { sim, b } = await bench({ commands: { rate_limit: 0, allow_destructive: ['jellyfin/terminate_session'] } });
    const playing = sim.world.sessions.find((s) => s.playing)!;
    expect(playing).toBeDefined();
    const from = sim.server.requests.length;
    const res = await b.call('terminate_session', { session_id: playing.Id, message: 'Server maintenance' });
    expect(res).toMatchObject({ status: 'ok', data: { session_id: playing.Id, message_sent: true } });
    expect(sim.commands.messages).toEqual([{ sessionId: playing.Id, header: 'media2mqtt', text: 'Server maintenance' }]);
    expect(sim.commands.playstate).toEqual([{ sessionId: playing.Id, command: 'Stop' }]);
    expect(playing.playing).toBeNull();
    expect(await b.call('terminate_session', { session_id: 'nosuchsession' })).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
    expect(expectDocumented(spec, since(sim, from), ['api_key'])).toEqual(expect.arrayContaining(['POST /Sessions/{sessionId}/Message', 'POST /Sessions/{sessionId}/Playing/{command}']));
  });

  it('terminate_session is DESTRUCTIVE_DISABLED unless allowed, and reaches nothing', async () => {
    const { sim, b } = await bench();
    const playing = sim.world.sessions.find((s) => s.playing)!;
    const from = sim.server.requests.length;
    expect(await b.call('terminate_session', { session_id: playing.Id })).toMatchObject({ status: 'error', error: { code: 'DESTRUCTIVE_DISABLED' } });
    expect(since(sim, from)).toEqual([]);
    expect(playing.playing).not.toBeNull();
  });

  it('refuses bad parameters without asking Jellyfin; dry_run asks nothing; a scan-all button', async () => {
    const { sim, b } = await bench({ commands: { rate_limit: 0, allow_destructive: ['jellyfin/terminate_session'] } });
    await expectInvalid(b, sim, 'scan_library', [{ library: '' }, { library: 5 }, { library: 'Movies', deep: true }]);
    await expectInvalid(b, sim, 'terminate_session', [{}, { session_id: 5 }, { session_id: 'a/b' }, { session_id: 'abc', message: 7 }, { session_id: 'abc', reason: 'x' }]);
    await expectDryRun(b, sim, 'terminate_session', { session_id: 'abc', message: 'bye' });
    await expectDryRun(b, sim, 'scan_library', {});
    const found = await controls(b, 'jellyfin', ['cmd_scan_library']);
    expect(found.cmd_scan_library).toMatchObject({ platform: 'button', command_topic: 'media2mqtt/jellyfin/set/scan_library', payload_press: '{}' });
  });
});
