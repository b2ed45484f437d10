import { describe, expect, it } from 'vitest';
import { buildDevicePayload, deviceId, uniqueId } from '../src/ha/discovery.js';
import type { DeviceDef, EntityDef } from '../src/ha/entity.js';
import { Topics } from '../src/mqtt/contract.js';
import { validateDevicePayload } from './helpers/ha-rules.js';
import { StateStore } from '../src/mqtt/state-store.js';

const env = { topics: new Topics('media2mqtt'), origin: { name: 'media2mqtt', sw_version: '1.0.0', support_url: 'https://example.invalid' }, bridgeInstance: 'bridge' };
const host: DeviceDef = { instance: 'system', name: 'NAS', viaBridge: true, hasAvailability: true };
const cpu: EntityDef = { key: 'cpu_load', platform: 'sensor', name: 'CPU load', state: 'cpu', field: 'load', unit: '%', stateClass: 'measurement', precision: 1, expireAfter: 15 };

describe('discovery builders (pure)', () => {
  it('builds a device payload HA accepts: ids with the base topic, origin, availability of bridge and instance', () => {
    const p = buildDevicePayload(env, host, [cpu]);
    expect(validateDevicePayload(env.topics.deviceDiscovery(deviceId(env.topics, 'system')), p)).toEqual([]);
    expect(p.device).toEqual({ identifiers: ['media2mqtt_system'], name: 'NAS', via_device: 'media2mqtt_bridge' });
    expect(p.availability).toEqual([
      { topic: 'media2mqtt/bridge/state', value_template: '{{ value_json.state }}' },
      { topic: 'media2mqtt/system/availability', value_template: '{{ value_json.state }}' },
    ]);
    expect(p.availability_mode).toBe('all');
    expect(p.components.cpu_load).toMatchObject({
      platform: 'sensor',
      unique_id: 'media2mqtt_system_cpu_load',
      default_entity_id: 'sensor.media2mqtt_system_cpu_load',
      state_topic: 'media2mqtt/system/cpu',
      value_template: '{{ value_json.load }}',
      suggested_display_precision: 1,
      expire_after: 15,
    });
  });

  it('two bridges on one broker (different base topics) never share ids', () => {
    const other = new Topics('media2mqtt_nas2');
    expect(uniqueId(other, 'system', 'cpu_load')).not.toBe(uniqueId(env.topics, 'system', 'cpu_load'));
    expect(deviceId(other, 'system')).not.toBe(deviceId(env.topics, 'system'));
  });

  it('a removed component is sent with its platform only', () => {
    const p = buildDevicePayload(env, host, [cpu], new Map([['gpu_load', 'sensor']]));
    expect(p.components.gpu_load).toEqual({ platform: 'sensor' });
    expect(validateDevicePayload('homeassistant/device/media2mqtt_system/config', p)).toEqual([]);
  });

  it('the validator catches what HA would reject', () => {
    const bad = buildDevicePayload(env, host, [
      { ...cpu, key: 'a', deviceClass: 'data_rate', unit: '%' },
      { key: 'b', platform: 'binary_sensor', name: 'NAS problem', state: 'x', field: 'y', deviceClass: 'nonsense', entityCategory: 'config' },
      { key: 'c', platform: 'sensor', name: 'Boot', state: 's', field: 't', deviceClass: 'timestamp', stateClass: 'measurement' },
    ]);
    const errors = validateDevicePayload('homeassistant/device/media2mqtt_system/config', bad);
    expect(errors.join('\n')).toMatch(/unit "%" is not valid for data_rate/);
    expect(errors.join('\n')).toMatch(/unknown binary_sensor device_class nonsense/);
    expect(errors.join('\n')).toMatch(/binary_sensor cannot have entity_category config/);
    expect(errors.join('\n')).toMatch(/repeats the device name/);
    expect(errors.join('\n')).toMatch(/timestamp sensors take no unit or state_class/);
  });
});

describe('state store', () => {
  it('publishes a value only when it changed, retained with QoS 1, and republishes everything on demand', () => {
    const sent: [string, string, boolean, number][] = [];
    const store = new StateStore((t, p, o) => sent.push([t, p, o.retain, o.qos]));
    expect(store.set('b/x/cpu', { load: 1 })).toBe(true);
    expect(store.set('b/x/cpu', { load: 1 })).toBe(false);
    expect(store.set('b/x/cpu', { load: 2 })).toBe(true);
    store.set('b/x/mem', { used: 5 });
    expect(sent).toEqual([
      ['b/x/cpu', '{"load":1}', true, 1],
      ['b/x/cpu', '{"load":2}', true, 1],
      ['b/x/mem', '{"used":5}', true, 1],
    ]);
    sent.length = 0;
    expect(store.republishAll()).toBe(2);
    expect(sent.map((s) => s[0]).sort()).toEqual(['b/x/cpu', 'b/x/mem']);
    sent.length = 0;
    store.clear('b/x/mem');
    expect(sent).toEqual([['b/x/mem', '', true, 1]]);
    expect(store.stats).toMatchObject({ topics: 1, suppressed: 1 });
  });
});
