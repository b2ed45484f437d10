import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { SiAnswer, SiJob, SiRequest } from './si-protocol.js';

const ANSWER_TIMEOUT_MS = 30_000;

interface WorkerSpec {
  url: URL;
}

/**
 * Asks systeminformation for what /proc and /sys cannot give cheaply (GPU, OS and model names),
 * in a worker thread that lives for one request: started, answers, terminated. An idle worker
 * would keep a second V8 heap (tens of MB) for a call made once a minute at most.
 * Requests are serialised, so at most one worker exists at a time.
 */
export class SiClient {
  #log: Logger;
  #moduleUrl: string;
  #spec?: Promise<WorkerSpec | null>;
  #chain: Promise<unknown> = Promise.resolve();
  #active = new Set<Worker>();
  #stopped = false;

  /** `moduleUrl`: where to look for `si-worker.js` (tests point it elsewhere). */
  constructor(log: Logger, moduleUrl: string = import.meta.url) {
    this.#log = log;
    this.#moduleUrl = moduleUrl;
  }

  /** The answer, or null when no worker can run (sources without tsx, stopped, crashed, timed out). */
  query(jobs: SiJob[], signal?: AbortSignal): Promise<SiAnswer | null> {
    const run = this.#chain.then(() => this.#run({ jobs }, signal));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** Terminates a running worker; later queries answer null. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#active].map((w) => w.terminate().catch(() => undefined)));
  }

  async #run(request: SiRequest, signal?: AbortSignal): Promise<SiAnswer | null> {
    if (this.#stopped || signal?.aborted) return null;
    this.#spec ??= this.#resolve();
    const spec = await this.#spec;
    if (!spec || this.#stopped) return null;
    const worker = new Worker(spec.url, { workerData: request, stdout: true, stderr: true });
    // Never let a slow lspci/nvidia-smi keep the process alive at shutdown.
    worker.unref();
    // si may print warnings; they must not end up in the bridge's own output.
    worker.stdout.resume();
    worker.stderr.resume();
    this.#active.add(worker);
    return new Promise<SiAnswer | null>((resolve) => {
      const timeout = AbortSignal.timeout(ANSWER_TIMEOUT_MS);
      let settled = false;
      const done = (answer: SiAnswer | null, why?: string) => {
        if (settled) return;
        settled = true;
        timeout.removeEventListener('abort', onAbort);
        signal?.removeEventListener('abort', onAbort);
        this.#active.delete(worker);
        void worker.terminate().catch(() => undefined);
        if (why) this.#log.debug(`systeminformation worker: ${why}`);
        resolve(answer);
      };
      const onAbort = () => done(null, 'aborted');
      timeout.addEventListener('abort', onAbort, { once: true });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (answer: SiAnswer) => done(answer));
      worker.once('error', (err) => done(null, `failed: ${err.message}`));
      worker.once('exit', (code) => done(null, `exited with code ${code} before answering`));
    });
  }

  /**
   * The compiled `si-worker.js` next to this module. Running from TypeScript sources (vitest, tsx)
   * there is only `si-worker.ts`: it is loaded through tsx's API when tsx is installed (a dev
   * dependency), since `--import tsx` in a worker's execArgv is not applied on Node 20.
   */
  async #resolve(): Promise<WorkerSpec | null> {
    const js = new URL('./si-worker.js', this.#moduleUrl);
    if (await exists(js)) return { url: js };
    const ts = new URL('./si-worker.ts', this.#moduleUrl);
    if (await exists(ts)) {
      try {
        const api = import.meta.resolve('tsx/esm/api');
        const code = `const { tsImport } = await import(${JSON.stringify(api)});\nawait tsImport(${JSON.stringify(ts.href)}, ${JSON.stringify(this.#moduleUrl)});`;
        return { url: new URL(`data:text/javascript,${encodeURIComponent(code)}`) };
      } catch {
        // tsx is not installed: fall through.
      }
    }
    this.#log.debug('no systeminformation worker next to the host module: GPU and static system info are skipped');
    return null;
  }
}

async function exists(url: URL): Promise<boolean> {
  try {
    await access(fileURLToPath(url));
    return true;
  } catch {
    return false;
  }
}
