/**
 * What a TypeScript client of media2mqtt imports: the MQTT contract (topics and payloads) and the
 * JSON-RPC service type. Types only; importing this loads no bridge code.
 */
export type * from './mqtt/contract.js';
export type { Media2MqttApi, CallRequest, CommandName, CommandParams } from './rpc/api.js';
export type { CommandListEntry } from './commands/registry.js';
export { Topics } from './mqtt/contract.js';
