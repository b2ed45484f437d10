import { z } from 'zod';

/**
 * The SignalR JSON hub protocol as Sonarr v4 and Radarr v3+ speak it on `/signalr/messages`, pure
 * (no I/O): framing, the handshake, the message kinds a client receives, and the app's own
 * `receiveMessage` payload. Sources:
 * - dotnet/aspnetcore src/SignalR/docs/specs/HubProtocol.md ("JSON Encoding"): every message is
 *   one JSON object terminated by the record separator 0x1E; the handshake request
 *   `{"protocol":"json","version":1}` is answered by `{}` or `{"error":…}`; message types
 *   1 Invocation, 6 Ping, 7 Close (`error`, `allowReconnect`); headers and unknown types are ignored.
 * - .../TransportProtocols.md: `POST [endpoint]/negotiate?negotiateVersion=1` answers
 *   `connectionToken`, `connectionId`, `availableTransports`; the WebSocket goes to
 *   `[endpoint]?id=<connectionToken>`; the token "should be kept secret".
 * - Sonarr/Sonarr src/NzbDrone.SignalR/MessageHub.cs: the server calls `receiveMessage` with a
 *   SignalRMessage `{ name, body }` (SignalRMessage.cs; `Action` is [JsonIgnore]d), and sends
 *   `{ name: "version", body: { version } }` to every client on connect.
 * - Sonarr.Http/REST/RestControllerWithSignalR.cs + ResourceChangeMessage.cs: resource messages
 *   are named after the API resource (`queue`, `queue/status`, `series`, `episodefile`, …) with
 *   body `{ resource?, action }`, action `created|updated|deleted|sync` (the frontend's
 *   SignalRListener.tsx compares against those lower-case strings).
 */

/** ASCII record separator: ends every JSON hub message (HubProtocol.md, "JSON Encoding"). */
export const RECORD_SEPARATOR = '\x1e';

/** The first message a client sends on the socket. */
export const HANDSHAKE_REQUEST = `${JSON.stringify({ protocol: 'json', version: 1 })}${RECORD_SEPARATOR}`;

/** A keep-alive; either side may send one at any time and the other ignores it. */
export const PING_MESSAGE = `${JSON.stringify({ type: 6 })}${RECORD_SEPARATOR}`;

/** Hub message types of the JSON encoding. */
export const HubMessageType = { invocation: 1, streamItem: 2, completion: 3, streamInvocation: 4, cancelInvocation: 5, ping: 6, close: 7, ack: 8, sequence: 9 } as const;

/** What one record of the hub protocol is, once parsed. */
export type HubMessage =
  | { kind: 'invocation'; target: string; arguments: unknown[] }
  | { kind: 'ping' }
  | { kind: 'close'; error: string | null; allowReconnect: boolean }
  /** A valid message of a type a receive-only client has no use for (completion, ack…). */
  | { kind: 'other'; type: number }
  | { kind: 'invalid'; reason: string };

/**
 * Splits received text into complete records and the unterminated rest. ASP.NET sends whole
 * messages per WebSocket frame, but several may share one frame; a trailing partial record is
 * kept for the next frame (the caller bounds its size).
 */
export function splitRecords(buffered: string): { records: string[]; rest: string } {
  const parts = buffered.split(RECORD_SEPARATOR);
  const rest = parts.pop() ?? '';
  return { records: parts.filter((p) => p.trim().length > 0), rest };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const snippet = (text: string) => {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 60 ? `${t.slice(0, 60)}…` : t;
};

/** The handshake answer: `{}` (accepted) or `{"error": "..."}`. */
export function parseHandshakeResponse(record: string): { ok: true } | { ok: false; reason: string } {
  const v = parseJson(record);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, reason: `the handshake answer is not a JSON object (${snippet(record)})` };
  const error = (v as { error?: unknown }).error;
  if (typeof error === 'string' && error) return { ok: false, reason: `the server refused the handshake: ${snippet(error)}` };
  return { ok: true };
}

/** One record (without its separator) as a hub message; never throws. */
export function parseHubMessage(record: string): HubMessage {
  const v = parseJson(record);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { kind: 'invalid', reason: `not a JSON object (${snippet(record)})` };
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case HubMessageType.invocation:
      if (typeof m.target !== 'string' || !Array.isArray(m.arguments)) return { kind: 'invalid', reason: 'an invocation without target or arguments' };
      return { kind: 'invocation', target: m.target, arguments: m.arguments };
    case HubMessageType.ping:
      return { kind: 'ping' };
    case HubMessageType.close:
      return { kind: 'close', error: typeof m.error === 'string' ? m.error : null, allowReconnect: m.allowReconnect === true };
    default:
      if (typeof m.type === 'number' && Number.isInteger(m.type) && m.type > 0) return { kind: 'other', type: m.type };
      return { kind: 'invalid', reason: `no message type (${snippet(record)})` };
  }
}

/** SignalRMessage as serialized by Sonarr/Radarr (camelCase): `{ name, body: { action?, resource? } }`. */
const signalRMessageSchema = z.looseObject({
  name: z.string().min(1),
  body: z
    .looseObject({
      action: z.string().nullish(),
      // Sonarr v4 serializes `version` (STJson camelCase); older builds sent `Version`.
      version: z.string().nullish(),
      Version: z.string().nullish(),
    })
    .nullish(),
});

export interface ServarrMessage {
  /** Resource name: `queue`, `queue/status`, `series`, `movie`, `episodefile`, `health`, `version`, … */
  name: string;
  /** `created`, `updated`, `deleted`, `sync`, or null when the message has none. */
  action: string | null;
  /** The app version (`version` messages only). */
  version: string | null;
}

/** The `receiveMessage` invocation's argument as a Servarr message, or why it is not one. */
export function parseServarrMessage(message: HubMessage): ServarrMessage | { invalid: string } | null {
  if (message.kind !== 'invocation') return null;
  // The hub only ever calls receiveMessage (MessageHub.cs); other targets are not ours to handle.
  if (message.target !== 'receiveMessage') return null;
  const r = signalRMessageSchema.safeParse(message.arguments[0]);
  if (!r.success) return { invalid: 'a receiveMessage without a name' };
  const body = r.data.body ?? {};
  return { name: r.data.name.toLowerCase(), action: body.action ? body.action.toLowerCase() : null, version: body.version ?? body.Version ?? null };
}

/** Negotiate answer, version 1 (TransportProtocols.md, "POST [endpoint-base]/negotiate"). */
export const negotiateSchema = z.looseObject({
  connectionId: z.string().nullish(),
  connectionToken: z.string().nullish(),
  negotiateVersion: z.number().nullish(),
  availableTransports: z.array(z.looseObject({ transport: z.string(), transferFormats: z.array(z.string()).nullish() })).nullish(),
  /** A redirect (Azure SignalR Service); the *arr apps never send one. */
  url: z.string().nullish(),
  error: z.string().nullish(),
});
export type NegotiateAnswer = z.output<typeof negotiateSchema>;

/** The `id` for the WebSocket URL, or why this answer does not allow a WebSocket connection. */
export function webSocketConnection(answer: NegotiateAnswer): { id: string | null } | { refused: string } {
  if (answer.error) return { refused: `negotiate refused: ${snippet(answer.error)}` };
  if (answer.url) return { refused: 'negotiate redirects to another server, which is not supported' };
  const ws = answer.availableTransports?.find((t) => t.transport === 'WebSockets');
  if (answer.availableTransports && (!ws || (ws.transferFormats && !ws.transferFormats.includes('Text')))) return { refused: 'the server offers no WebSocket transport' };
  // Version 1 answers carry a connectionToken for `id`; version 0 used the connectionId.
  return { id: answer.connectionToken ?? answer.connectionId ?? null };
}
