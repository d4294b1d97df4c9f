/** `credd doctor`'s facts (gatherFacts, loginService): what it reads from the shell, the files and the daemon. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { diagnose } from '../../../src/cli/doctor/diagnose.js';
import type { ProbeResult } from '../../../src/cli/doctor/facts.js';
import { gatherFacts, loginService } from '../../../src/cli/doctor/gather.js';
import type { StatusInfo } from '../../../src/control/contract.js';
import { fakeCliContext } from '../../helpers/cli-context.js';
import { at, deps, fixture, MFA, NOW, TOKEN, URI } from './fixtures.js';

t.test('gatherFacts: a stray line is a warning, not a parse error; the file is read as the SDKs read it', async (t) => {
  const root = fixture(t, {
    config: 'region = us-west-2\n[default]\nregion = eu-west-1\n[profile "dev"]\nrole_arn = r\nsource_profile = management\n',
    credentials: 'junk\n[management]\naws_access_key_id = AKIA\naws_secret_access_key = s\n',
  });
  const cli = fakeCliContext({ root, now: NOW, env: { HOME: join(root, 'home'), AWS_PROFILE: 'dev' } });
  const f = await gatherFacts(
    cli.ctx,
    deps(async (url) => ({ url, status: 200 })),
  );
  t.equal(f.aws.error, undefined);
  t.equal(f.aws.defaultRegion, 'eu-west-1');
  t.equal(f.aws.ignored!.length, 2);
  const w = diagnose(f).find((x) => x.code === 'AwsConfigIgnored')!;
  t.equal(w.severity, 'warning');
  t.match(w.message, /config line 1 is outside any section.*credentials line 1 is outside any section/);
});

t.test('gatherFacts reads the shell, the files and the daemon', async (t) => {
  const root = fixture(t, { token: TOKEN });
  const probes: Array<[string, string | undefined]> = [];
  const statusInfo: StatusInfo & { endpoint: string } = {
    endpoint: 'http://127.0.0.1:9911',
    activeProfile: 'dev',
    sessions: [{ source: 'management', mfaSerial: MFA, expiration: at(300), valid: true }],
    profiles: [],
    errors: [],
    warnings: [],
  };
  const cli = fakeCliContext({
    root,
    now: NOW,
    env: {
      HOME: join(root, 'home'),
      XDG_RUNTIME_DIR: join(root, 'run'),
      AWS_PROFILE: 'viacredd',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${URI}/dev`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(root, 'run', 'credd', 'token'),
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'ignored',
    },
    routes: { 'GET /status': () => statusInfo },
  });
  const probe = async (url: string, token: string | undefined): Promise<ProbeResult> => {
    probes.push([url, token]);
    return { url, status: 200 };
  };
  const f = await gatherFacts(cli.ctx, deps(probe));
  t.same(probes, [[`${URI}/dev`, TOKEN]], 'the token file wins, as in botocore');
  t.match(f, {
    daemonToken: TOKEN,
    envTokenFile: { value: TOKEN },
    pinnedProfile: 'dev',
    session: { expiration: at(300) },
    daemon: { endpoint: 'http://127.0.0.1:9911', activeProfile: 'dev' },
    aws: {
      defaultConfigKeys: ['region', 'role_arn'],
      defaultCredentialsKeys: [],
      defaultRegion: 'eu-west-1',
      envProfileProcess: 'credd credential-process dev',
    },
  });
  t.same(
    diagnose(f).map((x) => x.code),
    ['TokenDisagree', 'DefaultProfile'],
  );

  const unknown = fakeCliContext({
    root,
    now: NOW,
    env: {
      HOME: join(root, 'home'),
      XDG_RUNTIME_DIR: join(root, 'run'),
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${URI}/nosuch`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN,
    },
    routes: { 'GET /status': () => statusInfo },
  });
  const u = await gatherFacts(
    unknown.ctx,
    deps(async (url) => ({ url, status: 404, code: 'UnknownProfile' })),
  );
  t.equal(u.session, undefined, 'a profile the config lacks: the probe tells');
  t.same(
    diagnose(u).map((x) => x.code),
    ['DefaultProfile', 'UnknownProfile'],
  );
  statusInfo.sessions = [];
  const noDaemonToken = fakeCliContext({
    root,
    now: NOW,
    env: { HOME: join(root, 'home'), XDG_RUNTIME_DIR: join(root, 'run'), AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/creds/dev' },
    routes: { 'GET /status': () => statusInfo },
  });
  const g = await gatherFacts(noDaemonToken.ctx, deps(probe));
  t.equal(g.session, 'missing');
  t.same(probes[1], ['http://169.254.170.2/creds/dev', undefined], 'the relative URI is probed where the SDKs would go');
});

t.test('gatherFacts without a daemon or with broken files', async (t) => {
  const root = fixture(t, { config: '[default]\nduration_seconds = 5\n', credentials: '[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n' });
  const cli = fakeCliContext({
    root,
    now: NOW,
    env: {
      HOME: join(root, 'home'),
      XDG_RUNTIME_DIR: join(root, 'run'),
      AWS_DEFAULT_PROFILE: 'default',
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(root, 'missing'),
    },
  });
  const f = await gatherFacts(
    cli.ctx,
    deps(async () => t.fail('no probe without a daemon') as never, { loginService: () => ({ file: '/u', installed: false }) }),
  );
  t.equal(f.daemon, undefined);
  t.equal(f.daemonToken, undefined);
  t.same(f.envTokenFile, { error: 'ENOENT' });
  t.match(f.aws.error, /duration_seconds "5"/);
  t.same(f.aws.defaultCredentialsKeys, ['aws_access_key_id', 'aws_secret_access_key']);
  t.same(
    diagnose(f).map((x) => x.code),
    ['EnvProfile', 'NotPointed', 'AwsConfig', 'DefaultKeys', 'DaemonNotRunning', 'NoLoginService'],
  );
});

t.test('gatherFacts in IMDS mode walks IMDS instead of the container URI', async (t) => {
  const root = fixture(t, { config: '[profile management]\nregion = us-west-2\n' });
  const status = {
    endpoint: 'http://127.0.0.1:9911',
    activeProfile: 'management',
    sessions: [],
    profiles: [],
    errors: [],
    warnings: [],
    security: { imds: true, peerCheck: { enabled: true, detail: '' } },
  };
  const env = {
    HOME: join(root, 'home'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9911/',
    AWS_REGION: 'us-west-2',
  };
  const bases: string[] = [];
  const d = deps(async () => t.fail('no container request in IMDS mode') as never, {
    imdsProbe: async (base) => {
      bases.push(base);
      return { url: `${base}latest/meta-data/iam/security-credentials/management`, status: 200, expiration: at(55) };
    },
    loginService: () => ({ file: '/h/.config/systemd/user/credd.service', installed: false }),
  });
  const f = await gatherFacts(fakeCliContext({ root, now: NOW, env, routes: { 'GET /status': () => status } }).ctx, d);
  t.same(bases, ['http://127.0.0.1:9911/']);
  t.match(f, { daemon: { endpoint: 'http://127.0.0.1:9911', imds: true }, service: { installed: false }, probe: { status: 200, expiration: at(55) } });
  t.same(
    diagnose(f).map((x) => `${x.severity} ${x.code}`),
    ['warning NoLoginService'],
  );

  status.security.imds = false;
  const off = await gatherFacts(fakeCliContext({ root, now: NOW, env, routes: { 'GET /status': () => status } }).ctx, d);
  t.equal(off.probe, undefined, 'IMDS switched off: nothing to walk');
  t.equal(bases.length, 1);
  t.same(
    diagnose(off).map((x) => x.code),
    ['ImdsOff', 'NoLoginService'],
  );

  const broken = { ...status, activeProfile: undefined, configError: 'line 3 is broken', security: undefined };
  const b = await gatherFacts(fakeCliContext({ root, now: NOW, env, routes: { 'GET /status': () => broken } }).ctx, d);
  t.same(b.daemon, { endpoint: 'http://127.0.0.1:9911', configError: 'line 3 is broken' }, 'an older daemon that does not say whether IMDS is on');
  t.equal(bases.length, 2, 'walked: only a daemon that says IMDS is off is not asked');

  const withoutService = await gatherFacts(fakeCliContext({ root, now: NOW, env }).ctx, { ...d, loginService: () => undefined });
  t.equal(withoutService.service, undefined);
  t.equal(withoutService.daemon, undefined);
});

t.test('loginService finds the unit or the agent where credd service writes it', async (t) => {
  const root = t.testdir({ home: { '.config': { systemd: { user: { 'credd.service': '[Unit]\n' } } } } });
  const home = join(root, 'home');
  t.same(loginService(fakeCliContext({ root, env: { HOME: home } }).ctx), { file: join(home, '.config', 'systemd', 'user', 'credd.service'), installed: true });
  t.same(
    loginService(fakeCliContext({ root, env: { HOME: home, XDG_CONFIG_HOME: join(root, 'cfg') } }).ctx),
    { file: join(root, 'cfg', 'systemd', 'user', 'credd.service'), installed: false },
    'XDG_CONFIG_HOME, as credd service',
  );
  const asked: string[] = [];
  const mac = fakeCliContext({ root, platform: 'darwin', env: { HOME: '/Users/u' } });
  t.same(
    loginService(mac.ctx, (p) => asked.push(p) > 0),
    { file: '/Users/u/Library/LaunchAgents/dev.credd.daemon.plist', installed: true },
  );
  t.same(asked, ['/Users/u/Library/LaunchAgents/dev.credd.daemon.plist']);
  t.equal(
    loginService(fakeCliContext({ root, platform: 'win32', env: { HOME: 'C:\\Users\\u' } }).ctx),
    undefined,
    'no login service on Windows: nothing to warn about',
  );
  t.equal(
    loginService(fakeCliContext({ root, env: {} }).ctx, () => false)!.file,
    join(homedir(), '.config', 'systemd', 'user', 'credd.service'),
    "no HOME: the account's home",
  );
});
