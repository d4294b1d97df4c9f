/**
 * The rules of protocols.md ("So, to work with every SDK at once") that are about what
 * `credd env` prints: the literal 127.0.0.1 URI, the unsets, and the token variable and file
 * agreeing. The sh form is evaluated by a real `sh`; fish and PowerShell are read as text.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t, { type Test } from 'tap';
import { run } from '../../src/cli/run.js';
import { fakeCliContext } from '../helpers/cli-context.js';

const CONFIG = '[profile management]\nregion = us-west-2\n[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/Dev\n';
const CREDS = '[management]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = SECRET\n';

/** Everything that wins over credd in some SDK's chain, or makes the SDKs disagree (rules 2 and 8). */
const MUST_UNSET = [
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
];
/** And for IMDS: anything that would keep the SDKs off it. */
const MUST_UNSET_IMDS = [
  ...MUST_UNSET,
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_EC2_METADATA_DISABLED',
];

/** A fake CLI in a fresh HOME with the AWS files written; `env` adds variables (CREDD_HOST...). */
function sandbox(t: Test, env: Record<string, string> = {}, credentials = CREDS) {
  const root = t.testdir({});
  const home = join(root, 'home');
  const cli = fakeCliContext({
    root,
    env: { HOME: home, XDG_RUNTIME_DIR: join(root, 'run'), XDG_STATE_HOME: join(root, 'state'), XDG_CONFIG_HOME: join(root, 'config'), ...env },
  });
  const write = (file: string, text: string) => {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 }); // 0700, as credd makes them
    writeFileSync(file, text);
  };
  write(cli.ctx.awsPaths.configFile, CONFIG);
  write(cli.ctx.awsPaths.credentialsFile, credentials);
  write(cli.ctx.paths.stateFile, JSON.stringify({ version: 1, activeProfile: 'dev', sessions: [] }));
  return { cli, ctx: cli.ctx, write };
}

async function envOutput(t: Test, args: string[], env: Record<string, string> = {}): Promise<string> {
  const { cli, ctx } = sandbox(t, env);
  t.equal(await run(ctx, ['env', ...args]), 0, cli.stderr());
  return cli.stdout();
}

/** What a real sh holds after `eval "$(credd env …)"`, starting from `before`. */
function evalSh(out: string, before: Record<string, string>): Record<string, string> {
  const r = spawnSync('sh', ['-c', 'eval "$1" && exec "$2" -e "$3"', 'sh', out, process.execPath, 'process.stdout.write(JSON.stringify(process.env))'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...before },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, string>;
}

t.test('rule 1: the URI is the literal http://127.0.0.1:PORT/…, whatever the listen address', async (t) => {
  const cases: Array<[string, string[], Record<string, string>]> = [
    ['default', [], {}],
    ['pinned NAME', ['dev'], {}],
    ['CREDD_HOST=127.0.0.2', [], { CREDD_HOST: '127.0.0.2' }],
    ['CREDD_HOST=0.0.0.0', [], { CREDD_HOST: '0.0.0.0' }],
    ['--imds', ['--imds'], { CREDD_HOST: '127.0.0.2' }],
  ];
  for (const [what, args, env] of cases) {
    const out = await envOutput(t, args, env);
    const m = /^export (AWS_CONTAINER_CREDENTIALS_FULL_URI|AWS_EC2_METADATA_SERVICE_ENDPOINT)='([^']+)'$/m.exec(out);
    t.ok(m, what);
    const url = new URL(m?.[2] ?? 'x:');
    t.equal(url.protocol, 'http:', what);
    t.equal(url.hostname, '127.0.0.1', `${what}: not localhost, not [::1]`);
    t.match(url.port, /^\d+$/, `${what}: an explicit port`);
  }
  // A running daemon's record names the port it really got; the host stays the literal.
  const { cli, ctx, write } = sandbox(t, { CREDD_HOST: '127.0.0.2' });
  write(join(ctx.paths.runtimeDir, 'endpoint.json'), JSON.stringify({ url: 'http://localhost:41234', host: 'localhost', port: 41234, pid: process.pid }));
  t.equal(await run(ctx, ['env']), 0);
  t.match(cli.stdout(), "export AWS_CONTAINER_CREDENTIALS_FULL_URI='http://127.0.0.1:41234/creds'\n");
});

t.test('rules 2 and 8 (sh): a shell holding every shadowing variable keeps none of them', async (t) => {
  const before: Record<string, string> = Object.fromEntries(MUST_UNSET.map((v) => [v, `stale-${v}`]));
  before.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'stale-token';
  const after = evalSh(await envOutput(t, []), before);
  for (const v of MUST_UNSET) t.notOk(v in after, `${v} unset`);
  t.not(after.AWS_CONTAINER_AUTHORIZATION_TOKEN, 'stale-token', 'the token replaced');
  t.ok(after.AWS_CONTAINER_CREDENTIALS_FULL_URI, 'FULL_URI set');

  const imdsBefore = { ...before, ...Object.fromEntries(MUST_UNSET_IMDS.map((v) => [v, `stale-${v}`])) };
  const imds = evalSh(await envOutput(t, ['--imds']), imdsBefore);
  for (const v of MUST_UNSET_IMDS) t.notOk(v in imds, `--imds: ${v} unset`);
  t.ok(imds.AWS_EC2_METADATA_SERVICE_ENDPOINT, 'the IMDS endpoint set');
});

t.test('rules 2 and 8 (fish, PowerShell): the same variables are removed as in sh', async (t) => {
  for (const args of [[], ['--imds']]) {
    const sh = (await envOutput(t, args))
      .split('\n')[0]!
      .replace(/^unset /, '')
      .split(' ');
    const fish = [...(await envOutput(t, [...args, '--shell', 'fish'])).matchAll(/^set -e (\w+)$/gm)].map((m) => m[1]);
    const ps = [...(await envOutput(t, [...args, '--shell', 'powershell'])).matchAll(/^Remove-Item Env:(\w+) -ErrorAction SilentlyContinue$/gm)].map(
      (m) => m[1],
    );
    t.same(fish, sh, `env ${args.join(' ')}: fish`);
    t.same(ps, sh, `env ${args.join(' ')}: PowerShell`);
    for (const v of args.includes('--imds') ? MUST_UNSET_IMDS : MUST_UNSET) t.ok(sh.includes(v), `env ${args.join(' ')} removes ${v}`);
  }
});

t.test("rule 3: the token variable is set, no token file is (JS v3 warns about both), and credd's own file agrees, no newline", async (t) => {
  const { cli, ctx, write } = sandbox(t);
  // As an editor would leave it: the file is rewritten so the two agree byte for byte.
  write(ctx.paths.tokenFile, `${'k'.repeat(43)}\n`);
  t.equal(await run(ctx, ['env']), 0);
  const vars = Object.fromEntries([...cli.stdout().matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  t.equal(vars.AWS_CONTAINER_AUTHORIZATION_TOKEN, 'k'.repeat(43), 'the variable is set');
  t.equal(vars.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, undefined, 'no TOKEN_FILE exported');
  t.match(
    cli.stdout(),
    /^unset .*\bAWS_CONTAINER_AUTHORIZATION_TOKEN_FILE\b/m,
    'and a stale one is unset: it would win over the variable in botocore, Go, Rust and JS',
  );
  const file = readFileSync(ctx.paths.tokenFile);
  t.same(file, Buffer.from(vars.AWS_CONTAINER_AUTHORIZATION_TOKEN!), 'the file holds the same bytes');
  t.notOk(file.includes('\n') || file.includes('\r'), 'no CR or LF (Go and Rust refuse them)');
  for (const shell of ['fish', 'powershell']) {
    const other = sandbox(t);
    other.write(other.ctx.paths.tokenFile, 'k'.repeat(43));
    t.equal(await run(other.ctx, ['env', '--shell', shell]), 0);
    t.match(other.cli.stdout(), new RegExp(`AWS_CONTAINER_AUTHORIZATION_TOKEN\\W+'${'k'.repeat(43)}'`), `${shell}: the same token`);
  }
});

t.test('rule 8: a [default] profile with keys, which no variable can unset, is named on stderr', async (t) => {
  const { cli, ctx } = sandbox(t, {}, '[default]\naws_access_key_id = A\naws_secret_access_key = S\n');
  t.equal(await run(ctx, ['env']), 0);
  t.match(cli.stderr(), /\[default\] .* has keys, and the SDKs use them before credd/);
});
