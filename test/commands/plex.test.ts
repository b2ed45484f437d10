import { afterEach, describe, expect, it } from 'vitest';
import { plexModule } from '../../src/services/plex/index.js';
import { PlexSim } from '../../src/services/plex/sim.js';
import { OpenApiSpec } from '../helpers/openapi.js';
import { commandBench, controls, expectDocumented, expectDryRun, expectInvalid, since } from './kit.js';

const spec = new OpenApiSpec('plex/plex-api-spec.yaml');
/** The refresh after a command polls; this one call is the named exception of test/services/plex.test.ts. */
const UNDOCUMENTED = ['GET /library/recentlyAdded'];
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function bench(overrides?: Record<string, unknown>) {
  const sim = await PlexSim.start();
  cleanup.push(() => sim.stop());
  const b = await commandBench(plexModule, sim, { overrides });
  cleanup.push(() => b.stop());
  return { sim, b };
}

describe('Plex commands', () => {
  it('scan_library refreshes every section (or one) and follows the scan activities to the end; only documented requests', async () => {
    const { sim, b } = await bench();
    const from = sim.server.requests.length;
    const before = sim.world.sections.map((s) => s.scannedAt);
    const all = await b.call('scan_library');
    const job = await b.job(all.data.job_id);
    expect(job).toMatchObject({ state: 'succeeded', result: { observed: true } });
    expect(job.result.libraries.map((l: { title: string }) => l.title)).toEqual(sim.world.sections.map((s) => s.title));
    expect(sim.world.scans).toEqual([]);
    // Every section was scanned (its scannedAt moved on).
    sim.world.sections.forEach((s, i) => expect(s.scannedAt).toBeGreaterThan(before[i]!));
    expect(since(sim, from).filter((r) => /\/library\/sections\/\w+\/refresh$/.test(r.path)).length).toBe(sim.world.sections.length);
    const progress = b.c.on(`media2mqtt/jobs/${all.data.job_id}`).map((m) => JSON.parse(m.payload).progress);
    expect(progress.some((p: number | null) => p !== null && p > 0 && p < 100)).toBe(true);

    const movies = sim.world.sections.find((s) => s.type === 'movie')!;
    const refreshesBefore = since(sim, from).filter((r) => r.method === 'POST').length;
    const one = await b.call('scan_library', movies.title.toLowerCase());
    expect(await b.job(one.data.job_id)).toMatchObject({ state: 'succeeded', result: { libraries: [{ key: movies.key, title: movies.title }] } });
    expect(since(sim, from).filter((r) => r.method === 'POST').length).toBe(refreshesBefore + 1);
    const byKey = await b.call('scan_library', { library: Number(movies.key) });
    expect(await b.job(byKey.data.job_id)).toMatchObject({ state: 'succeeded' });
    const none = await b.call('scan_library', { library: 'Anime' });
    expect(await b.job(none.data.job_id)).toMatchObject({ state: 'failed', error: { code: 'NOT_FOUND' } });

    expect(expectDocumented(spec, since(sim, from), [], UNDOCUMENTED)).toEqual(expect.arrayContaining(['POST /library/sections/{sectionId}/refresh', 'GET /activities', 'GET /library/sections/all']));
  });

  it('terminate_session, when allowed, ends the session with the message as the reason; refused by default', async () => {
    const { sim, b } = await bench({ commands: { rate_limit: 0, allow_destructive: ['plex/terminate_session'] } });
    const s = sim.world.sessions[0]!;
    const from = sim.server.requests.length;
    expect(await b.call('terminate_session', { session_id: s.id, message: 'Server maintenance' })).toMatchObject({ status: 'ok', data: { session_id: s.id, message_sent: true } });
    expect(sim.commands.terminated).toEqual([{ sessionId: s.id, reason: 'Server maintenance' }]);
    expect(sim.world.sessions.some((x) => x.id === s.id)).toBe(false);
    expect(await b.call('terminate_session', { session_id: 'nosuch' })).toMatchObject({ status: 'error', error: { code: 'NOT_FOUND' } });
    expect(expectDocumented(spec, since(sim, from), [], UNDOCUMENTED)).toEqual(expect.arrayContaining(['POST /status/sessions/terminate']));

    const { sim: sim2, b: b2 } = await bench();
    const s2 = sim2.world.sessions[0]!;
    const from2 = sim2.server.requests.length;
    expect(await b2.call('terminate_session', { session_id: s2.id })).toMatchObject({ status: 'error', error: { code: 'DESTRUCTIVE_DISABLED' } });
    expect(since(sim2, from2)).toEqual([]);
    expect(sim2.world.sessions.some((x) => x.id === s2.id)).toBe(true);
  });

  it('refuses bad parameters without asking Plex; dry_run asks nothing; a scan-all button', async () => {
    const { sim, b } = await bench();
    await expectInvalid(b, sim, 'scan_library', [{ library: '' }, { library: true }, { library: -2 }, { section: 1 }]);
    await expectInvalid(b, sim, 'terminate_session', [{}, { session_id: 7 }, { session_id: 'a b' }, { session_id: 'abc', message: '' }, { session_id: 'abc', kick: true }]);
    await expectDryRun(b, sim, 'scan_library', { library: 'Movies' });
    const found = await controls(b, 'plex', ['cmd_scan_library']);
    expect(found.cmd_scan_library).toMatchObject({ platform: 'button', command_topic: 'media2mqtt/plex/set/scan_library', payload_press: '{}' });
    expect(found.cmd_terminate_session).toBeUndefined();
  });
});
