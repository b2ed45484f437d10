import { Media2MqttError } from '../errors.js';
import { stateField, type EntityDef, type StatelessEntityDef } from './entity.js';
import type { FieldOf, StateMap, StateName } from '../mqtt/contract.js';

/**
 * Pure builders for the Home Assistant platforms that need more than a field: `number`, `update`
 * and per-item `button`s. What each renders follows HA's MQTT platforms (components/mqtt/number.py,
 * update.py, button.py); test/ha/live.test.ts renders them with Jinja2 against real payloads.
 */

export interface NumberOptions<K extends string = string> {
  key: string;
  name: string;
  /** State object holding the current value. */
  state: K;
  /** Renders the current value in `unit` (or `None` for unknown). */
  valueTemplate: string;
  command: string;
  /** Renders the command payload from `value`, the number HA sends. */
  commandTemplate: string;
  min: number;
  max: number;
  step: number;
  unit?: string;
  deviceClass?: string;
  icon?: string;
  mode?: 'auto' | 'box' | 'slider';
}

/** A `number` entity: HA shows the value and publishes the rendered command template when it is set. */
export function numberEntity<S extends StateMap, K extends StateName<S>>(o: NumberOptions<K>): EntityDef<S> {
  // A declaration bug, caught by the tests: HA would refuse the entity (mqtt/number.py validates the range).
  if (!(o.min < o.max) || !(o.step > 0)) throw new Media2MqttError('BAD_ENTITY', `number ${o.key}: min < max and step > 0 are required`);
  return {
    key: o.key,
    platform: 'number',
    name: o.name,
    ...stateField<S, K>(o.state),
    valueTemplate: o.valueTemplate,
    command: o.command,
    commandTemplate: o.commandTemplate,
    min: o.min,
    max: o.max,
    step: o.step,
    mode: o.mode ?? 'box',
    ...(o.unit ? { unit: o.unit } : {}),
    ...(o.deviceClass ? { deviceClass: o.deviceClass } : {}),
    ...(o.icon ? { icon: o.icon } : {}),
  };
}

export interface UpdateOptions<S extends StateMap, K extends StateName<S>> {
  key?: string;
  name?: string;
  /** State object with the installed and the latest version. */
  state: K;
  installedField: FieldOf<S, K>;
  latestField: FieldOf<S, K>;
  /** Shown by HA as the software's title. */
  title: string;
  releaseUrl?: string;
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * An `update` entity (no install: the bridge does not update upstream software). HA reads a JSON
 * object from the state template (`installed_version`, `latest_version`, `title`, `release_url`);
 * an unknown latest version falls back to the installed one, so HA shows "up to date" rather
 * than an error.
 */
export function updateEntity<S extends StateMap, K extends StateName<S>>(o: UpdateOptions<S, K>): EntityDef<S> {
  const installed = `value_json.${o.installedField}`;
  const parts = [
    `'installed_version': ${installed}`,
    `'latest_version': value_json.${o.latestField} or ${installed}`,
    `'title': ${quote(o.title)}`,
    ...(o.releaseUrl ? [`'release_url': ${quote(o.releaseUrl)}`] : []),
  ];
  return {
    key: o.key ?? 'update',
    platform: 'update',
    name: o.name ?? 'Update',
    ...stateField<S, K>(o.state),
    valueTemplate: `{{ { ${parts.join(', ')} } | tojson }}`,
    // HA's own update entities sit in the config category (update/__init__.py).
    entityCategory: 'config',
  };
}

export interface ItemButton {
  /** Unique within the device; part of the unique_id. */
  key: string;
  name: string;
  command: string;
  /** The command's parameters, published as the button's payload. */
  payload: Record<string, unknown>;
  deviceClass?: 'restart' | 'update' | 'identify';
  icon?: string;
}

/** A button that runs one command with fixed parameters (one per container, per library, …). */
export function itemButton(b: ItemButton): StatelessEntityDef {
  return {
    key: b.key,
    platform: 'button',
    name: b.name,
    command: b.command,
    payloadPress: JSON.stringify(b.payload),
    ...(b.deviceClass ? { deviceClass: b.deviceClass } : {}),
    ...(b.icon ? { icon: b.icon } : {}),
  };
}
