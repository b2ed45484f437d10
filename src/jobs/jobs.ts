import { randomUUID } from 'node:crypto';
import { CommandError, errorMessage, Media2MqttError } from '../errors.js';
import type { Logger } from '../log.js';
import type { JobPayload, JobState, JobsSummaryPayload } from '../mqtt/contract.js';

/** What a running job may do: report progress, and notice that it was cancelled. */
export interface JobHandle {
  readonly id: string;
  readonly signal: AbortSignal;
  /** Progress in percent (0–100, null when unknown) and a short step text. */
  progress(percent: number | null, step?: string): void;
}

/** Where jobs go: retained topics and the data file. Supplied by the app; tests pass a recorder. */
export interface JobSink {
  publishJob(job: JobPayload): void;
  clearJob(id: string): void;
  publishSummary(summary: JobsSummaryPayload): void;
  /** Persist the whole list (called on state changes, not on every progress tick). */
  save(jobs: JobPayload[]): Promise<void>;
}

const TERMINAL: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);
/** Progress is persisted at most this often; the MQTT topic gets every change. */
const SAVE_PROGRESS_EVERY_MS = 5000;

/**
 * Everything that takes time runs as a job: it gets an id at once, runs in the background with
 * progress, and ends succeeded, failed or cancelled. Jobs of one instance run one at a time
 * (upstreams are small home servers); different instances run side by side. The last `keep`
 * jobs are kept in the data file; a job that was running when the process died is marked failed
 * at the next start, never left "running".
 */
export class JobManager {
  readonly #sink: JobSink;
  readonly #log: Logger;
  readonly #keep: number;
  readonly #jobs = new Map<string, JobPayload>();
  readonly #controllers = new Map<string, AbortController>();
  /** Tail of each instance's queue. */
  readonly #lanes = new Map<string, Promise<void>>();
  #lastSave = 0;
  #stopped = false;

  constructor(sink: JobSink, log: Logger, keep = 100) {
    this.#sink = sink;
    this.#log = log;
    this.#keep = keep;
  }

  /** Loads the persisted jobs; any that were queued or running did not survive the restart. */
  restore(saved: unknown[]): number {
    let interrupted = 0;
    for (const raw of saved) {
      if (!raw || typeof raw !== 'object' || typeof (raw as JobPayload).id !== 'string') continue;
      const job = { ...(raw as JobPayload) };
      if (!TERMINAL.has(job.state)) {
        job.state = 'failed';
        job.error = { code: 'INTERRUPTED', message: 'media2mqtt stopped while this job was running; its upstream work may or may not have finished' };
        job.finished_at = new Date().toISOString();
        interrupted++;
      }
      this.#jobs.set(job.id, job);
    }
    this.#prune();
    for (const job of this.#jobs.values()) this.#sink.publishJob(job);
    this.#summary();
    if (interrupted) {
      this.#log.warn(`${interrupted} job(s) were running when media2mqtt last stopped; marked failed`);
      void this.#save(true);
    }
    return interrupted;
  }

  get(id: string): JobPayload | undefined {
    const job = this.#jobs.get(id);
    return job && { ...job };
  }

  list(): JobPayload[] {
    return [...this.#jobs.values()].map((j) => ({ ...j }));
  }

  /** Queues `run`; returns the job (state `queued`) at once. */
  start(instance: string, command: string, params: Record<string, unknown>, by: string, run: (job: JobHandle) => Promise<unknown>): JobPayload {
    if (this.#stopped) throw new CommandError('STOPPING', 'media2mqtt is stopping; try again after it restarts');
    const id = randomUUID();
    const job: JobPayload = {
      id,
      instance,
      command,
      params,
      by,
      state: 'queued',
      progress: null,
      step: null,
      created_at: new Date().toISOString(),
      started_at: null,
      finished_at: null,
      result: null,
      error: null,
    };
    this.#jobs.set(id, job);
    const controller = new AbortController();
    this.#controllers.set(id, controller);
    this.#changed(job, true);
    const lane = (this.#lanes.get(instance) ?? Promise.resolve()).then(() => this.#run(job, controller, run));
    const tail = lane.catch(() => undefined);
    this.#lanes.set(instance, tail);
    void tail.then(() => {
      if (this.#lanes.get(instance) === tail) this.#lanes.delete(instance);
    });
    return { ...job };
  }

  cancel(id: string): JobPayload {
    const job = this.#jobs.get(id);
    if (!job) throw new CommandError('UNKNOWN_JOB', `no job "${id}"`);
    if (TERMINAL.has(job.state)) throw new CommandError('JOB_FINISHED', `job ${id} already ${job.state}`);
    this.#controllers.get(id)?.abort(new CommandError('CANCELLED', 'cancelled'));
    if (job.state === 'queued') this.#finish(job, 'cancelled', null, { code: 'CANCELLED', message: 'cancelled before it started' });
    return { ...job };
  }

  /** Cancels everything still queued or running and waits (bounded) for running jobs to notice. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.#stopped = true;
    for (const job of this.#jobs.values()) if (!TERMINAL.has(job.state)) this.#controllers.get(job.id)?.abort(new CommandError('STOPPING', 'media2mqtt is stopping'));
    const lanes = [...this.#lanes.values()];
    await Promise.race([Promise.all(lanes), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    // A job that ignored its signal is still "running": it really did not finish, say so.
    for (const job of this.#jobs.values()) {
      if (!TERMINAL.has(job.state)) this.#finish(job, job.state === 'queued' ? 'cancelled' : 'failed', null, { code: 'STOPPING', message: 'media2mqtt stopped before this job finished' });
    }
    await this.#save(true);
  }

  async #run(job: JobPayload, controller: AbortController, run: (job: JobHandle) => Promise<unknown>): Promise<void> {
    if (job.state !== 'queued') return; // cancelled while it waited
    job.state = 'running';
    job.started_at = new Date().toISOString();
    this.#changed(job, true);
    const handle: JobHandle = {
      id: job.id,
      signal: controller.signal,
      progress: (percent, step) => {
        if (TERMINAL.has(job.state)) return;
        const p = percent === null || !Number.isFinite(percent) ? null : Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
        if (p === job.progress && (step === undefined || step === job.step)) return;
        job.progress = p;
        if (step !== undefined) job.step = step.slice(0, 200);
        this.#changed(job, false);
      },
    };
    try {
      const result = await run(handle);
      if (controller.signal.aborted) throw controller.signal.reason;
      this.#finish(job, 'succeeded', result ?? null, null);
    } catch (err) {
      const reason = controller.signal.aborted ? controller.signal.reason : err;
      const cancelled = controller.signal.aborted && reason instanceof CommandError && reason.code === 'CANCELLED';
      if (!(reason instanceof Media2MqttError)) this.#log.error(`job ${job.command} on ${job.instance} failed: ${errorMessage(reason)}`);
      // Internal errors are masked, like command errors: their messages may hold paths or upstream details.
      const error = reason instanceof Media2MqttError ? { code: reason.code, message: reason.message } : { code: 'INTERNAL', message: 'internal error (see the bridge log)' };
      this.#finish(job, cancelled ? 'cancelled' : 'failed', null, error);
    } finally {
      this.#controllers.delete(job.id);
    }
  }

  #finish(job: JobPayload, state: JobState, result: unknown, error: JobPayload['error']): void {
    if (TERMINAL.has(job.state)) return;
    job.state = state;
    job.finished_at = new Date().toISOString();
    job.result = result;
    job.error = error;
    if (state === 'succeeded') job.progress = 100;
    this.#changed(job, true);
  }

  #changed(job: JobPayload, persist: boolean): void {
    this.#sink.publishJob({ ...job });
    if (persist) this.#prune();
    this.#summary();
    void this.#save(persist);
  }

  #prune(): void {
    const finished = [...this.#jobs.values()].filter((j) => TERMINAL.has(j.state));
    for (const old of finished.slice(0, Math.max(0, this.#jobs.size - this.#keep))) {
      this.#jobs.delete(old.id);
      this.#sink.clearJob(old.id);
    }
  }

  #summary(): void {
    const jobs = [...this.#jobs.values()];
    const active = jobs.filter((j) => !TERMINAL.has(j.state));
    const last = jobs.filter((j) => TERMINAL.has(j.state)).sort((a, b) => (a.finished_at ?? '').localeCompare(b.finished_at ?? '')).at(-1) ?? null;
    this.#sink.publishSummary({
      active: active.length,
      running: active.filter((j) => j.state === 'running').length,
      queued: active.filter((j) => j.state === 'queued').length,
      last: last && { id: last.id, instance: last.instance, command: last.command, state: last.state, finished_at: last.finished_at, error: last.error?.message ?? null },
      jobs: active.map((j) => ({ id: j.id, instance: j.instance, command: j.command, state: j.state, progress: j.progress, step: j.step })),
    });
  }

  async #save(force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#lastSave < SAVE_PROGRESS_EVERY_MS) return;
    this.#lastSave = now;
    try {
      await this.#sink.save(this.list());
    } catch (err) {
      this.#log.warn(`cannot save jobs: ${errorMessage(err)}`);
    }
  }
}
