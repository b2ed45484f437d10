import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCert {
  dir: string;
  cert: string;
  key: string;
  /** Removes the temp dir. */
  cleanup(): Promise<void>;
}

/** A throw-away self-signed certificate for localhost / 127.0.0.1, made with the system's openssl. */
export async function makeSelfSignedCert(): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'media2mqtt-certs-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  // EC keys are generated in milliseconds, unlike RSA.
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return { dir, cert, key, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
