import type { Instance, InstanceContext } from '../core/instance.js';
import type { DeviceDef, EntityDef } from '../ha/entity.js';
import type { JobHandle } from '../jobs/jobs.js';
import { errorMessage, Media2MqttError } from '../errors.js';
import { VERSION } from '../version.js';
import type { PackagingConfig } from './config.js';
import { deleteRelease, listReleases, runPack, runUpload, type PackResult, type Progress } from './releases.js';
import type { PackRequest } from './build.js';

export const PACKAGING_ID = 'packaging';

/** Topics under `<base>/packaging/` (README, "Packaging"): two retained states and an event. */
export const PackagingState = { job: 'job', lastRelease: 'last_release', event: 'release_event' } as const;
export const RELEASE_EVENTS = ['release_built', 'release_uploaded', 'release_failed'] as const;
export type ReleaseEvent = (typeof RELEASE_EVENTS)[number];

interface LastRelease {
  name: string;
  type: string;
  size: number;
  volumes: number;
  time: string;
  uploaded_to: string | null;
}

/** `<base>/packaging/job`: the running job's whole-percent progress and step; idle between jobs. */
export interface PackagingJobState {
  state: 'running' | 'idle';
  progress: number;
  step: string;
  job_id: string | null;
}

/** `<base>/packaging/last_release`; before the first release, `none` with size 0 and no time (HA needs valid values). */
export type LastReleaseState =
  | (LastRelease & { details: Pick<LastRelease, 'type' | 'volumes' | 'uploaded_to'> })
  | { name: 'none'; size: 0; time: null; details: Record<string, never> };

/** What each release event carries besides its type and time (also the `data` of the bridge event). */
export type ReleaseEventData = {
  release_built: { release: string; type: string; size: number; volumes: number };
  release_uploaded: { release: string; destination: string; bytes: number };
  release_failed: ({ source: string; name: string | null } | { release: string; destination: string }) & { error: { code: string; message: string } };
};

/** `<base>/packaging/release_event` (not retained): read by the HA event entity "Release". */
export type ReleaseEventPayload<T extends ReleaseEvent = ReleaseEvent> = { event_type: T; time: string } & ReleaseEventData[T];

/** Everything the Packaging device publishes under `<base>/packaging/`. */
export type PackagingStates = {
  job: PackagingJobState;
  last_release: LastReleaseState;
  release_event: ReleaseEventPayload;
};

/**
 * The Packaging device: builds releases and uploads them (the `pack`, `upload`, `releases` and
 * `delete_release` commands run through here). Home Assistant sees the running job's progress and
 * step, the last release, and an event per release built, uploaded or failed.
 */
export class PackagingInstance implements Instance {
  readonly type = 'packaging';
  readonly id = PACKAGING_ID;
  readonly #ctx: InstanceContext<PackagingStates>;
  readonly cfg: PackagingConfig;

  constructor(ctx: InstanceContext<PackagingStates>, cfg: PackagingConfig) {
    this.#ctx = ctx;
    this.cfg = cfg;
  }

  device(): DeviceDef {
    return { instance: this.id, name: 'Packaging', manufacturer: 'media2mqtt', model: 'Release packaging', swVersion: VERSION, viaBridge: true, hasAvailability: false };
  }

  entities(): EntityDef<PackagingStates>[] {
    const { job, lastRelease, event } = PackagingState;
    return [
      { key: 'job_progress', platform: 'sensor', name: 'Job progress', state: job, field: 'progress', unit: '%', stateClass: 'measurement', precision: 0, icon: 'mdi:package-variant' },
      { key: 'job_step', platform: 'sensor', name: 'Job step', state: job, field: 'step', icon: 'mdi:progress-clock' },
      { key: 'last_release', platform: 'sensor', name: 'Last release', state: lastRelease, field: 'name', icon: 'mdi:package-variant-closed', attributesField: 'details' },
      { key: 'last_release_size', platform: 'sensor', name: 'Last release size', state: lastRelease, valueTemplate: '{{ (value_json.size / 1000000) | round(2) }}', deviceClass: 'data_size', unit: 'MB', precision: 2 },
      { key: 'last_release_time', platform: 'sensor', name: 'Last release time', state: lastRelease, field: 'time', deviceClass: 'timestamp' },
      { key: 'release', platform: 'event', name: 'Release', state: event, eventTypes: [...RELEASE_EVENTS], icon: 'mdi:package-up' },
    ];
  }

  async start(): Promise<void> {
    this.#idle();
    const last = this.#ctx.storage.get<LastRelease>('last_release');
    this.#publishLast(last ?? null);
  }

  async stop(): Promise<void> {}

  /** The `pack` job. */
  async pack(req: PackRequest & { upload?: string }, job: JobHandle | null, signal: AbortSignal): Promise<PackResult> {
    return this.#run(job, async (progress) => {
      const r = await runPack(this.cfg, req, progress, signal).catch((err: unknown) => {
        throw this.#failed(err, { source: req.source, name: req.name ?? null });
      });
      this.#event('release_built', { release: r.release, type: r.type, size: r.size, volumes: r.volumes.length });
      if (r.upload) this.#event('release_uploaded', { release: r.release, destination: r.upload.destination, bytes: r.upload.bytes });
      await this.#remember({ name: r.release, type: r.type, size: r.size, volumes: r.volumes.length, time: r.built_at, uploaded_to: r.upload?.destination ?? null });
      return r;
    });
  }

  /** The `upload` job. */
  async upload(release: string, destination: string, job: JobHandle | null, signal: AbortSignal) {
    return this.#run(job, async (progress) => {
      const r = await runUpload(this.cfg, release, destination, progress, signal).catch((err: unknown) => {
        throw this.#failed(err, { release, destination });
      });
      this.#event('release_uploaded', { release, destination, bytes: r.bytes });
      return r;
    });
  }

  releases() {
    return listReleases(this.cfg);
  }

  delete(release: string) {
    return deleteRelease(this.cfg, release);
  }

  async #run<T>(job: JobHandle | null, fn: (progress: Progress) => Promise<T>): Promise<T> {
    let shown = -1;
    let step = '';
    let jobStep = '';
    let jobAt = 0;
    const progress: Progress = (percent, s) => {
      // Per-byte progress comes every megabyte: the job's topic gets it at most 5 times a second, and at every step.
      const now = Date.now();
      if (s !== jobStep || percent >= 100 || now - jobAt >= 200) {
        job?.progress(percent, s);
        jobStep = s;
        jobAt = now;
      }
      // Whole percents on the device's topic: enough for a dashboard, at most ~100 messages a job.
      const p = Math.floor(percent);
      if (p === shown && s === step) return;
      shown = p;
      step = s;
      this.#ctx.publishState(PackagingState.job, { state: 'running', progress: p, step: s, job_id: job?.id ?? null });
    };
    try {
      return await fn(progress);
    } finally {
      this.#idle();
    }
  }

  #idle(): void {
    this.#ctx.publishState(PackagingState.job, { state: 'idle', progress: 0, step: 'idle', job_id: null });
  }

  #failed(err: unknown, data: { source: string; name: string | null } | { release: string; destination: string }): unknown {
    const error = err instanceof Media2MqttError ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'internal error (see the bridge log)' };
    if (!(err instanceof Media2MqttError)) this.#ctx.log.error(`packaging failed: ${errorMessage(err)}`);
    this.#event('release_failed', { ...data, error });
    return err;
  }

  #event<T extends ReleaseEvent>(type: T, data: ReleaseEventData[T]): void {
    // Not retained: HA's event entity fires on every live message, so a retained copy would fire
    // again at each republish of the states (Home Assistant's birth message, Resync), and a client
    // connecting later would take the last release for a new one.
    const payload: ReleaseEventPayload<T> = { event_type: type, time: new Date().toISOString(), ...data };
    this.#ctx.publishEvent(PackagingState.event, payload);
    this.#ctx.emitEvent(type, data);
  }

  async #remember(last: LastRelease): Promise<void> {
    this.#publishLast(last);
    await this.#ctx.storage.set('last_release', last).catch((err: unknown) => this.#ctx.log.warn(`cannot store the last release: ${errorMessage(err)}`));
  }

  #publishLast(last: LastRelease | null): void {
    // HA's timestamp and numeric sensors need valid values: before any release, size 0 and no time.
    this.#ctx.publishState(PackagingState.lastRelease, last ? { ...last, details: { type: last.type, volumes: last.volumes, uploaded_to: last.uploaded_to } } : { name: 'none', size: 0, time: null, details: {} });
  }
}
