import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { ConfigError } from '../src/errors.js';
import { main } from '../src/cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'm2m-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('the shipped configuration is valid and equals the defaults', () => {
    const shipped = loadConfig({ path: 'config/configuration.yaml', env: {} });
    const empty = loadConfig({ path: write('c.yaml', '{}\n'), env: {} });
    expect(shipped.config).toEqual(empty.config);
    expect(shipped.config.mqtt.server).toBe('embedded');
    expect(shipped.config.broker.port).toBe(1883);
    expect(shipped.config.http.port).toBe(8099);
  });

  it('substitutes ${ENV} and !secret, and remembers the secret values', () => {
    write('secrets.yaml', 'mqtt_password: s3cr3t-from-file\n');
    const p = write(
      'c.yaml',
      'mqtt:\n  server: mqtt://broker.lan:1883\n  user: ${MQTT_USER}\n  password: !secret mqtt_password\nlog:\n  level: ${LEVEL:-warn}\n',
    );
    const { config, secrets } = loadConfig({ path: p, env: { MQTT_USER: 'bridge' } });
    expect(config.mqtt.user).toBe('bridge');
    expect(config.mqtt.password).toBe('s3cr3t-from-file');
    expect(config.log.level).toBe('warn');
    expect(secrets).toContain('s3cr3t-from-file');
  });

  it('MEDIA2MQTT__SECTION__KEY overrides any key, with YAML typing', () => {
    const p = write('c.yaml', 'broker:\n  port: 1883\n');
    const { config } = loadConfig({
      path: p,
      env: { MEDIA2MQTT__BROKER__PORT: '18830', MEDIA2MQTT__HOMEASSISTANT__ENABLED: 'false', MEDIA2MQTT__MQTT__BASE_TOPIC: 'media_test' },
    });
    expect(config.broker.port).toBe(18830);
    expect(config.homeassistant.enabled).toBe(false);
    expect(config.mqtt.base_topic).toBe('media_test');
  });

  it('reports every problem at once as path: message', () => {
    const p = write(
      'c.yaml',
      [
        'mqtt:',
        '  server: ftp://nope',
        '  base_topic: "media/#"',
        'broker:',
        '  port: "not a number"',
        '  prot: 1884',
        'brokr: {}',
        'services:',
        '  Sonarr:',
        '    type: sonarr',
        '    url: http://x',
        '  radarr:',
        '    type: radarr',
        '    url: not-a-url',
        'system:',
        '  thresholds:',
        '    cpu: { warning: 99, critical: 50 }',
      ].join('\n'),
    );
    const list = issues(() => loadConfig({ path: p, env: {} }));
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^mqtt\.server: must be "embedded" or a URL/),
        expect.stringMatching(/^mqtt\.base_topic: must not contain MQTT wildcards/),
        expect.stringMatching(/^broker\.port: /),
        expect.stringMatching(/^broker\.prot: unknown key/),
        expect.stringMatching(/^brokr: unknown key/),
        expect.stringMatching(/^services\.Sonarr: instance ids are lower-case/),
        expect.stringMatching(/^services\.radarr\.url: /),
        expect.stringMatching(/^system\.thresholds\.cpu: warning must not be above critical/),
      ]),
    );
    expect(list.length).toBeGreaterThanOrEqual(8);
  });

  it('reports malformed YAML with its line', () => {
    const p = write('c.yaml', 'mqtt:\n  server: embedded\n   base_topic: x\n  - oops\n');
    const list = issues(() => loadConfig({ path: p, env: {} }));
    expect(list[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('reports missing secrets and environment variables, without leaking other values', () => {
    write('secrets.yaml', 'other: value\n');
    const p = write('c.yaml', 'mqtt:\n  password: !secret nope\n  user: ${NOT_SET_ANYWHERE}\n');
    const list = issues(() => loadConfig({ path: p, env: {} }));
    expect(list).toEqual(['mqtt.password: !secret nope: not found in secrets.yaml', 'mqtt.user: environment variable NOT_SET_ANYWHERE is not set']);
  });

  it('reports a missing secrets.yaml', () => {
    const p = write('c.yaml', 'mqtt:\n  password: !secret pw\n');
    expect(issues(() => loadConfig({ path: p, env: {} }))).toEqual(['mqtt.password: !secret pw: no secrets.yaml next to the configuration file']);
  });

  it('refuses plain-text broker passwords', () => {
    const p = write('c.yaml', 'broker:\n  users:\n    - username: ha\n      password: hunter2\n');
    expect(issues(() => loadConfig({ path: p, env: {} }))[0]).toMatch(/^broker\.users\.0\.password: must be a hash made by `media2mqtt hash-password`/);
  });

  it('an explicit path that does not exist is an error; MEDIA2MQTT_CONFIG is honoured', () => {
    expect(issues(() => loadConfig({ path: join(dir, 'missing.yaml'), env: {} }))[0]).toMatch(/does not exist/);
    const p = write('c.yaml', 'log:\n  level: debug\n');
    expect(loadConfig({ env: { MEDIA2MQTT_CONFIG: p } }).config.log.level).toBe('debug');
  });

  it('check-config exits 2 and prints every problem; 0 when valid', async () => {
    const bad = write('bad.yaml', 'brokr: {}\nlog:\n  level: loud\n');
    let err = '';
    let code = await main(['check-config', '--config', bad], { out: () => {}, err: (s) => void (err += s) });
    expect(code).toBe(2);
    expect(err).toContain('brokr: unknown key');
    expect(err).toContain('log.level: ');
    let out = '';
    code = await main(['check-config', '--config', 'config/configuration.yaml'], { out: (s) => void (out += s), err: () => {} });
    expect(code).toBe(0);
    expect(out).toContain('Configuration is valid');
  });

  it('start with an invalid configuration exits 2 before touching the network', async () => {
    const bad = write('bad.yaml', 'broker:\n  port: -1\n');
    let err = '';
    const code = await main(['start', '--config', bad], { out: () => {}, err: (s) => void (err += s) });
    expect(code).toBe(2);
    expect(err).toMatch(/broker\.port: /);
  });
});
