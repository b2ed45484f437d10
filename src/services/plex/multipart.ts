/**
 * A small multipart/form-data reader (RFC 7578 on RFC 2046 §5.1), enough for Plex webhooks: PMS
 * posts a `payload` field holding the event as JSON and, for some events, a `thumb` JPEG. The
 * body is searched as bytes, so a binary part never passes through a text decoder.
 */

export interface MultipartPart {
  /** `name` of the Content-Disposition header (the form field), or null. */
  name: string | null;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

/** The boundary parameter of a multipart content type (quoted or not), or null. */
export function multipartBoundary(contentType: string): string | null {
  if (!/^\s*multipart\//i.test(contentType)) return null;
  // RFC 2046 §5.1.1: 1 to 70 characters; quoted when it holds characters a token may not.
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^;\s"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

function headerParam(value: string, param: string): string | null {
  const m = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? null);
}

function parsePart(raw: Buffer): MultipartPart {
  // Headers end at the first empty line; a part may have no headers at all.
  let headerText = '';
  let data: Buffer;
  if (raw[0] === 0x0d && raw[1] === 0x0a) {
    data = raw.subarray(2);
  } else {
    const end = raw.indexOf('\r\n\r\n');
    headerText = (end < 0 ? raw : raw.subarray(0, end)).toString('utf8');
    data = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  }
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  return {
    name: headerParam(disposition, 'name'),
    filename: headerParam(disposition, 'filename'),
    contentType: headers.get('content-type') ?? null,
    data,
  };
}

/**
 * The parts of a multipart body. The preamble before the first delimiter and the epilogue
 * after the closing one are ignored; an unterminated last part is dropped.
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  const parts: MultipartPart[] = [];
  // The first delimiter may open the body or follow a preamble line.
  let pos = 0;
  if (!body.subarray(0, delimiter.length).equals(delimiter)) {
    const first = body.indexOf(next);
    if (first < 0) return parts;
    pos = first + 2;
  }
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the closing delimiter
    const lineEnd = body.indexOf('\r\n', pos); // transport padding may follow a delimiter
    if (lineEnd < 0) break;
    const start = lineEnd + 2;
    const end = body.indexOf(next, start);
    if (end < 0) break;
    parts.push(parsePart(body.subarray(start, end)));
    pos = end + 2;
  }
  return parts;
}

/** The named field of a multipart body as UTF-8 text, or null when absent or not multipart. */
export function multipartField(body: Buffer, contentType: string, name: string): string | null {
  const boundary = multipartBoundary(contentType);
  if (!boundary) return null;
  const part = parseMultipart(body, boundary).find((p) => p.name === name);
  return part ? part.data.toString('utf8') : null;
}
