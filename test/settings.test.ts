import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BadRequestError, ConfigError } from '../src/errors.js';
import { checkEcsRelativeUri, DEFAULT_SETTINGS, ECS_HOST, loadSettings, SETTING_NAMES, settingFlag } from '../src/settings.js';

/** Settings from a settings file with `text` (no file when undefined). */
function load(t: Test, text: string | undefined, env: Record<string, string | undefined> = {}) {
  const dir = t.testdir(text === undefined ? {} : { 'config.ini': text });
  return loadSettings(join(dir, 'config.ini'), env);
}

/** The ConfigError message that `fn` throws. */
function errorOf(t: Test, fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    t.type(err, ConfigError);
    return (err as Error).message;
  }
  t.fail('expected a ConfigError');
  return '';
}

t.test('defaults without a file or variables', async (t) => {
  const s = load(t, undefined);
  t.same(s, DEFAULT_SETTINGS);
  t.match(s, { host: '127.0.0.1', port: 9911, sessionSeconds: 43200, refreshMarginSeconds: 1200, logLevel: 'info' });
  t.not(s, DEFAULT_SETTINGS, 'a copy: callers may change it');
  t.same(load(t, ''), DEFAULT_SETTINGS, 'an empty file');
  t.same(load(t, '# only a comment\n; and another\n'), DEFAULT_SETTINGS);
});

t.test('file values', async (t) => {
  const s = load(t, 'host = 0.0.0.0\nport = 0\nsession_seconds = 3600\nrefresh_margin_seconds = 600\nlog_level = debug\n');
  t.match(s, { host: '0.0.0.0', port: 0, sessionSeconds: 3600, refreshMarginSeconds: 600, logLevel: 'debug' });
  t.equal(load(t, 'port = 65535 # the top\n').port, 65535);
});

t.test('boolean settings', async (t) => {
  t.equal(load(t, 'imds = false\n').imds, false);
  t.equal(load(t, 'imds = true\n').imds, true);
  t.equal(
    errorOf(t, () => load(t, 'imds = no\n')),
    'Setting imds = "no" must be true or false.',
  );
  t.equal(load(t, `ecs_relative_uri = true\nhost = ${ECS_HOST}\n`).ecsRelativeUri, true);
});

t.test('environment variables beat the file', async (t) => {
  const s = load(t, 'host = 10.0.0.1\nport = 1234\nlog_level = warn\n', { CREDD_HOST: '127.0.0.2', CREDD_PORT: '0', CREDD_LOG_LEVEL: 'error' });
  t.match(s, { host: '127.0.0.2', port: 0, logLevel: 'error' });
  const empty = load(t, 'port = 1234\n', { CREDD_PORT: '', CREDD_HOST: undefined });
  t.equal(empty.port, 1234, 'an empty variable counts as unset');
  t.equal(empty.host, '127.0.0.1');
  t.equal(load(t, undefined, { SESSION_SECONDS: '1', CREDD_SESSION_SECONDS: '1' }).sessionSeconds, 43200, 'keys without a variable ignore the environment');
});

t.test('a bad environment value names the variable', async (t) => {
  t.equal(
    errorOf(t, () => load(t, undefined, { CREDD_PORT: 'http' })),
    'Setting CREDD_PORT = "http" must be a whole number from 0 to 65535.',
  );
  t.equal(
    errorOf(t, () => load(t, undefined, { CREDD_LOG_LEVEL: 'loud' })),
    'Setting CREDD_LOG_LEVEL = "loud" must be one of fatal, error, warn, info, debug, trace, silent.',
  );
});

t.test('an unknown key is an error naming it', async (t) => {
  for (const key of ['listen', 'constructor', 'toString', '__proto__x']) {
    t.equal(
      errorOf(t, () => load(t, `port = 1\n${key} = 1\n`)),
      `Unknown setting "${key}" in ${join(t.testdirName, 'config.ini')}: see docs/configuration.md for the keys credd knows.`,
      key,
    );
  }
  t.match(
    errorOf(t, () => load(t, '[server]\nport = 1\n')),
    'Unknown setting "server"',
    'sections are not settings',
  );
  t.match(
    errorOf(t, () => load(t, 'port[] = 1\n')),
    'Unknown setting "port"',
    'nor arrays',
  );
});

t.test('bad values', async (t) => {
  const cases: Array<[string, string]> = [
    ['port = 65536', 'Setting port = "65536" must be a whole number from 0 to 65535.'],
    ['port = -1', 'Setting port = "-1" must be a whole number from 0 to 65535.'],
    ['port = 80.5', 'Setting port = "80.5" must be a whole number from 0 to 65535.'],
    ['port = 0x10', 'Setting port = "0x10" must be a whole number from 0 to 65535.'],
    ['port =', 'Setting port = "" must be a whole number from 0 to 65535.'],
    ['port', 'Setting port = "true" must be a whole number from 0 to 65535.'],
    ['session_seconds = 899', 'Setting session_seconds = "899" must be a whole number from 900 to 129600.'],
    ['session_seconds = 129601', 'Setting session_seconds = "129601" must be a whole number from 900 to 129600.'],
    ['refresh_margin_seconds = 59', 'Setting refresh_margin_seconds = "59" must be a whole number from 60 to 3000.'],
    ['refresh_margin_seconds = 3001', 'Setting refresh_margin_seconds = "3001" must be a whole number from 60 to 3000.'],
    ['log_level = INFO', 'Setting log_level = "INFO" must be one of fatal, error, warn, info, debug, trace, silent.'],
    ['log_level = null', 'Setting log_level = "null" must be one of fatal, error, warn, info, debug, trace, silent.'],
    ['host =', 'Setting host is empty: give an address such as 127.0.0.1.'],
    ['host = ::1', 'Setting host = "::1" must be an IPv4 address such as 127.0.0.1 (credd env points the SDKs at 127.0.0.1).'],
    ['host = localhost', 'Setting host = "localhost" must be an IPv4 address such as 127.0.0.1 (credd env points the SDKs at 127.0.0.1).'],
  ];
  for (const [line, message] of cases)
    t.equal(
      errorOf(t, () => load(t, `${line}\n`)),
      message,
      line,
    );
});

t.test('an unreadable file is a ConfigError', async (t) => {
  const dir = t.testdir({});
  mkdirSync(join(dir, 'config.ini'));
  t.match(
    errorOf(t, () => loadSettings(join(dir, 'config.ini'), {})),
    new RegExp(`^Cannot read ${join(dir, 'config.ini')}: .*EISDIR`),
  );
});

t.test('checkEcsRelativeUri: the no-token mode only on the ECS address', async (t) => {
  t.doesNotThrow(() => checkEcsRelativeUri({ ...DEFAULT_SETTINGS }));
  t.doesNotThrow(() => checkEcsRelativeUri({ ...DEFAULT_SETTINGS, ecsRelativeUri: true, host: ECS_HOST }));
  t.match(
    errorOf(t, () => checkEcsRelativeUri({ ...DEFAULT_SETTINGS, ecsRelativeUri: true })),
    `needs host = ${ECS_HOST}`,
  );
});

t.test('settingFlag: --host and --port by the rules of the settings, as a BadRequest naming the flag', async (t) => {
  t.equal(settingFlag('host', '127.0.0.2'), '127.0.0.2');
  t.equal(settingFlag('port', '0'), 0);
  for (const [name, v, message] of [
    ['host', '::1', '--host "::1" must be an IPv4 address such as 127.0.0.1 (credd env points the SDKs at 127.0.0.1).'],
    ['host', '', '--host is empty: give an address such as 127.0.0.1.'],
    ['port', '0x10', '--port "0x10" must be a whole number from 0 to 65535.'],
    ['port', '65536', '--port "65536" must be a whole number from 0 to 65535.'],
  ] as const) {
    t.throws(() => settingFlag(name, v), new BadRequestError(message), `${name} ${v}`);
  }
});

t.test('SETTING_NAMES: every field has its settings-file key', async (t) => {
  t.same(Object.keys(SETTING_NAMES).sort(), Object.keys(DEFAULT_SETTINGS).sort());
  t.equal(SETTING_NAMES.refreshMarginSeconds, 'refresh_margin_seconds');
});

t.test('keyring: one of the backends, from the file or CREDD_KEYRING', async (t) => {
  const dir = t.testdir({ 'a.ini': 'keyring = secret-service\n', 'b.ini': 'keyring = kwallet\n' });
  t.equal(loadSettings(`${dir}/a.ini`, {}).keyring, 'secret-service');
  t.equal(loadSettings(`${dir}/a.ini`, { CREDD_KEYRING: 'none' }).keyring, 'none');
  t.throws(() => loadSettings(`${dir}/b.ini`, {}), /keyring = "kwallet" must be one of auto, secret-service, keychain, wincred, none/);
});
