import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { qbittorrentModule } from '../../src/services/qbittorrent/index.js';
import { QbittorrentSim } from '../../src/services/qbittorrent/sim.js';
import { MAX_TORRENT_BYTES } from '../../src/services/qbittorrent/commands.js';
import { documentedPaths } from '../helpers/qbit-docs.js';
import { commandBench, controls, expectDryRun, expectInvalid, since, type Json } from './kit.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const DOC = { 4: 'webui-api-4.1.md', 5: 'webui-api.md' } as const;
const STOPPED = /^(paused|stopped)(DL|UP)$/;
/** A minimal bencoded torrent: d4:infod4:name…e e. */
const TORRENT = Buffer.from('d8:announce30:http://tracker.example/announce4:infod6:lengthi1024e4:name13:ubuntu-24.iso12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAAee');

describe.each([4, 5] as const)('qBittorrent %s.x commands', (major) => {
  async function bench(overrides?: Record<string, unknown>) {
    const sim = await QbittorrentSim.start({ major });
    cleanup.push(() => sim.stop());
    const b = await commandBench(qbittorrentModule, sim, { overrides });
    cleanup.push(() => b.stop());
    return { sim, b };
  }

  it('add (links and a .torrent file), pause, resume, alt_speed and remove change the client; only documented methods', async () => {
    const { sim, b } = await bench({ commands: { rate_limit: 0, allow_destructive: ['qbittorrent/remove'] } });
    const from = sim.server.requests.length;
    const magnet = 'magnet:?xt=urn:btih:' + 'ab'.repeat(20) + '&dn=Big.Buck.Bunny';
    expect(await b.call('add', { urls: [magnet], category: 'tv-sonarr', paused: true, tags: ['mqtt', 'ha'], save_path: '/downloads/x' })).toMatchObject({ status: 'ok', data: { submitted: 1 } });
    const added = sim.world.torrents.find((t) => t.hash === 'ab'.repeat(20))!;
    expect(added).toMatchObject({ name: 'Big.Buck.Bunny', category: 'tv-sonarr', tags: 'mqtt,ha', save_path: '/downloads/x' });
    expect(added.state).toMatch(STOPPED);
    // Bare payload: a magnet link alone.
    expect(await b.call('add', 'magnet:?xt=urn:btih:' + 'cd'.repeat(20) + '&dn=Sintel')).toMatchObject({ status: 'ok' });
    expect(sim.world.torrents.some((t) => t.name === 'Sintel')).toBe(true);
    // A .torrent file as base64, sent as multipart.
    expect(await b.call('add', { torrent: TORRENT.toString('base64') })).toMatchObject({ status: 'ok' });
    expect(sim.world.torrents.some((t) => t.name === 'ubuntu-24.iso')).toBe(true);

    const first = sim.world.torrents.find((t) => !STOPPED.test(t.state))!;
    expect(await b.call('pause', first.hash)).toMatchObject({ status: 'ok' });
    expect(sim.world.torrents.find((t) => t.hash === first.hash)!.state).toMatch(STOPPED);
    expect(await b.call('resume', { hashes: [first.hash] })).toMatchObject({ status: 'ok' });
    expect(sim.world.torrents.find((t) => t.hash === first.hash)!.state).not.toMatch(STOPPED);
    expect(await b.call('pause', 'all')).toMatchObject({ status: 'ok' });
    expect(sim.world.torrents.every((t) => STOPPED.test(t.state) || ['missingFiles', 'error'].includes(t.state))).toBe(true);
    expect(await b.call('resume', { hashes: 'all' })).toMatchObject({ status: 'ok' });
    expect(sim.world.torrents.filter((t) => STOPPED.test(t.state))).toEqual([]);

    const alt = sim.world.server.use_alt_speed_limits;
    expect(await b.call('alt_speed', { enabled: !alt })).toMatchObject({ status: 'ok', data: { enabled: !alt } });
    expect(sim.world.server.use_alt_speed_limits).toBe(!alt);
    // A bare on/off, the same state again: nothing changes (idempotent).
    expect(await b.call('alt_speed', alt ? 'off' : 'on')).toMatchObject({ status: 'ok' });
    expect(sim.world.server.use_alt_speed_limits).toBe(!alt);
    await b.c.waitForTopic('media2mqtt/qbittorrent/transfer', (t) => (t as Json).alt_speed_limits === !alt);

    const gone = sim.world.torrents[0]!.hash;
    const gone2 = sim.world.torrents[1]!.hash;
    expect(await b.call('remove', { hashes: gone, delete_files: false })).toMatchObject({ status: 'ok' });
    expect(await b.call('remove', { hashes: [gone2], delete_files: true })).toMatchObject({ status: 'ok' });
    expect(sim.world.torrents.some((t) => t.hash === gone || t.hash === gone2)).toBe(false);
    expect(sim.world.deletedFiles).toEqual([gone2]);

    // Every request is a documented method of this version's WebUI API page.
    const paths = documentedPaths(readFileSync(new URL(`../fixtures/specs/qbittorrent/${DOC[major]}`, import.meta.url), 'utf8'));
    const used = new Set(since(sim, from).map((r) => r.path));
    for (const p of used) expect(paths.has(p), `${p} is documented`).toBe(true);
    expect([...used]).toEqual(expect.arrayContaining(['/api/v2/torrents/add', '/api/v2/torrents/delete', '/api/v2/transfer/toggleSpeedLimitsMode', major === 5 ? '/api/v2/torrents/stop' : '/api/v2/torrents/pause']));
  });

  it('remove with delete_files is refused unless allowed; without files it runs', async () => {
    const { sim, b } = await bench();
    const h = sim.world.torrents[0]!.hash;
    const from = sim.server.requests.length;
    expect(await b.call('remove', { hashes: h, delete_files: true })).toMatchObject({ status: 'error', error: { code: 'DESTRUCTIVE_DISABLED' } });
    expect(since(sim, from)).toEqual([]);
    expect(sim.world.torrents.some((t) => t.hash === h)).toBe(true);
    expect(await b.call('remove', { hashes: h, delete_files: false })).toMatchObject({ status: 'ok' });
    expect(sim.world.torrents.some((t) => t.hash === h)).toBe(false);
    expect(sim.world.deletedFiles).toEqual([]);
  });

  it('refuses bad parameters without asking the upstream; dry_run asks nothing', async () => {
    const { sim, b } = await bench({ commands: { rate_limit: 0, allow_destructive: ['qbittorrent/remove'] } });
    const h = sim.world.torrents[0]!.hash;
    await expectInvalid(b, sim, 'add', [
      {},
      { urls: 'ftp://x/y.torrent' },
      { urls: [] },
      { urls: 'magnet:?xt=urn:btih:' + 'ab'.repeat(20), torrent: TORRENT.toString('base64') },
      { torrent: 'not base64 !!' },
      { torrent: Buffer.from('hello world, not a torrent').toString('base64') },
      { torrent: Buffer.concat([Buffer.from('d4:infod'), Buffer.alloc(MAX_TORRENT_BYTES, 0x61)]).toString('base64') },
      { urls: 'magnet:?xt=1', paused: 'yes' },
      { urls: 'magnet:?xt=1', tags: ['a,b'] },
      { urls: 'magnet:?xt=1', color: 'red' },
    ]);
    await expectInvalid(b, sim, 'pause', [{}, { hashes: 'zz' }, { hashes: [] }, { hashes: 5 }, { hashes: 'all', extra: 1 }, 'some']);
    await expectInvalid(b, sim, 'resume', [{ hashes: ['all'] }]);
    await expectInvalid(b, sim, 'alt_speed', [{}, { enabled: 'maybe' }, { enabled: 1 }]);
    await expectInvalid(b, sim, 'remove', [{ hashes: h }, { hashes: h, delete_files: 'yes' }, { delete_files: false }, { hashes: h, delete_files: false, force: true }]);
    await expectDryRun(b, sim, 'remove', { hashes: h, delete_files: true });
    await expectDryRun(b, sim, 'add', { urls: 'magnet:?xt=urn:btih:' + 'ef'.repeat(20) });
    expect(sim.world.torrents.some((t) => t.hash === h)).toBe(true);
  });

  it('has pause/resume-all buttons and an alternative-speed switch that follows the transfer state', async () => {
    const { b } = await bench();
    const found = await controls(b, 'qbittorrent', ['cmd_pause', 'cmd_resume', 'cmd_alt_speed']);
    expect(found.cmd_pause).toMatchObject({ platform: 'button', command_topic: 'media2mqtt/qbittorrent/set/pause', payload_press: '{"hashes":"all"}' });
    expect(found.cmd_resume).toMatchObject({ platform: 'button', payload_press: '{"hashes":"all"}' });
    expect(found.cmd_alt_speed).toMatchObject({ platform: 'switch', command_topic: 'media2mqtt/qbittorrent/set/alt_speed', state_topic: 'media2mqtt/qbittorrent/transfer', payload_on: '{"enabled":true}', payload_off: '{"enabled":false}' });
    expect(found.cmd_remove).toBeUndefined();
  });
});
