import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogHub } from '../src/log.js';
import { SCHEMA_VERSION, Store, migrate } from '../src/store/db.js';

const lines: string[] = [];
const log = new LogHub({ level: 'warn', format: 'text', write: (l) => void lines.push(l) }).child('store');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'm2m-store-'));
  lines.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('store (lowdb file with schemaVersion)', () => {
  it('migrates a file written before schemaVersion and keeps what it held', () => {
    const data = migrate({ bridge: { starts: 7, first_start: '2026-01-01T00:00:00.000Z' } });
    expect(data.schemaVersion).toBe(SCHEMA_VERSION);
    expect(data.bridge).toMatchObject({ starts: 7, first_start: '2026-01-01T00:00:00.000Z', clean_shutdown: true, last_stop: null });
  });

  it('refuses a file from a newer version instead of overwriting it', () => {
    expect(() => migrate({ schemaVersion: SCHEMA_VERSION + 1 })).toThrow(/newer media2mqtt/);
  });

  it('persists across instances (a real file, not the in-memory test adapter)', async () => {
    const a = new Store(dir, log);
    await a.open();
    await a.update((d) => {
      d.bridge.starts = 3;
    });
    const b = new Store(dir, log);
    await b.open();
    expect(b.data.bridge.starts).toBe(3);
    expect(JSON.parse(readFileSync(join(dir, 'media2mqtt.json'), 'utf8')).schemaVersion).toBe(SCHEMA_VERSION);
  });

  it('a corrupt file is kept aside as .corrupt, logged, and the bridge starts with empty state', async () => {
    writeFileSync(join(dir, 'media2mqtt.json'), '{ not json');
    const s = new Store(dir, log);
    await s.open();
    expect(s.data.bridge.starts).toBe(0);
    expect(existsSync(join(dir, 'media2mqtt.json.corrupt'))).toBe(true);
    expect(lines.join('')).toMatch(/cannot read .*media2mqtt\.json/);
  });

  it('migrates a version-1 file to jobs, audit and per-instance buckets without losing the bridge section', () => {
    const data = migrate({ schemaVersion: 1, bridge: { starts: 2 } });
    expect(data).toMatchObject({ schemaVersion: SCHEMA_VERSION, jobs: [], audit: [], instances: {}, bridge: { starts: 2 } });
  });

  it("an instance's bucket survives a restart and is private to that instance", async () => {
    const a = new Store(dir, log);
    await a.open();
    await Promise.all([a.bucket('jellyfin').set('stats', { days: { '2026-11-20': 61 } }), a.bucket('plex').set('stats', { days: {} })]);
    const b = new Store(dir, log);
    await b.open();
    expect(b.bucket('jellyfin').get('stats')).toEqual({ days: { '2026-11-20': 61 } });
    expect(b.bucket('plex').get('stats')).toEqual({ days: {} });
    expect(b.bucket('tautulli').get('stats')).toBeUndefined();
  });
});
