import { describe, expect, it } from 'vitest';
import { liveRefresh } from '../../src/services/servarr/live-map.js';
import { LiveRefresher } from '../../src/services/servarr/live-refresh.js';
import {
  HANDSHAKE_REQUEST,
  PING_MESSAGE,
  parseHandshakeResponse,
  parseHubMessage,
  parseServarrMessage,
  splitRecords,
  webSocketConnection,
  type ServarrMessage,
} from '../../src/services/servarr/signalr.js';
import type { Resource } from '../../src/services/servarr/webhook.js';

const RS = '\x1e';
const receive = (arg: unknown) => parseServarrMessage(parseHubMessage(JSON.stringify({ type: 1, target: 'receiveMessage', arguments: [arg] })));

describe('SignalR JSON hub protocol framing', () => {
  it('client messages end with the record separator', () => {
    expect(HANDSHAKE_REQUEST).toBe('{"protocol":"json","version":1}\x1e');
    expect(PING_MESSAGE).toBe('{"type":6}\x1e');
  });

  it('splits records and keeps an unterminated rest for the next frame', () => {
    expect(splitRecords(`{}${RS}{"type":6}${RS}`)).toEqual({ records: ['{}', '{"type":6}'], rest: '' });
    expect(splitRecords(`{"type":6}${RS}{"type":1,"tar`)).toEqual({ records: ['{"type":6}'], rest: '{"type":1,"tar' });
    expect(splitRecords('')).toEqual({ records: [], rest: '' });
    expect(splitRecords(`${RS}${RS}  ${RS}`).records).toEqual([]);
  });

  it('reads the handshake answer', () => {
    expect(parseHandshakeResponse('{}')).toEqual({ ok: true });
    expect(parseHandshakeResponse('{"error":"Requested protocol \'json\' is not available."}')).toMatchObject({ ok: false, reason: expect.stringContaining('not available') });
    expect(parseHandshakeResponse('<html>')).toMatchObject({ ok: false });
    expect(parseHandshakeResponse('[1]')).toMatchObject({ ok: false });
  });

  it('parses each message kind and never throws on garbage', () => {
    expect(parseHubMessage('{"type":1,"target":"receiveMessage","arguments":[{"name":"queue"}]}')).toEqual({ kind: 'invocation', target: 'receiveMessage', arguments: [{ name: 'queue' }] });
    expect(parseHubMessage('{"type":6}')).toEqual({ kind: 'ping' });
    expect(parseHubMessage('{"type":7,"error":"Server is shutting down","allowReconnect":true}')).toEqual({ kind: 'close', error: 'Server is shutting down', allowReconnect: true });
    expect(parseHubMessage('{"type":7}')).toEqual({ kind: 'close', error: null, allowReconnect: false });
    expect(parseHubMessage('{"type":3,"invocationId":"1"}')).toEqual({ kind: 'other', type: 3 });
    // Headers are allowed on every message and ignored.
    expect(parseHubMessage('{"type":6,"headers":{"a":"b"}}')).toEqual({ kind: 'ping' });
    for (const bad of ['not json', '[]', 'null', '42', '{"type":"1"}', '{}', '{"type":1,"target":"x"}', '{"type":1,"arguments":[]}', '{"type":-1}', '\u0000\uffff']) {
      expect(parseHubMessage(bad).kind, bad).toBe('invalid');
    }
  });

  it('reads the apps\' SignalRMessage { name, body: { resource, action } }', () => {
    expect(receive({ name: 'queue', body: { action: 'sync' } })).toEqual({ name: 'queue', action: 'sync', version: null });
    expect(receive({ name: 'episodefile', body: { resource: { id: 3 }, action: 'updated' } })).toEqual({ name: 'episodefile', action: 'updated', version: null });
    // MessageHub.OnConnectedAsync: camelCase in v4 (STJson), PascalCase in older builds.
    expect(receive({ name: 'version', body: { version: '4.0.14.2939' } })).toMatchObject({ name: 'version', version: '4.0.14.2939' });
    expect(receive({ name: 'version', body: { Version: '3.0.10.1567' } })).toMatchObject({ version: '3.0.10.1567' });
    expect(receive({ name: 'health' })).toEqual({ name: 'health', action: null, version: null });
    expect(receive({ body: { action: 'sync' } })).toEqual({ invalid: expect.any(String) });
    expect(receive('queue')).toEqual({ invalid: expect.any(String) });
    expect(parseServarrMessage(parseHubMessage('{"type":1,"target":"somethingElse","arguments":[]}'))).toBeNull();
    expect(parseServarrMessage({ kind: 'ping' })).toBeNull();
  });

  it('picks the WebSocket connection out of the negotiate answer', () => {
    const transports = [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }, { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] }];
    expect(webSocketConnection({ negotiateVersion: 1, connectionId: 'c', connectionToken: 't', availableTransports: transports })).toEqual({ id: 't' });
    expect(webSocketConnection({ negotiateVersion: 0, connectionId: 'c', availableTransports: transports })).toEqual({ id: 'c' });
    expect(webSocketConnection({ error: 'This connection is not allowed.' })).toEqual({ refused: expect.stringContaining('not allowed') });
    expect(webSocketConnection({ url: 'https://elsewhere/hub', accessToken: 'x' } as never)).toEqual({ refused: expect.stringContaining('redirect') });
    expect(webSocketConnection({ connectionToken: 't', availableTransports: [{ transport: 'LongPolling', transferFormats: ['Text'] }] })).toEqual({ refused: expect.stringContaining('no WebSocket') });
  });
});

describe('live message → targeted refresh', () => {
  const m = (name: string, action: string | null = 'updated'): ServarrMessage => ({ name, action, version: null });

  it('maps the resources the apps broadcast to what the bridge re-reads', () => {
    expect(liveRefresh(m('queue', 'sync'))).toEqual(['queue']);
    expect(liveRefresh(m('queue/status'))).toEqual(['queue']);
    expect(liveRefresh(m('health', 'sync'))).toEqual(['health']);
    expect(liveRefresh(m('episodefile'))).toEqual(['library', 'wanted', 'disk']);
    expect(liveRefresh(m('moviefile', 'deleted'))).toEqual(['library', 'wanted', 'disk']);
    expect(liveRefresh(m('series'))).toEqual(['library', 'wanted', 'calendar']);
    expect(liveRefresh(m('movie'))).toEqual(['library', 'wanted', 'calendar']);
    expect(liveRefresh(m('episode'))).toEqual(['wanted', 'calendar']);
    expect(liveRefresh(m('wanted/missing'))).toEqual(['wanted']);
    expect(liveRefresh(m('rootfolder', 'sync'))).toEqual(['rootfolders', 'disk']);
    for (const name of ['command', 'version', 'tag', 'system/task', 'indexer']) expect(liveRefresh(m(name))).toEqual([]);
  });

  it('coalesces a burst into one refresh and spaces out the dear reads', async () => {
    const runs: Resource[][] = [];
    let wake: () => void = () => undefined;
    const refresher = new LiveRefresher(
      async (rs) => {
        runs.push([...rs].sort());
        wake();
      },
      { coalesceMs: 20, minGapMs: 300, queueGapMs: 0 },
    );
    const until = (n: number) => new Promise<void>((resolve) => {
      wake = () => runs.length >= n && resolve();
      wake();
    });
    try {
      // A burst: one run with everything.
      refresher.push(['queue']);
      refresher.push(['library', 'wanted']);
      refresher.push(['queue']);
      await until(1);
      expect(runs[0]).toEqual(['library', 'queue', 'wanted']);
      // Right after: the queue again at once, the library not before the gap is over.
      refresher.push(['library', 'queue']);
      refresher.push(['library']);
      await until(2);
      expect(runs[1]).toEqual(['queue']);
      await until(3);
      expect(runs[2]).toEqual(['library']);
      expect(runs).toHaveLength(3);
    } finally {
      refresher.stop();
    }
  });
});
