import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { parseAwsConfig } from '../../src/aws/config.js';
import { localConfig, localEndpoint, regionOf, savedActiveProfile } from '../../src/cli/local-view.js';
import { ConfigError } from '../../src/errors.js';
import { fakeCliContext } from '../helpers/cli-context.js';

/** A fake CLI rooted in a fresh temp dir, and a writer for files under its paths. */
function sandbox(t: Test, env?: Record<string, string>) {
  const root = t.testdir({});
  const cli = fakeCliContext({
    root,
    ...(env
      ? {
          env: {
            HOME: join(root, 'home'),
            XDG_RUNTIME_DIR: join(root, 'run'),
            XDG_STATE_HOME: join(root, 'state'),
            XDG_CONFIG_HOME: join(root, 'config'),
            ...env,
          },
        }
      : {}),
  });
  const write = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  return { cli, ctx: cli.ctx, write };
}

t.test('localEndpoint: the running daemon’s real port, on 127.0.0.1', async (t) => {
  const { ctx, write } = sandbox(t);
  write(join(ctx.paths.runtimeDir, 'endpoint.json'), JSON.stringify({ url: 'http://0.0.0.0:40123', host: '0.0.0.0', port: 40123, pid: process.pid }));
  t.equal(localEndpoint(ctx), 'http://127.0.0.1:40123');
});

t.test('localEndpoint: the configured port when the recorded daemon is gone or the record is bad', async (t) => {
  const { ctx, write } = sandbox(t, { CREDD_PORT: '9999' });
  t.equal(localEndpoint(ctx), 'http://127.0.0.1:9999', 'no record');
  write(join(ctx.paths.runtimeDir, 'endpoint.json'), JSON.stringify({ port: 40123, pid: 2 ** 22 + 12345 }));
  t.equal(localEndpoint(ctx), 'http://127.0.0.1:9999', 'dead pid');
  write(join(ctx.paths.runtimeDir, 'endpoint.json'), JSON.stringify({ pid: process.pid }));
  t.equal(localEndpoint(ctx), 'http://127.0.0.1:9999', 'no port');
  write(join(ctx.paths.runtimeDir, 'endpoint.json'), '{not json');
  t.equal(localEndpoint(ctx), 'http://127.0.0.1:9999', 'garbage');
});

t.test('localEndpoint: defaults, and the settings file', async (t) => {
  const { ctx, write } = sandbox(t);
  t.equal(localEndpoint(ctx), 'http://127.0.0.1:9911');
  write(ctx.paths.settingsFile, 'host = 0.0.0.0\nport = 8000\n');
  t.equal(localEndpoint(ctx), 'http://127.0.0.1:8000', 'a wildcard listen address is reached on loopback');
  write(ctx.paths.settingsFile, 'bogus = 1\n');
  t.throws(() => localEndpoint(ctx), ConfigError, 'a broken settings file is reported');
});

t.test('savedActiveProfile', async (t) => {
  const { ctx, write } = sandbox(t);
  t.equal(savedActiveProfile(ctx), undefined, 'no state file');
  write(ctx.paths.stateFile, JSON.stringify({ version: 1, activeProfile: 'dev', sessions: [] }));
  t.equal(savedActiveProfile(ctx), 'dev');
  write(ctx.paths.stateFile, JSON.stringify({ version: 1, activeProfile: 42, sessions: [] }));
  t.equal(savedActiveProfile(ctx), undefined, 'not a string');
  write(ctx.paths.stateFile, '{broken');
  t.equal(savedActiveProfile(ctx), undefined, 'garbage');
});

t.test('localConfig: the AWS files, or undefined when they do not parse', async (t) => {
  const { ctx, write } = sandbox(t);
  t.equal(localConfig(ctx)!.profiles.size, 0, 'no files: empty');
  write(ctx.awsPaths.configFile, '[profile dev]\nregion = us-west-2\n');
  t.equal(localConfig(ctx)!.profiles.get('dev')!.region, 'us-west-2');
  write(ctx.awsPaths.configFile, '[profile dev]\nduration_seconds = 5\n');
  t.equal(localConfig(ctx), undefined);
});

t.test('regionOf: down the chain; the profile’s own when the chain does not resolve', async (t) => {
  const config = parseAwsConfig(
    '[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/D\n[profile management]\nregion = us-west-2\n[profile broken]\nsource_profile = ghost\nrole_arn = arn:aws:iam::2:role/B\nregion = eu-west-1\n',
    '[management]\naws_access_key_id = A\naws_secret_access_key = S\n',
    { configFile: 'c', credentialsFile: 'k' },
  );
  t.equal(regionOf(config, 'dev'), 'us-west-2');
  t.equal(regionOf(config, 'broken'), 'eu-west-1');
  t.equal(regionOf(config, 'ghost'), undefined);
  t.equal(regionOf(config, undefined), undefined);
  t.equal(regionOf(undefined, 'dev'), undefined);
});
