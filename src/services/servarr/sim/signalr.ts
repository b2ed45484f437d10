import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { SimServer } from '../../sim/server.js';
import { RECORD_SEPARATOR, splitRecords } from '../signalr.js';

/** The hub's path (NzbDrone.Host/Startup.cs: `MapHub<MessageHub>("/signalr/messages")`). */
const HUB = '/signalr/messages';

export interface SimHubOptions {
  /** The app version sent in the `version` message on connect (MessageHub.OnConnectedAsync). */
  version: () => string;
  /** Server keep-alive pings (ASP.NET Core default KeepAliveInterval: 15 s). */
  pingMs?: number;
}

const frame = (message: unknown) => JSON.stringify(message) + RECORD_SEPARATOR;

/**
 * The Sonarr/Radarr SignalR message hub, as the real apps serve it (see servarr/signalr.ts for
 * the sources): `POST /signalr/messages/negotiate` (negotiateVersion 1, WebSockets + SSE + long
 * polling offered), the WebSocket at `/signalr/messages?id=<connectionToken>` (an unknown id is a
 * 404, no id opens a new connection), the JSON handshake, pings, and `receiveMessage`
 * invocations with `{ name, body: { resource?, action } }`. Auth and fault modes are the
 * SimServer's. Tests can also send raw frames and cut every socket.
 */
export class SimSignalRHub {
  readonly #tokens = new Set<string>();
  readonly #clients = new Set<WebSocket>();
  readonly #sockets = new Set<WebSocket>();
  readonly #o: SimHubOptions;
  /** Tests: answer WebSocket upgrades with 503 (a proxy that does not pass WebSockets). */
  refuseUpgrades = false;
  /** Every message broadcast, newest last (tests look at names). */
  readonly sent: { name: string; body: Record<string, unknown> }[] = [];

  constructor(server: SimServer, options: SimHubOptions) {
    this.#o = options;
    server.route('POST', `${HUB}/negotiate`, () => {
      const connectionToken = randomUUID();
      this.#tokens.add(connectionToken);
      return {
        json: {
          negotiateVersion: 1,
          connectionId: randomUUID(),
          connectionToken,
          availableTransports: [
            { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
            { transport: 'ServerSentEvents', transferFormats: ['Text'] },
            { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
          ],
        },
      };
    });
    server.onUpgrade(HUB, (req) => {
      if (this.refuseUpgrades) return { status: 503, text: 'Service Unavailable' };
      const id = req.query.get('id');
      // TransportProtocols.md: an id with no such connection is a 404; each token is used once.
      if (id !== null && !this.#tokens.delete(id)) return { status: 404, text: 'No Connection with that ID' };
      return (ws) => this.#accept(ws);
    });
  }

  /** Sockets that completed the handshake. */
  get clients(): number {
    return this.#clients.size;
  }

  /** `receiveMessage` to every connected client (what SignalRMessageBroadcaster.BroadcastMessage does). */
  broadcast(name: string, body: Record<string, unknown>): void {
    this.sent.push({ name, body });
    if (this.sent.length > 200) this.sent.shift();
    const text = frame({ type: 1, target: 'receiveMessage', arguments: [{ name, body }] });
    for (const ws of this.#clients) ws.send(text);
  }

  /** Sends a frame as is to every connected client (garbage, for the tests). */
  sendRaw(data: string | Buffer, binary = false): void {
    for (const ws of this.#clients) ws.send(data, { binary });
  }

  /** Cuts every socket without a close frame (a crashed app, a dropped network). */
  drop(): void {
    for (const ws of this.#sockets) ws.terminate();
  }

  close(): void {
    this.drop();
    this.#tokens.clear();
  }

  #accept(ws: WebSocket): void {
    this.#sockets.add(ws);
    let buffered = '';
    let ready = false;
    const ping = setInterval(() => {
      if (ready) ws.send(frame({ type: 6 }));
    }, this.#o.pingMs ?? 15_000);
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearInterval(ping);
      this.#clients.delete(ws);
      this.#sockets.delete(ws);
    });
    ws.on('message', (data) => {
      buffered += data.toString();
      const { records, rest } = splitRecords(buffered);
      buffered = rest;
      for (const record of records) {
        if (ready) continue; // pings and close messages from the client need no answer
        const hello = parseHello(record);
        if (hello?.protocol !== 'json' || hello.version !== 1) {
          ws.send(frame({ error: `Requested protocol '${String(hello?.protocol)}' is not available.` }));
          ws.close(1000);
          return;
        }
        ready = true;
        this.#clients.add(ws);
        ws.send(frame({}));
        ws.send(frame({ type: 1, target: 'receiveMessage', arguments: [{ name: 'version', body: { version: this.#o.version() } }] }));
      }
    });
  }
}

function parseHello(record: string): { protocol?: unknown; version?: unknown } | null {
  try {
    const v = JSON.parse(record) as unknown;
    return v && typeof v === 'object' ? (v as { protocol?: unknown; version?: unknown }) : null;
  } catch {
    return null;
  }
}
