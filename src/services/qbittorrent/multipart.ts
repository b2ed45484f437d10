import { randomBytes } from 'node:crypto';

export interface FormFile {
  name: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/**
 * A multipart/form-data body (RFC 7578), as the WebUI API's `torrents/add` example sends files:
 * one part per field, `torrents` parts carrying the raw .torrent bytes with a filename.
 */
export function buildMultipart(fields: Record<string, string>, files: readonly FormFile[]): { data: Buffer; contentType: string } {
  const boundary = `----media2mqtt${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  const safe = (s: string) => s.replace(/["\r\n]/g, '_');
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${safe(name)}"\r\n\r\n${value}\r\n`));
  }
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${safe(f.name)}"; filename="${safe(f.filename)}"\r\nContent-Type: ${f.contentType}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { data: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
