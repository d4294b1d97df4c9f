import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { SHADOWING_VARS } from '../../src/cli/shell-env.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const CONFIG =
  '[profile management]\nregion = us-west-2\n[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/Dev\n[profile eu]\nsource_profile = management\nrole_arn = arn:aws:iam::2:role/Eu\nregion = eu-west-1\n';
const CREDS = '[management]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = SECRET\n';

/** A fake CLI in a fresh HOME, with the AWS files written. */
function sandbox(t: Test, files: { config?: string; credentials?: string } = { config: CONFIG, credentials: CREDS }) {
  const cli = fakeCliContext({ root: t.testdir({}) });
  const write = (file: string, text: string) => {
    // 0700, as credd makes them: a runtime directory open to others is refused.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, text);
  };
  if (files.config !== undefined) write(cli.ctx.awsPaths.configFile, files.config);
  if (files.credentials !== undefined) write(cli.ctx.awsPaths.credentialsFile, files.credentials);
  return { cli, ctx: cli.ctx, write };
}

const unsetLine = `unset ${SHADOWING_VARS.filter((v) => v !== 'AWS_CONTAINER_AUTHORIZATION_TOKEN').join(' ')}`;

t.test('no daemon, no active profile: the configured address, a new token file', async (t) => {
  const { cli, ctx } = sandbox(t);
  t.equal(await run(ctx, ['env']), 0);
  const token = readFileSync(ctx.paths.tokenFile, 'utf8');
  t.match(token, /^[A-Za-z0-9_-]{43}$/);
  t.equal(statSync(ctx.paths.tokenFile).mode & 0o777, 0o600);
  t.equal(
    cli.stdout(),
    [unsetLine, "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:9911/creds'", `export AWS_CONTAINER_AUTHORIZATION_TOKEN='${token}'`, ''].join(
      '\n',
    ),
  );
  t.equal(cli.stderr(), '');
  t.same(cli.calls, [], 'works without the daemon');
  const again = fakeCliContext({ root: t.testdirName });
  t.equal(await run(again.ctx, ['env']), 0);
  t.equal(again.stdout(), cli.stdout(), 'the same token the next time');
});

t.test('pinned NAME: the URI names it; the region comes down its chain', async (t) => {
  const { cli, ctx } = sandbox(t);
  t.equal(await run(ctx, ['env', 'dev']), 0);
  const lines = cli.stdout().split('\n');
  t.equal(lines[1], "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:9911/creds/dev'");
  t.equal(lines[3], "export AWS_REGION='us-west-2'");
  t.equal(lines[4], "export AWS_DEFAULT_REGION='us-west-2'");
  const eu = sandbox(t);
  t.equal(await run(eu.ctx, ['env', 'eu']), 0);
  t.match(eu.cli.stdout(), "export AWS_REGION='eu-west-1'");
});

t.test('unpinned: the saved active profile’s region', async (t) => {
  const { cli, ctx, write } = sandbox(t);
  write(ctx.paths.stateFile, JSON.stringify({ version: 1, activeProfile: 'eu', sessions: [] }));
  t.equal(await run(ctx, ['env']), 0);
  t.match(cli.stdout(), "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:9911/creds'\n");
  t.match(cli.stdout(), "export AWS_REGION='eu-west-1'\n");
});

t.test('a running daemon’s real port', async (t) => {
  const { cli, ctx, write } = sandbox(t);
  write(join(ctx.paths.runtimeDir, 'endpoint.json'), JSON.stringify({ url: 'http://127.0.0.1:41234', host: '127.0.0.1', port: 41234, pid: process.pid }));
  t.equal(await run(ctx, ['env', 'dev']), 0);
  t.match(cli.stdout(), "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:41234/creds/dev'\n");
});

t.test('warns when [default] in the credentials file has keys', async (t) => {
  const { cli, ctx } = sandbox(t, { credentials: '[default]\naws_access_key_id = A\naws_secret_access_key = S\n' });
  t.equal(await run(ctx, ['env']), 0);
  t.equal(
    cli.stderr(),
    `credd: warning: [default] in ${ctx.awsPaths.credentialsFile} has keys, and the SDKs use them before credd: rename that section (e.g. [management]).\n`,
  );
  t.match(cli.stdout(), 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'still prints the lines');
});

t.test('AWS files that do not parse: still the lines, without a region', async (t) => {
  const { cli, ctx } = sandbox(t, { config: 'garbage\n' });
  t.equal(await run(ctx, ['env', 'dev']), 0);
  t.notMatch(cli.stdout(), 'AWS_REGION');
});

t.test('--shell fish and powershell', async (t) => {
  const fish = sandbox(t);
  t.equal(await run(fish.ctx, ['env', '--shell', 'fish']), 0);
  t.match(fish.cli.stdout(), /^set -e AWS_PROFILE\n/);
  t.match(fish.cli.stdout(), "set -gx AWS_CONTAINER_CREDENTIALS_FULL_URI 'http://127.0.0.1:9911/creds'\n");
  const ps = sandbox(t);
  t.equal(await run(ps.ctx, ['env', 'dev', '--shell', 'powershell']), 0);
  t.match(ps.cli.stdout(), /^Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n/);
  t.match(ps.cli.stdout(), "$Env:AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9911/creds/dev'\n");
  const sh = sandbox(t);
  t.equal(await run(sh.ctx, ['env', '--shell', 'sh']), 0);
  t.match(sh.cli.stdout(), /^unset /);
});

t.test('a bad --shell or NAME: exit 2, nothing printed', async (t) => {
  const bad = sandbox(t);
  t.equal(await run(bad.ctx, ['env', '--shell', 'bash']), 2);
  t.equal(bad.cli.stderr(), 'credd: --shell "bash": use sh (bash, zsh), fish or powershell.\n');
  t.equal(bad.cli.stdout(), '');
  const name = sandbox(t);
  t.equal(await run(name.ctx, ['env', '../etc']), 2);
  t.match(name.cli.stderr(), 'Invalid profile name');
  t.equal(name.cli.stdout(), '');
  t.equal(await run(sandbox(t).ctx, ['env', 'a', 'b']), 2);
});

t.test('--imds: the IMDS form for the active profile', async (t) => {
  const { cli, ctx, write } = sandbox(t);
  write(ctx.paths.stateFile, JSON.stringify({ version: 1, activeProfile: 'dev', sessions: [] }));
  t.equal(await run(ctx, ['env', '--imds']), 0);
  t.match(cli.stdout(), "export AWS_EC2_METADATA_SERVICE_ENDPOINT='http://127.0.0.1:9911/'\n");
  t.match(cli.stdout(), "export AWS_REGION='us-west-2'\n");
  t.notMatch(cli.stdout(), 'export AWS_CONTAINER');
  t.equal(cli.stderr(), '');

  const pinned = sandbox(t);
  t.equal(await run(pinned.ctx, ['env', 'dev', '--imds']), 2);
  t.match(pinned.cli.stderr(), 'IMDS serves the active profile');
});

t.test('--imds warns when IMDS is off, and tolerates a broken settings file', async (t) => {
  const off = sandbox(t);
  off.write(off.ctx.paths.settingsFile, 'imds = false\n');
  t.equal(await run(off.ctx, ['env', '--imds']), 0);
  t.equal(off.cli.stderr(), 'credd: warning: IMDS is switched off in the settings (imds = false): the daemon will answer 404.\n');

  const broken = sandbox(t);
  broken.write(broken.ctx.paths.settingsFile, 'nonsense = 1\n');
  broken.write(join(broken.ctx.paths.runtimeDir, 'endpoint.json'), JSON.stringify({ port: 41235, pid: process.pid }));
  t.equal(await run(broken.ctx, ['env', '--imds']), 0);
  t.equal(broken.cli.stderr(), '');
  t.match(broken.cli.stdout(), "AWS_EC2_METADATA_SERVICE_ENDPOINT='http://127.0.0.1:41235/'");
});
