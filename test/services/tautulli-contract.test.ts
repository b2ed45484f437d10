import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tautulliModule } from '../../src/services/tautulli/index.js';
import { TautulliSim } from '../../src/services/tautulli/sim.js';
import type { ServiceInstance } from '../../src/services/service.js';
import { Collector } from '../helpers/mqtt.js';
import { SPECS_DIR } from '../helpers/openapi.js';
import { startWithServices } from '../helpers/services.js';
import type { TestApp } from '../helpers/app.js';

/**
 * specs/tautulli/api-reference.md is Markdown (Tautulli's `docs_md` layout): one `### <command>`
 * section per command with its parameters and a JSON example of what it returns. The contract:
 * every command the client sends is documented, with documented parameters, and every field the
 * simulator answers with appears in that command's example with the same JSON type.
 */
const DOC = readFileSync(new URL('tautulli/api-reference.md', SPECS_DIR), 'utf8');

function sections(): Map<string, string> {
  const out = new Map<string, string>();
  const parts = DOC.split(/^### /m).slice(1);
  for (const p of parts) out.set(p.slice(0, p.indexOf('\n')).trim(), p);
  return out;
}

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';

/** `"key": value` pairs of a section's example → the JSON type of each key's example value. */
function documentedFields(section: string): Map<string, JsonType> {
  const out = new Map<string, JsonType>();
  for (const m of section.matchAll(/"([A-Za-z0-9_]+)":\s*(".*?"|-?\d+(?:\.\d+)?|true|false|null|\[|\{)/g)) {
    const v = m[2]!;
    const t: JsonType = v.startsWith('"') ? 'string' : v === '[' ? 'array' : v === '{' ? 'object' : v === 'true' || v === 'false' ? 'boolean' : v === 'null' ? 'null' : 'number';
    if (!out.has(m[1]!)) out.set(m[1]!, t);
  }
  return out;
}

function documentedParams(section: string): Set<string> {
  return new Set([...section.matchAll(/^\s+([a-z_]+) \((?:int|str|bool)\):/gm)].map((m) => m[1]!));
}

const typeOf = (v: unknown): JsonType => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonType));

describe('tautulli: contract with the API reference', () => {
  const docs = sections();
  let sim: TautulliSim;
  let t: TestApp & { secrets: string[] };
  let sub: Collector;

  beforeAll(async () => {
    sim = await TautulliSim.start();
    t = await startWithServices([{ id: 'tautulli', module: tautulliModule, sim, extra: { interval: 3600, idle_interval: 3600 } }]);
    sub = await Collector.connect(t.url, ['media2mqtt/#']);
    await sub.waitForTopic('media2mqtt/tautulli/server');
    await (t.app.instance('tautulli') as ServiceInstance).refresh();
  });
  afterAll(async () => {
    await sub?.close();
    await t?.stop();
    await sim?.stop();
  });

  it('the reference parses into the documented commands', () => {
    expect(docs.size).toBeGreaterThan(100);
    for (const c of ['get_activity', 'get_server_info', 'get_tautulli_info', 'server_status', 'status', 'terminate_session']) expect(docs.has(c), c).toBe(true);
  });

  it('every request the client made is a documented command, GET /api/v2, with documented parameters', () => {
    expect(sim.server.requests.length).toBeGreaterThan(0);
    for (const r of sim.server.requests) {
      expect(`${r.method} ${r.path}`).toBe('GET /api/v2');
      const cmd = r.query.cmd ?? '';
      expect(docs.has(cmd), `undocumented command ${cmd}`).toBe(true);
      const allowed = new Set(['apikey', 'cmd', 'out_type', 'callback', 'debug', ...documentedParams(docs.get(cmd)!)]);
      for (const k of Object.keys(r.query)) expect(allowed.has(k), `${cmd}: parameter ${k}`).toBe(true);
    }
  });

  it('the simulator answers every command the client uses with the envelope and documented fields of documented types', async () => {
    const used = new Set(sim.server.requests.map((r) => r.query.cmd!));
    for (const cmd of used) {
      const res = await fetch(`${sim.server.url}/api/v2?apikey=${sim.apiKey}&cmd=${cmd}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { response: Record<string, unknown> };
      expect(Object.keys(body.response).sort()).toEqual(['data', 'message', 'result']);
      expect(body.response.result).toBe('success');
      const fields = documentedFields(docs.get(cmd)!);
      const check = (obj: Record<string, unknown>, where: string) => {
        for (const [k, v] of Object.entries(obj)) {
          expect(fields.has(k), `${where}.${k} is not in the ${cmd} example`).toBe(true);
          expect(typeOf(v), `${where}.${k}`).toBe(fields.get(k));
        }
      };
      const data = body.response.data as Record<string, unknown>;
      check(data, cmd);
      if (cmd === 'get_activity') for (const s of data.sessions as Record<string, unknown>[]) check(s, `${cmd}.sessions[]`);
    }
  });

  it('errors have Tautulli\'s shape: wrong key 401 "Invalid apikey", unknown command 400, missing key 401', async () => {
    const get = async (q: string) => {
      const res = await fetch(`${sim.server.url}/api/v2?${q}`);
      return { status: res.status, body: (await res.json()) as { response: { result: string; message: string; data: unknown } } };
    };
    expect(await get('apikey=ffffffffffffffffffffffffffffffff&cmd=get_activity')).toEqual({ status: 401, body: { response: { result: 'error', message: 'Invalid apikey', data: {} } } });
    const unknown = await get(`apikey=${sim.apiKey}&cmd=get_everything`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.response).toMatchObject({ result: 'error', data: {} });
    expect(unknown.body.response.message).toMatch(/^Unknown command: get_everything\. Possible commands are: /);
    expect(await get('cmd=get_activity')).toMatchObject({ status: 401, body: { response: { message: 'Parameter apikey is required' } } });
    expect((await get(`apikey=${sim.apiKey}`)).status).toBe(400);
    // The simulator's own log keeps the key out.
    expect(JSON.stringify(sim.server.requests)).not.toContain(sim.apiKey);
  });

  it('terminate_session stops a session (for the commands that come later)', async () => {
    const key = sim.sessions[0]!.key;
    const res = await fetch(`${sim.server.url}/api/v2?apikey=${sim.apiKey}&cmd=terminate_session&session_key=${key}&message=bedtime`);
    expect(((await res.json()) as { response: { result: string } }).response.result).toBe('success');
    expect(sim.sessions.some((s) => s.key === key)).toBe(false);
    expect(documentedParams(docs.get('terminate_session')!)).toEqual(new Set(['session_key', 'session_id', 'message']));
  });
});
