import type { InstanceContext } from '../core/instance.js';
import type { ServiceConfigInput, ServiceType } from './registry.js';
import { SERVICE_TYPE_DEFS, loadServiceModule } from './registry.js';
import { resolveServiceConfig, type ServiceModule } from './module.js';
import type { ServiceInstance, ServiceContext } from './service.js';
import { UpstreamHttp } from './http.js';

/**
 * Builds one upstream instance: its type's module (loaded now), its settings with the type's
 * defaults, its HTTP client with the type's authentication, and its context. Null when this
 * build does not have the type.
 */
export async function createService(
  id: string,
  input: ServiceConfigInput,
  base: InstanceContext,
  modules?: Partial<Record<ServiceType, ServiceModule>>,
): Promise<{ module: ServiceModule; instance: ServiceInstance; ctx: ServiceContext } | null> {
  const module = modules ? modules[input.type] : await loadServiceModule(input.type);
  if (!module) return null;
  const cfg = resolveServiceConfig(SERVICE_TYPE_DEFS[input.type], input);
  const auth = module.auth(cfg);
  const http = new UpstreamHttp({ service: id, baseUrl: cfg.url, timeout: cfg.timeout, verifyTls: cfg.verify_tls, headers: auth.headers, query: auth.query });
  const ctx: ServiceContext = { ...base, cfg, http };
  return { module, instance: module.create(ctx), ctx };
}
