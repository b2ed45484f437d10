import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { validateDevicePayload } from '../helpers/ha-rules.js';
import { Collector, request } from '../helpers/mqtt.js';
import { sandboxes } from './helpers.js';
import { startFtpServer } from './servers.js';
import type { PackagingStates, ReleaseEventPayload } from '../../src/packaging/instance.js';

type Json = Record<string, any>;
const BASE = 'media2mqtt';
const PASSWORD = 'ftp-Pa55word-bridge';
const box = sandboxes();
const stops: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

/** A real bridge (embedded aedes on port 0) with packaging on, a real FTP server as destination, and an MQTT collector. */
async function bridge(extra: Record<string, unknown> = {}, silentPort?: number) {
  const b = await box();
  const home = join(b.dir, 'remote');
  await mkdir(join(home, 'up'), { recursive: true });
  const ftp = await startFtpServer(home, 'u', PASSWORD);
  stops.push(ftp.stop);
  const t: TestApp = await startApp(
    {
      system: { enabled: false },
      commands: { rate_limit: 0, ...((extra.commands as object) ?? {}) },
      packaging: {
        ...b.cfg,
        destinations: {
          ftp_main: { type: 'ftp', host: '127.0.0.1', port: ftp.port, user: 'u', password: PASSWORD, dir: '/up' },
          ...(silentPort ? { silent: { type: 'ftp', host: '127.0.0.1', port: silentPort, user: 'u', password: PASSWORD, timeout: 600 } } : {}),
        },
      },
    } as never,
    [PASSWORD],
  );
  stops.push(t.stop);
  const c = await Collector.connect(t.url, [`${BASE}/#`, 'homeassistant/#']);
  stops.push(() => c.close());
  const call = async (command: string, payload: unknown) => (await request(t.url, BASE, 'packaging', command, typeof payload === 'string' ? payload : JSON.stringify(payload))) as Json;
  const job = async (id: string) => (await c.waitForTopic(`${BASE}/jobs/${id}`, (j) => ['succeeded', 'failed', 'cancelled'].includes((j as Json).state), 30_000)) as Json;
  return { b, t, c, call, job, home };
}

describe('packaging through the real bridge', () => {
  it('pack over MQTT: a job with per-step and per-byte progress, the release on disk and on the FTP server, the HA device and events', async () => {
    const { b, t, c, call, job, home } = await bridge();
    const src = await b.file('Some Book.epub', 12_000_000);
    const answer = await call('pack', { type: 'EBOOK', source: src, volume_size: 5_000_000, year: 2024, upload: 'ftp_main' });
    expect(answer).toMatchObject({ status: 'ok', data: { job_id: expect.any(String), state: 'queued' } });
    const id = answer.data.job_id as string;
    const done = await job(id);
    expect(done).toMatchObject({ state: 'succeeded', progress: 100, result: { release: 'Some.Book.2024.EPUB.eBook-GRP', volumes: expect.any(Array), upload: { destination: 'ftp_main', attempts: 1 } } });
    expect(done.result.volumes).toHaveLength(3);
    // Progress arrived step by step on the job's topic: several volumes, then the upload.
    const updates = c.on(`${BASE}/jobs/${id}`).map((m) => JSON.parse(m.payload) as Json);
    const steps = new Set(updates.map((u) => u.step));
    for (const s of ['packing volume 1/3', 'packing volume 3/3', 'uploading 5/5']) expect(steps).toContain(s);
    const percents = updates.map((u) => u.progress).filter((p): p is number => typeof p === 'number');
    // Every step change is reported (per-byte ticks in between are rate-limited), and progress only grows.
    expect(new Set(percents.filter((p) => p > 0 && p < 100)).size).toBeGreaterThanOrEqual(5);
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1]!)).toBe(true);
    // The device's own state followed the job, then went back to idle.
    const deviceSteps = c.on(`${BASE}/packaging/job`).map((m) => JSON.parse(m.payload) as PackagingStates['job']);
    expect(deviceSteps.some((s) => s.state === 'running' && s.progress > 0 && s.progress < 100)).toBe(true);
    expect(deviceSteps.at(-1)).toMatchObject({ state: 'idle', progress: 0 });
    await c.waitForTopic(`${BASE}/packaging/last_release`, (v) => (v as PackagingStates['last_release']).name === 'Some.Book.2024.EPUB.eBook-GRP');
    expect(c.latest(`${BASE}/packaging/last_release`)).toMatchObject({ size: done.result.size, uploaded_to: 'ftp_main' });
    const events = c.on(`${BASE}/packaging/release_event`).map((m) => (JSON.parse(m.payload) as ReleaseEventPayload).event_type);
    expect(events).toEqual(['release_built', 'release_uploaded']);
    // The event is not retained: HA's event entity fires on every live message, so a retained one
    // fired again whenever the states were republished (Resync, Home Assistant's birth message),
    // and a client connecting later took the last release for a new one.
    const lastReleases = c.on(`${BASE}/packaging/last_release`).length;
    expect(await request(t.url, BASE, 'bridge', 'resync', '{}')).toMatchObject({ status: 'ok' });
    await c.waitFor(() => c.on(`${BASE}/packaging/last_release`).length > lastReleases, 'the republished last_release');
    expect(c.on(`${BASE}/packaging/release_event`)).toHaveLength(2);
    const late = await Collector.connect(t.url, [`${BASE}/packaging/#`]);
    stops.push(() => late.close());
    await late.waitForTopic(`${BASE}/packaging/job`);
    await late.waitForTopic(`${BASE}/packaging/last_release`);
    expect(late.on(`${BASE}/packaging/release_event`)).toEqual([]);
    // Uploaded bytes are the release's.
    for (const f of await readdir(done.result.dir)) expect((await readFile(join(home, 'up', done.result.release, f))).equals(await readFile(join(done.result.dir, f)))).toBe(true);
    // Home Assistant: one Packaging device via the bridge with the job, last release and event entities.
    const discovery = c.latest('homeassistant/device/media2mqtt_packaging/config') as Json;
    expect(discovery.device).toMatchObject({ name: 'Packaging', via_device: 'media2mqtt_bridge' });
    expect(validateDevicePayload('homeassistant/device/media2mqtt_packaging/config', discovery)).toEqual([]);
    expect(Object.keys(discovery.components)).toEqual(expect.arrayContaining(['job_progress', 'job_step', 'last_release', 'last_release_size', 'last_release_time', 'release']));
    expect(discovery.components.release).toMatchObject({ platform: 'event', event_types: ['release_built', 'release_uploaded', 'release_failed'] });
    // The password never reached MQTT.
    expect(c.messages.some((m) => m.payload.includes(PASSWORD))).toBe(false);
    // releases lists it.
    expect(await call('releases', {})).toMatchObject({ status: 'ok', data: { releases: [{ release: 'Some.Book.2024.EPUB.eBook-GRP', files: 5 }] } });
  });

  it('bad input: a clear error on the job, a release_failed event, nothing published, and the bridge keeps answering', async () => {
    const { b, c, call, job } = await bridge();
    const src = await b.file('book.epub', 1000);
    const cases: [Json, string][] = [
      [{ type: 'EBOOK', source: '/etc/passwd' }, 'SOURCE_OUTSIDE_ROOTS'],
      [{ type: 'EBOOK', source: `${b.root}/../x.epub` }, 'PATH_TRAVERSAL'],
      [{ type: 'EBOOK', source: src, name: 'bad name' }, 'BAD_NAME'],
      [{ type: 'EBOOK', source: src, upload: 'nowhere' }, 'UNKNOWN_DESTINATION'],
    ];
    for (const [params, code] of cases) {
      const answer = await call('pack', params);
      const done = await job(answer.data.job_id);
      expect(done, code).toMatchObject({ state: 'failed', error: { code } });
    }
    const failed = c.on(`${BASE}/packaging/release_event`).map((m) => JSON.parse(m.payload) as ReleaseEventPayload);
    expect(failed.map((e) => e.event_type)).toEqual(['release_failed', 'release_failed', 'release_failed', 'release_failed']);
    expect(await readdir(b.out).catch(() => [])).toEqual([]);
    // Invalid parameters never start a job.
    expect(await call('pack', { type: 'VIDEO', source: src })).toMatchObject({ status: 'error', error: { code: 'INVALID_PARAMS' } });
    expect(await call('pack', { type: 'EBOOK', source: src, password: 'x' })).toMatchObject({ status: 'error', error: { code: 'INVALID_PARAMS' } });
    // delete_release is destructive: off unless allowed.
    expect(await call('delete_release', 'Some.Release-GRP')).toMatchObject({ status: 'error', error: { code: 'DESTRUCTIVE_DISABLED' } });
    expect(await call('releases', {})).toMatchObject({ status: 'ok', data: { releases: [] } });
  });

  it('upload of a built release; delete_release, once allowed, removes it and refuses names that are not releases', async () => {
    const { b, call, job, home } = await bridge({ commands: { allow_destructive: ['packaging/delete_release'] } });
    const src = await b.file('x.pdf', 100);
    const id = (await call('pack', { type: 'DOCS', source: src, name: 'X.2020.PDF-GRP' })).data.job_id;
    expect(await job(id)).toMatchObject({ state: 'succeeded' });
    // upload on its own: to a destination, once; unknown destinations and releases are refused.
    const up = (await call('upload', { release: 'X.2020.PDF-GRP', destination: 'ftp_main' })).data.job_id;
    expect(await job(up)).toMatchObject({ state: 'succeeded', result: { destination: 'ftp_main', files: 3 } });
    expect(await readdir(join(home, 'up', 'X.2020.PDF-GRP'))).toHaveLength(3);
    for (const [params, code] of [
      [{ release: 'X.2020.PDF-GRP', destination: 'ftp_main' }, 'DESTINATION_EXISTS'],
      [{ release: 'X.2020.PDF-GRP', destination: 'nowhere' }, 'UNKNOWN_DESTINATION'],
      [{ release: 'Y.2020.PDF-GRP', destination: 'ftp_main' }, 'RELEASE_MISSING'],
    ] as const) {
      expect(await job((await call('upload', params)).data.job_id), code).toMatchObject({ state: 'failed', error: { code } });
    }
    expect(await call('delete_release', { release: '../incoming' })).toMatchObject({ status: 'error', error: { code: 'BAD_NAME' } });
    expect(await call('delete_release', { release: 'Other.2020.PDF-GRP' })).toMatchObject({ status: 'error', error: { code: 'RELEASE_MISSING' } });
    expect(await call('delete_release', 'X.2020.PDF-GRP')).toMatchObject({ status: 'ok', data: { release: 'X.2020.PDF-GRP', deleted: true } });
    expect(await readdir(b.out)).toEqual([]);
  });

  it('cancel_job stops a pack whose upload hangs: the job ends cancelled, the bridge answers, nothing is left half-uploaded', async () => {
    // A server that accepts connections and never speaks: the upload waits on its greeting until cancelled.
    const sockets = new Set<Socket>();
    const silent = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise((r) => (sockets.forEach((s) => s.destroy()), silent.close(() => r(undefined)))));
    const { b, c, call, job, t } = await bridge({}, (silent.address() as AddressInfo).port);
    const src = await b.file('x.pdf', 1000);
    const id = (await call('pack', { type: 'DOCS', source: src, name: 'X.2020.PDF-GRP', upload: 'silent' })).data.job_id as string;
    await c.waitForTopic(`${BASE}/jobs/${id}`, (j) => (j as Json).step === 'connecting');
    expect(await request(t.url, BASE, 'bridge', 'cancel_job', id)).toMatchObject({ status: 'ok' });
    expect(await job(id)).toMatchObject({ state: 'cancelled', error: { code: 'CANCELLED' } });
    await c.waitForTopic(`${BASE}/packaging/job`, (v) => (v as PackagingStates['job']).state === 'idle');
    expect(c.latest(`${BASE}/packaging/release_event`)).toMatchObject({ event_type: 'release_failed', error: { code: 'CANCELLED' } });
    // The release was built (upload is its second half) and stays for a later upload; the bridge still answers.
    expect(await call('releases', {})).toMatchObject({ status: 'ok', data: { releases: [{ release: 'X.2020.PDF-GRP' }] } });
  });
});
