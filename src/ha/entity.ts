/**
 * How an instance describes its Home Assistant entities. Instances declare entities; the pure
 * builders in `discovery.ts` turn them into discovery payloads. Field names follow HA's options.
 */

export type Platform = 'sensor' | 'binary_sensor' | 'button' | 'select' | 'switch' | 'event' | 'number' | 'text' | 'update';
export type EntityCategory = 'diagnostic' | 'config';
export type StateClass = 'measurement' | 'total' | 'total_increasing' | 'measurement_angle';

import type { FieldOf, StateMap, StateName } from '../mqtt/contract.js';

/** What an entity declares besides the state topic it reads (see EntityDef). */
export interface EntityBase {
  /** Stable id within the device (`cpu_load`, `disk_root_used`); part of unique_id. Never change it. */
  key: string;
  platform: Platform;
  /** Entity name without the device name (HA's has_entity_name rule); null = the device's main feature. */
  name: string | null;
  /** Full value template, when `field` is not enough. */
  valueTemplate?: string;
  deviceClass?: string;
  unit?: string;
  stateClass?: StateClass;
  entityCategory?: EntityCategory;
  icon?: string;
  precision?: number;
  /** Seconds after which HA marks the value unavailable (polled sensors: ~3 poll intervals). */
  expireAfter?: number;
  enabledByDefault?: boolean;
  /**
   * Attributes template instead of `{{ value_json.<attributesField> | tojson }}`: HA refuses
   * anything but a JSON object ("JSON result was not a dictionary", mqtt/mixins.py), so a list or
   * a null field is wrapped or replaced here.
   */
  attributesTemplate?: string;
  /** binary_sensor: values published for on/off (default true/false compared as JSON booleans). */
  payloadOn?: string;
  payloadOff?: string;
  /** button/select/switch: command name; HA publishes to `<base>/<instance>/set/<command>`. */
  command?: string;
  payloadPress?: string;
  /** number: template HA renders with `value` (the number set) into the command payload. */
  commandTemplate?: string;
  /** number: range and step (HA's defaults 1–100, step 1, would refuse 0 and fractions). */
  min?: number;
  max?: number;
  step?: number;
  mode?: 'auto' | 'box' | 'slider';
  /** select: allowed options. */
  options?: string[];
  /** event: event types. */
  eventTypes?: string[];
  /** Extra, already-valid discovery options (long names), merged last. */
  extra?: Record<string, unknown>;
}

/** The state topic an entity reads, loose: for code that handles entities of any instance (discovery). */
export interface AnyStateBinding {
  /** Name of the state object this entity reads: `<base>/<instance>/<state>`. */
  state?: string;
  /** Field of the state object: becomes `{{ value_json.<field> }}`. */
  field?: string;
  /** Attributes: a field of the same state object holding an object (bounded in size by the producer). */
  attributesField?: string;
}

/**
 * The state topic an entity reads, checked against the instance's StateMap: `state` is one of
 * its names, `field` and `attributesField` are keys of that state's payload.
 */
export type StateBinding<S extends StateMap> = string extends StateName<S>
  ? AnyStateBinding
  :
      | { [K in StateName<S>]: { state: K; field?: FieldOf<S, K>; attributesField?: FieldOf<S, K> } }[StateName<S>]
      | { state?: undefined; field?: undefined; attributesField?: undefined };

/**
 * The binding of an entity builder that takes a state and a field (`countSensor(…, state, field)`):
 * the builder is generic, the call site checks `state` and `field` against the instance's map.
 */
export function stateField<S extends StateMap, K extends StateName<S>>(state: K, field?: FieldOf<S, K>, attributesField?: FieldOf<S, K>): StateBinding<S> {
  // TypeScript cannot resolve StateBinding<S> while S is generic; the signature has checked all three.
  return { state, ...(field === undefined ? {} : { field }), ...(attributesField === undefined ? {} : { attributesField }) } as unknown as StateBinding<S>;
}

/** An entity that reads no state (buttons): fits every instance's EntityDef. */
export type StatelessEntityDef = EntityBase & { state?: undefined; field?: undefined; attributesField?: undefined };

/**
 * One Home Assistant entity of an instance. `EntityDef<XStates>` is what an instance declares
 * (its state names and fields checked); plain `EntityDef` is any instance's entity.
 */
export type EntityDef<S extends StateMap = StateMap> = EntityBase & StateBinding<S>;

export interface DeviceDef {
  /** Instance id: `system`, `bridge`, `sonarr_4k`. */
  instance: string;
  name: string;
  manufacturer?: string;
  model?: string;
  swVersion?: string;
  hwVersion?: string;
  configurationUrl?: string;
  /** false only for the bridge device itself. */
  viaBridge: boolean;
  /** Entities of this device depend on `<base>/<instance>/availability` besides the bridge state. */
  hasAvailability: boolean;
}
