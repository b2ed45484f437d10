import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { EntityDef } from '../ha/entity.js';
import type { JobHandle } from '../jobs/jobs.js';
import { CommandError, UpstreamError } from '../errors.js';

/**
 * What the library services (Komga, Kavita) share: the published library state, its entities, the
 * volume-number normalisation of the missing-volumes LibrarySource, and how a scan job follows the
 * upstream scan. Pure except followScan.
 */

/** One series with a known total that is not all there, as the attributes list it. */
export interface IncompleteSeries {
  id: string;
  title: string;
  /** Books (Komga) or volumes (Kavita) present. */
  present: number;
  total: number;
  missing: number;
}

/** `<base>/<instance>/library` (README, "Komga" and "Kavita"). */
export interface LibraryState {
  series: number;
  /** Komga: books; Kavita: volumes. */
  books: number;
  /** Series with a known total that are incomplete. */
  incomplete: number;
  /**
   * The first `list_limit` of them for Home Assistant attributes. Not `items`: HA's templates
   * resolve `value_json.items` to the dict method.
   */
  incomplete_series: { total: number; series: IncompleteSeries[] };
}

export const LibraryStateName = 'library';
export const LibrariesStateName = 'libraries';

/**
 * The states both library services publish (each service's own map, KomgaStates and KavitaStates,
 * holds these two besides `status`): what libraryEntities reads.
 */
export type LibraryStates = {
  library: LibraryState;
  libraries: LibrariesState;
};

/** One upstream library, as `scan_library` names it. */
export interface LibraryEntry {
  id: string;
  name: string;
  /** Komga: the library's root folder cannot be read (LibraryDto.unavailable). */
  unavailable: boolean;
  /** Kavita: when its last scan ended (LibraryDto.lastScanned); null where the upstream does not say. */
  last_scanned: string | null;
}

/** `<base>/<instance>/libraries`: their number, how many are unavailable, and the list (ids for scan_library). */
export interface LibrariesState {
  count: number;
  unavailable: number;
  list: { total: number; libraries: LibraryEntry[] };
}

export function librariesState(libraries: readonly LibraryEntry[], limit: number): LibrariesState {
  return { count: libraries.length, unavailable: libraries.filter((l) => l.unavailable).length, list: { total: libraries.length, libraries: libraries.slice(0, limit) } };
}

/** Sorted unique volume numbers; `numberSort`-style floats rounded to 2 decimals (20.499999 → 20.5). */
export function sortVolumes(values: Iterable<number>): number[] {
  const set = new Set<number>();
  for (const v of values) if (Number.isFinite(v)) set.add(Math.round(v * 100) / 100);
  return [...set].sort((a, b) => a - b);
}

/** The incomplete-series attribute object, bounded to `limit` entries, most missing first. */
export function incompleteList(series: readonly IncompleteSeries[], total: number, limit: number): LibraryState['incomplete_series'] {
  const sorted = [...series].sort((a, b) => b.missing - a.missing || a.title.localeCompare(b.title));
  return { total, series: sorted.slice(0, limit) };
}

/** The library sensors both services publish; `books` names the unit (books or volumes). */
export function libraryEntities(books: { name: string; icon: string }): EntityDef<LibraryStates>[] {
  const S = LibraryStateName;
  return [
    { key: 'series', platform: 'sensor', name: 'Series', state: S, field: 'series', stateClass: 'measurement', icon: 'mdi:bookshelf' },
    { key: 'books', platform: 'sensor', name: books.name, state: S, field: 'books', stateClass: 'measurement', icon: books.icon },
    { key: 'incomplete', platform: 'sensor', name: 'Incomplete series', state: S, field: 'incomplete', stateClass: 'measurement', icon: 'mdi:book-alert', attributesField: 'incomplete_series' },
    { key: 'libraries', platform: 'sensor', name: 'Libraries', state: LibrariesStateName, field: 'count', entityCategory: 'diagnostic', icon: 'mdi:library', attributesField: 'list' },
  ];
}

export interface ScanCheck {
  done: boolean;
  step: string;
}

/** How long a scan job follows the upstream before giving up (a first scan of a big library takes a while). */
const SCAN_DEADLINE_MS = 60 * 60_000;

/**
 * Follows a scan the upstream started in the background: `check` every `everyMs` until it says
 * done, each answer reported as the job's step (neither upstream gives a percentage).
 */
export async function followScan(instance: string, job: JobHandle | null, signal: AbortSignal, check: () => Promise<ScanCheck>, everyMs: number): Promise<ScanCheck> {
  const deadline = Date.now() + SCAN_DEADLINE_MS;
  for (;;) {
    await sleep(everyMs, undefined, { signal });
    const r = await check();
    job?.progress(null, r.step);
    if (r.done) return r;
    if (Date.now() > deadline) throw new UpstreamError(instance, `the library scan is still running after ${SCAN_DEADLINE_MS / 60_000} minutes`, { code: 'TIMEOUT' });
  }
}

/** A library id or name of the scan_library command; every library when absent. */
export const libraryParam = z.string().trim().min(1, 'library must not be empty').max(200, 'library is longer than 200 characters').optional();

/** The libraries a scan_library command names (by id or name), or every one; NOT_FOUND names the ones there are. */
export function pickLibraries<T>(instance: string, all: readonly T[], wanted: string | undefined, label: (l: T) => { id: string; name: string }): T[] {
  const chosen = wanted === undefined ? [...all] : all.filter((l) => label(l).id === wanted || label(l).name === wanted);
  if (chosen.length) return chosen;
  if (wanted === undefined) throw new CommandError('NOT_FOUND', `${instance} has no library`);
  throw new CommandError('NOT_FOUND', `${instance} has no library "${wanted}" (libraries: ${all.map((l) => label(l).name).join(', ') || 'none'})`);
}
