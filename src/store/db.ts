import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Logger } from '../log.js';

/**
 * The little state that must survive a restart. Nothing per-poll is stored here: this is written
 * on lifecycle events (start, clean stop) and, in later issues, jobs and the audit trail.
 */
export interface StoreData {
  schemaVersion: number;
  bridge: {
    first_start: string | null;
    last_start: string | null;
    last_stop: string | null;
    starts: number;
    /** false while running; true after a clean shutdown. A false at start means the last run crashed. */
    clean_shutdown: boolean;
  };
}

export const SCHEMA_VERSION = 1;

function defaults(): StoreData {
  return {
    schemaVersion: SCHEMA_VERSION,
    bridge: { first_start: null, last_start: null, last_stop: null, starts: 0, clean_shutdown: true },
  };
}

/** Migrations from version N to N+1, applied in order at open. */
const MIGRATIONS: Record<number, (data: Record<string, unknown>) => Record<string, unknown>> = {
  // 0 → 1: files written before schemaVersion existed hold only what defaults() already covers.
  0: (data) => ({ ...data, schemaVersion: 1 }),
};

export function migrate(raw: unknown): StoreData {
  let data = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  let version = typeof data.schemaVersion === 'number' ? data.schemaVersion : 0;
  if (version > SCHEMA_VERSION) throw new Error(`the data file was written by a newer media2mqtt (schema ${version} > ${SCHEMA_VERSION})`);
  while (version < SCHEMA_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new Error(`no migration from schema ${version}`);
    data = step(data);
    version++;
  }
  const d = defaults();
  // read() replaces data wholesale, so defaults are merged per section.
  return { ...d, ...data, schemaVersion: SCHEMA_VERSION, bridge: { ...d.bridge, ...(data.bridge as object | undefined) } } as StoreData;
}

export class Store {
  #db: Low<StoreData>;
  #log: Logger;
  readonly file: string;

  constructor(dataDir: string, log: Logger) {
    this.file = join(dataDir, 'media2mqtt.json');
    // Not JSONFilePreset: it silently switches to memory when NODE_ENV=test.
    this.#db = new Low<StoreData>(new JSONFile<StoreData>(this.file), defaults());
    this.#log = log;
  }

  get data(): StoreData {
    return this.#db.data;
  }

  async open(): Promise<void> {
    await mkdir(join(this.file, '..'), { recursive: true });
    try {
      await this.#db.read();
    } catch (err) {
      this.#log.error(`cannot read ${this.file} (${(err as Error).message}); starting with empty state and keeping the file as .corrupt`);
      await rename(this.file, `${this.file}.corrupt`).catch(() => undefined);
      this.#db.data = defaults();
    }
    this.#db.data = migrate(this.#db.data);
  }

  async update(fn: (data: StoreData) => void): Promise<void> {
    fn(this.#db.data);
    await this.#db.write();
  }
}
