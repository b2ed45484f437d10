import { handleRpc, type JsonRpcResponse } from 'typed-rpc/server';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { RpcCommandError } from './api.js';

type Service = Record<string, (arg?: unknown) => Promise<unknown>>;

/**
 * One JSON-RPC 2.0 request against the service. typed-rpc looks methods up with `in`, so the
 * name is checked with `Object.hasOwn` first; internal errors are masked (their messages may hold
 * paths or upstream details), command errors keep their message and code.
 */
export async function handleRequest(request: unknown, service: Service, log: Logger): Promise<JsonRpcResponse> {
  if (Array.isArray(request)) return { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: batches are not supported' } };
  const r = request as { method?: unknown; id?: unknown } | null;
  const id = r && (typeof r.id === 'string' || typeof r.id === 'number') ? r.id : null;
  if (r && typeof r === 'object' && typeof r.method === 'string' && !Object.hasOwn(service, r.method)) {
    return { jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${r.method.slice(0, 64)}` } };
  }
  return handleRpc(request, service as never, {
    onError: (err) => {
      if (!(err instanceof RpcCommandError)) log.error(`rpc ${String(r?.method)} failed: ${errorMessage(err)}`);
    },
    getErrorCode: (err) => (err instanceof RpcCommandError ? err.code : -32603),
    getErrorMessage: (err) => (err instanceof RpcCommandError ? err.message : 'internal error (see the bridge log)'),
    getErrorData: (err) => (err instanceof RpcCommandError ? err.data : undefined),
  });
}

/** Parses a request body; a JSON-RPC parse error answer when it is not JSON. */
export function parseRequest(text: string): { ok: true; value: unknown } | { ok: false; response: JsonRpcResponse } {
  try {
    return {
      ok: true,
      value: JSON.parse(text, (k, v: unknown) => {
        if (k === '__proto__') throw new Error('key "__proto__" is not allowed');
        return v;
      }),
    };
  } catch (err) {
    return { ok: false, response: { jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${errorMessage(err).slice(0, 120)}` } } };
  }
}
