import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.js';
import { Collector, request } from '../helpers/mqtt.js';
import { FAKE_SERVICE, fakeModule, type FakeService } from './fake-module.js';

const BASE = 'media2mqtt';
const TOKEN = 'fuzz-token-0123456789abcdef';
const N = 2000;

/** Deterministic, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const junkValues: unknown[] = ['yes', '1', 0, -1, 1.5, null, [], {}, [true], 'true ', '', 11, 1e308, '🦄', { x: 1 }];

/** One payload that no command may accept: every branch is invalid by construction. */
function malformed(rand: () => number): { topic: string; payload: string | Buffer } {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const cmd = pick(['wipe', 'slow']);
  const topic = `${BASE}/fake/set/${cmd}`;
  const kind = Math.floor(rand() * 12);
  switch (kind) {
    case 0: // random bytes, often invalid UTF-8 (BEL first: all-whitespace would be an empty payload, valid for `slow`)
      return { topic, payload: Buffer.from([7, ...Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))]) };
    case 1: // truncated JSON
      return { topic, payload: JSON.stringify({ files: true, steps: 2, pad: 'x'.repeat(Math.floor(rand() * 40)) }).slice(0, 1 + Math.floor(rand() * 20)) };
    case 2: // wrong types
      return { topic, payload: JSON.stringify(cmd === 'wipe' ? { files: pick(junkValues) } : { steps: pick(junkValues) }) };
    case 3: // unknown fields next to valid ones
      return { topic, payload: JSON.stringify(cmd === 'wipe' ? { files: false, [`k${Math.floor(rand() * 1e6)}`]: 1 } : { steps: 2, extra: pick(junkValues) }) };
    case 4: { // deep nesting
      let v: unknown = 1;
      for (let i = 0; i < 17 + Math.floor(rand() * 40); i++) v = rand() < 0.5 ? [v] : { a: v };
      return { topic, payload: JSON.stringify({ files: false, steps: 2, nest: v }) };
    }
    case 5: // prototype pollution
      return { topic, payload: pick(['{"__proto__":{"polluted":1}}', '{"files":false,"a":{"constructor":{"prototype":1}}}', '{"steps":2,"prototype":1}', '[{"__proto__":1}]']) };
    case 6: // arrays and scalars where an object is needed
      return { topic, payload: pick(['[1,2]', '"str"', '42', 'null', 'false', '[]']) };
    case 7: // oversized
      return { topic, payload: `{"files":false,"pad":"${'x'.repeat(300 * 1024)}"}` };
    case 8: // unknown command
      return { topic: `${BASE}/fake/set/${pick(['drop_all', 'constructor', '__proto__', 'toString', 'x'.repeat(200)])}`, payload: '{}' };
    case 9: // unknown instance
      return { topic: `${BASE}/${pick(['ghost', 'constructor', '__proto__', 'fake2'])}/set/${cmd}`, payload: '{}' };
    case 10: // bad dry_run / transaction does not make it valid
      return { topic, payload: JSON.stringify({ dry_run: pick(['yes', 1, null, {}]), transaction: { nested: true }, files: false, steps: 2 }) };
    default: // destructive without permission (wipe) or out of range (slow)
      return { topic, payload: cmd === 'wipe' ? '{"files":true}' : JSON.stringify({ steps: 11 + Math.floor(rand() * 100) }) };
  }
}

describe('fuzz: thousands of malformed commands', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ system: { enabled: false }, services: FAKE_SERVICE, http: { token: TOKEN }, commands: { rate_limit: 0, audit_kept: 100 }, log: { level: 'warn' } } as never, [], { sabnzbd: fakeModule });
  });
  afterAll(() => t.stop());

  it(`answers each of ${N} malformed MQTT payloads with an error, calls no handler (so no upstream), and stays up`, async () => {
    const rand = prng(20261120);
    const c = await Collector.connect(t.url, [`${BASE}/+/response/#`]);
    try {
      for (let i = 0; i < N; i++) {
        const { topic, payload } = malformed(rand);
        await c.client.publishAsync(topic, payload, { qos: 1 });
      }
      await c.waitFor(() => c.messages.length >= N, `${N} answers`, 60_000);
      const answers = c.messages.map((m) => JSON.parse(m.payload) as { status: string; error: { code: string } | null });
      expect(answers).toHaveLength(N);
      expect(answers.filter((a) => a.status !== 'error')).toEqual([]);
      const codes = new Set(answers.map((a) => a.error!.code));
      expect([...codes].sort()).toEqual(expect.arrayContaining(['DESTRUCTIVE_DISABLED', 'INVALID_JSON', 'INVALID_PARAMS', 'INVALID_PAYLOAD', 'PAYLOAD_TOO_LARGE', 'UNKNOWN_COMMAND', 'UNKNOWN_INSTANCE']));
      expect(codes.has('INTERNAL')).toBe(false);
    } finally {
      await c.close();
    }
    const service = t.app.instance('fake') as FakeService;
    expect(service.calls).toEqual([]);
    expect(t.app.jobs.list()).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still up and still serving valid commands.
    expect(await request(t.url, BASE, 'bridge', 'health_check', '')).toMatchObject({ status: 'ok', data: { status: 'ok' } });
    expect(await request(t.url, BASE, 'fake', 'ping', '')).toMatchObject({ status: 'ok' });
  }, 120_000);

  it('answers 500 malformed JSON-RPC requests over HTTP with JSON-RPC errors and calls no handler', async () => {
    const rand = prng(42);
    const bodies = (): string => {
      const m = malformed(rand);
      const kind = Math.floor(rand() * 5);
      if (kind === 0) return typeof m.payload === 'string' ? m.payload : m.payload.toString('latin1');
      if (kind === 1) return JSON.stringify({ jsonrpc: '2.0', id: 1, method: ['constructor', 'toString', '__proto__', 'call ', 'valueOf'][Math.floor(rand() * 5)], params: [] });
      if (kind === 2) return JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'call', params: [{}] });
      if (kind === 3) return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call', params: { instance: 'fake' } });
      let params: unknown = {};
      try {
        params = typeof m.payload === 'string' ? JSON.parse(m.payload) : m.payload.toString('latin1');
      } catch {
        params = 'garbage';
      }
      // `params: null` means "no parameters" over RPC, which is valid for `slow`.
      if (params === null) params = 'null';
      return JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'call', params: [{ instance: m.topic.split('/')[1], command: m.topic.split('/')[3], params }] });
    };
    for (let i = 0; i < 500; i++) {
      const body = bodies();
      const res = await fetch(`http://127.0.0.1:${t.app.httpPort}/api/rpc`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body });
      expect([200, 413]).toContain(res.status);
      if (res.status === 200) expect((await res.json()) as { error?: unknown }, body.slice(0, 300)).toHaveProperty('error');
      else await res.arrayBuffer();
    }
    expect((t.app.instance('fake') as FakeService).calls.filter((c) => c.command !== 'ping')).toEqual([]);
    expect(await request(t.url, BASE, 'bridge', 'health_check', '')).toMatchObject({ status: 'ok' });
  }, 120_000);
});
