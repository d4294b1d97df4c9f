/** `credd env --imds`: the IMDS form of the shell environment. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { imdsEnv, SHADOWING_VARS } from '../../src/cli/shell-env.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const CONTAINER_VARS = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

/** A fake CLI over a real temp dir holding an AWS config, the saved state and optional settings. */
function setup(t: Test, opts: { settings?: string; endpointPort?: number; defaultKeys?: boolean } = {}) {
  const root = t.testdir({});
  const cli = fakeCliContext({ root });
  const { paths, awsPaths } = cli.ctx;
  mkdirSync(join(root, 'home', '.aws'), { recursive: true });
  writeFileSync(
    awsPaths.configFile,
    '[profile management]\nregion = us-west-2\n[profile dev]\nregion = eu-central-1\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/D\n',
  );
  writeFileSync(awsPaths.credentialsFile, `[${opts.defaultKeys ? 'default' : 'management'}]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n`);
  mkdirSync(paths.stateDir, { recursive: true });
  writeFileSync(paths.stateFile, JSON.stringify({ version: 1, sessions: [], activeProfile: 'dev' }));
  if (opts.settings !== undefined) {
    mkdirSync(join(paths.settingsFile, '..'), { recursive: true });
    writeFileSync(paths.settingsFile, opts.settings);
  }
  if (opts.endpointPort !== undefined) {
    mkdirSync(paths.runtimeDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(paths.runtimeDir, 'endpoint.json'), JSON.stringify({ url: 'x', host: '127.0.0.1', port: opts.endpointPort, pid: process.pid }));
  }
  return cli;
}
t.test('imdsEnv sets the endpoint and region, and unsets every container variable', async (t) => {
  const env = imdsEnv({ url: 'http://127.0.0.1:9911/', region: 'us-west-2' });
  t.same(env.set, [
    ['AWS_EC2_METADATA_SERVICE_ENDPOINT', 'http://127.0.0.1:9911/'],
    ['AWS_REGION', 'us-west-2'],
    ['AWS_DEFAULT_REGION', 'us-west-2'],
  ]);
  for (const v of [...CONTAINER_VARS, ...SHADOWING_VARS, 'AWS_EC2_METADATA_DISABLED', 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE'])
    t.ok(env.unset.includes(v), `unsets ${v}`);
  t.notOk(
    env.unset.some((v) => env.set.some(([k]) => k === v)),
    'never unsets what it sets',
  );
  t.same(imdsEnv({ url: 'u' }).set, [['AWS_EC2_METADATA_SERVICE_ENDPOINT', 'u']]);
});

t.test('credd env --imds prints the configured address with a trailing slash, and the active region', async (t) => {
  const cli = setup(t);
  t.equal(await run(cli.ctx, ['env', '--imds']), 0, cli.stderr());
  const out = cli.stdout();
  t.match(out, /^unset .*AWS_CONTAINER_CREDENTIALS_FULL_URI/);
  t.match(out, "\nexport AWS_EC2_METADATA_SERVICE_ENDPOINT='http://127.0.0.1:9911/'\n");
  t.match(out, "export AWS_REGION='eu-central-1'");
  t.notMatch(out, /export AWS_CONTAINER/);
  t.equal(cli.stderr(), '');
});

t.test("the running daemon's real port wins; fish form", async (t) => {
  const cli = setup(t, { endpointPort: 41234 });
  t.equal(await run(cli.ctx, ['env', '--imds', '--shell', 'fish']), 0);
  t.match(cli.stdout(), "set -gx AWS_EC2_METADATA_SERVICE_ENDPOINT 'http://127.0.0.1:41234/'");
  t.match(cli.stdout(), 'set -e AWS_CONTAINER_AUTHORIZATION_TOKEN\n');
});

t.test('a NAME is refused: IMDS serves the active profile', async (t) => {
  const cli = setup(t);
  t.equal(await run(cli.ctx, ['env', 'dev', '--imds']), 2);
  t.match(cli.stderr(), /credd switch NAME/);
  t.equal(cli.stdout(), '');
});

t.test('warns when IMDS is off, or when [default] keys would win', async (t) => {
  const off = setup(t, { settings: 'imds = false\n' });
  t.equal(await run(off.ctx, ['env', '--imds']), 0);
  t.match(off.stderr(), /IMDS is switched off/);
  const keys = setup(t, { defaultKeys: true });
  t.equal(await run(keys.ctx, ['env', '--imds']), 0);
  t.match(keys.stderr(), /\[default\] .* has keys/);
});

t.test('a broken settings file does not stop it when the daemon address is known', async (t) => {
  const cli = setup(t, { settings: 'nonsense = 1\n', endpointPort: 41235 });
  t.equal(await run(cli.ctx, ['env', '--imds']), 0);
  t.match(cli.stdout(), 'http://127.0.0.1:41235/');
});
