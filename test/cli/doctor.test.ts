import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { createDoctorCommand, gatherFacts, httpProbe, sectionKeys } from '../../src/cli/commands/doctor.js';
import { diagnose, runsCredd, type DoctorFacts, type ProbeResult } from '../../src/cli/doctor-checks.js';
import { run } from '../../src/cli/run.js';
import type { StatusInfo } from '../../src/daemon/describe.js';
import { fakeCliContext } from '../helpers/cli-context.js';
import { reachableImports } from './import-graph.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NOW = Date.parse('2030-01-01T12:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
const TOKEN = 'T'.repeat(43);
const MFA = 'arn:aws:iam::111111111111:mfa/user.name';
const URI = 'http://127.0.0.1:9911/creds';

/** A shell and a daemon with nothing wrong. */
function healthy(): DoctorFacts {
  return {
    platform: 'linux',
    env: {
      XDG_RUNTIME_DIR: '/run/user/1000',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: URI,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: '/run/user/1000/credd/token',
      AWS_REGION: 'us-west-2',
    },
    daemonToken: TOKEN,
    envTokenFile: { value: TOKEN },
    aws: { configFile: '/h/.aws/config', credentialsFile: '/h/.aws/credentials', defaultConfigKeys: [], defaultCredentialsKeys: [] },
    daemon: { endpoint: 'http://127.0.0.1:9911', activeProfile: 'dev' },
    session: { expiration: at(600) },
    probe: { url: URI, status: 200 },
    now: NOW,
  };
}

/** The findings for the healthy facts changed by `change`, as "severity code". */
function codes(change: (f: DoctorFacts) => void): string[] {
  const f = healthy();
  change(f);
  return diagnose(f).map((x) => `${x.severity} ${x.code}`);
}

t.test('nothing to report for a healthy shell', async (t) => {
  t.same(diagnose(healthy()), []);
});

t.test('the environment', async (t) => {
  t.same(codes((f) => (f.env.AWS_ACCESS_KEY_ID = 'AKIA')), ['error EnvKeys']);
  t.same(codes((f) => Object.assign(f.env, { AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' })), ['error EnvKeys'], 'one finding for all of them');
  t.same(codes((f) => (f.env.AWS_PROFILE = 'dev')), ['error EnvProfile']);
  t.same(codes((f) => (f.env.AWS_DEFAULT_PROFILE = 'dev')), ['error EnvProfile']);
  t.same(codes((f) => {
    f.env.AWS_PROFILE = 'dev';
    f.aws.envProfileProcess = '/usr/local/bin/credd credential-process dev';
  }), [], 'a profile whose credential_process is credd is fine');
  t.same(codes((f) => (f.env.AWS_WEB_IDENTITY_TOKEN_FILE = '/t')), ['error WebIdentity']);
  t.same(codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/creds/dev')), ['error RelativeUri']);
  t.same(codes((f) => delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI), ['error NotPointed']);
  t.same(codes((f) => {
    delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9911/';
  }), [], 'the IMDS form of credd env');
  t.same(codes((f) => {
    delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
    f.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/creds/dev';
  }), [], 'inside a container on the ECS network');
  t.same(codes((f) => delete f.env.AWS_REGION), ['warning NoRegion']);
  t.same(codes((f) => {
    delete f.env.AWS_REGION;
    f.aws.defaultRegion = 'eu-west-1';
  }), [], '[default] names a region');
  t.same(codes((f) => delete f.env.XDG_RUNTIME_DIR), ['warning RuntimeDir']);
  t.same(codes((f) => {
    delete f.env.XDG_RUNTIME_DIR;
    f.platform = 'darwin';
  }), [], 'macOS has no XDG_RUNTIME_DIR');
});

t.test('the URI', async (t) => {
  for (const uri of ['http://localhost:9911/creds', 'http://127.0.0.2:9911/creds', 'http://[::1]:9911/creds']) {
    t.same(codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri)), ['warning FullUriHost'], uri);
  }
  for (const uri of ['http://10.0.0.5:9911/creds', 'https://127.0.0.1:9911/creds', 'not a url', 'http://169.254.170.2/creds']) {
    t.same(codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri)), ['error FullUriHost'], uri);
  }
});

t.test('the token', async (t) => {
  t.same(codes((f) => {
    delete f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
    delete f.envTokenFile;
  }), ['error TokenMissing']);
  t.same(codes((f) => delete f.envTokenFile), [], 'the variable alone is enough');
  t.same(codes((f) => delete f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN), [], 'the file alone is enough');
  t.same(codes((f) => (f.envTokenFile = { error: 'ENOENT' })), ['error TokenFile']);
  t.same(codes((f) => {
    f.envTokenFile = { value: `${TOKEN}\n` };
    f.daemonToken = `${TOKEN}\n`;
    f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = `${TOKEN}\n`;
  }), ['error TokenFile'], 'Go and Rust refuse a line break');
  t.same(codes((f) => (f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'other'.repeat(9))), ['error TokenDisagree']);
  t.same(codes((f) => {
    f.daemonToken = 'N'.repeat(43);
    f.probe = { url: URI, status: 401, code: 'Unauthorized' };
  }), ['error TokenStale'], 'stale: the 401 is explained, not repeated');
});

t.test('the AWS files', async (t) => {
  t.same(codes((f) => (f.aws.defaultCredentialsKeys = ['aws_access_key_id', 'aws_secret_access_key'])), ['error DefaultKeys']);
  t.same(codes((f) => (f.aws.defaultConfigKeys = ['region', 'aws_access_key_id'])), ['error DefaultKeys']);
  for (const key of ['role_arn', 'credential_process', 'sso_session', 'sso_start_url', 'web_identity_token_file']) {
    t.same(codes((f) => (f.aws.defaultConfigKeys = ['region', key])), ['error DefaultProfile'], key);
  }
  t.same(codes((f) => {
    f.aws.defaultConfigKeys = ['credential_process'];
    f.aws.defaultCredentialProcess = 'credd credential-process dev';
  }), []);
  t.same(codes((f) => (f.aws.defaultConfigKeys = ['region', 'output'])), []);
  t.same(codes((f) => (f.aws.error = 'line 3 is neither [section] nor key = value')), ['error AwsConfig']);
  t.ok(runsCredd('node /opt/credd/dist/bin/credd.js credential-process prod'));
  t.notOk(runsCredd('aws-vault export dev'));
  t.notOk(runsCredd(undefined));
});

t.test('the daemon and what it answers', async (t) => {
  t.same(codes((f) => {
    delete f.daemon;
    delete f.probe;
  }), ['error DaemonNotRunning']);
  t.same(codes((f) => (f.daemon = { endpoint: 'x', activeProfile: 'dev', configError: 'bad' })), ['error AwsConfig']);
  t.same(codes((f) => {
    f.daemon = { endpoint: 'x' };
    f.probe = { url: URI, status: 404, code: 'NoActiveProfile', message: 'No active profile' };
  }), ['error NoActiveProfile']);
  t.same(codes((f) => {
    f.daemon = { endpoint: 'x' };
    f.pinnedProfile = 'prod';
  }), [], 'a pinned URI needs no active profile');
  t.same(codes((f) => {
    f.session = 'missing';
    f.probe = { url: URI, status: 403, code: 'MfaRequired' };
  }), ['error MfaRequired']);
  t.same(codes((f) => (f.session = { expiration: at(10) })), ['warning SessionEnding']);
  t.same(codes((f) => (f.probe = { url: URI, error: 'ECONNREFUSED' })), ['error EndpointUnreachable']);
  t.same(codes((f) => (f.probe = { url: URI, status: 403, code: 'AccessDenied', message: 'not allowed' })), ['error AccessDenied']);
  t.same(codes((f) => (f.probe = { url: URI, status: 404, code: 'UnknownProfile' })), ['error UnknownProfile']);
  t.same(codes((f) => (f.probe = { url: URI, status: 503, code: 'StsUnavailable' })), ['warning EndpointError']);
  t.same(codes((f) => (f.probe = { url: URI, status: 500 })), ['error EndpointError']);
  const unreachable = healthy();
  unreachable.probe = { url: 'http://127.0.0.1:1/creds', error: 'ECONNREFUSED' };
  t.match(diagnose(unreachable)[0], { message: 'Nothing answers at http://127.0.0.1:1/creds (ECONNREFUSED); the daemon listens at http://127.0.0.1:9911.', fix: 'eval "$(credd env)"' });
});

t.test('every message names a fix, and none carries the token', async (t) => {
  const f = healthy();
  Object.assign(f.env, { AWS_ACCESS_KEY_ID: 'AKIA', AWS_PROFILE: 'dev', AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/x', AWS_CONTAINER_AUTHORIZATION_TOKEN: 'W'.repeat(43) });
  f.daemonToken = 'D'.repeat(43);
  f.aws.defaultConfigKeys = ['role_arn', 'aws_access_key_id'];
  const all = diagnose(f);
  t.ok(all.length >= 6);
  for (const x of all) {
    t.ok(x.fix.length > 0, x.code);
    t.notMatch(JSON.stringify(x), /WWWW|DDDD|TTTT/, `${x.code} has no token`);
  }
});

/** A fake credential endpoint that answers with `status` and `body`, and records the Authorization header. */
async function endpoint(t: Test, status: number, body: string): Promise<{ url: string; auth: Array<string | undefined> }> {
  const auth: Array<string | undefined> = [];
  const server: Server = createServer((req, res) => {
    auth.push(req.headers.authorization);
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`, auth };
}

t.test('httpProbe sends the raw token and keeps only the error code', async (t) => {
  const ok = await endpoint(t, 200, '{"AccessKeyId":"ASIA","SecretAccessKey":"secret","Token":"t","Expiration":"2030-01-01T13:00:00Z"}');
  t.same(await httpProbe(ok.url, TOKEN), { url: ok.url, status: 200 }, 'the credentials are not kept');
  t.same(ok.auth, [TOKEN]);
  const mfa = await endpoint(t, 403, '{"Code":"MfaRequired","Message":"run credd mfa"}');
  t.same(await httpProbe(mfa.url, undefined), { url: mfa.url, status: 403, code: 'MfaRequired', message: 'run credd mfa' });
  t.same(mfa.auth, [undefined]);
  const html = await endpoint(t, 502, '<html>');
  t.same(await httpProbe(html.url, TOKEN), { url: html.url, status: 502 });
  t.match(await httpProbe('http://127.0.0.1:1/creds', TOKEN), { error: 'ECONNREFUSED' });
  const silent = createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.teardown(() => silent.closeAllConnections());
  t.teardown(() => silent.close());
  t.match(await httpProbe(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/creds`, TOKEN, 50), { error: 'no answer within 50 ms' });
});

t.test('sectionKeys reads sections the way the checks need', async (t) => {
  const s = sectionKeys('; c\n[default]\nregion = eu-west-1\n  # x\n[ profile dev ]\nrole_arn=arn\n[default]\noutput = json\n');
  t.same([...s.keys()], ['default', 'profile dev']);
  t.same([...s.get('default')!], [['region', 'eu-west-1'], ['output', 'json']]);
  t.same([...s.get('profile dev')!], [['role_arn', 'arn']]);
});

const CONFIG = `[default]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/x\n\n[profile management]\nregion = us-west-2\n\n[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/R\nmfa_serial = ${MFA}\n\n[profile viacredd]\ncredential_process = credd credential-process dev\n`;

function fixture(t: Test, files: { config?: string; credentials?: string; token?: string } = {}) {
  return t.testdir({
    home: { '.aws': { config: files.config ?? CONFIG, credentials: files.credentials ?? '[management]\naws_access_key_id = AKIA\naws_secret_access_key = s\n' } },
    run: { credd: files.token === undefined ? {} : { token: files.token } },
  });
}

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
    env: { HOME: join(root, 'home'), XDG_RUNTIME_DIR: join(root, 'run'), AWS_PROFILE: 'viacredd', AWS_CONTAINER_CREDENTIALS_FULL_URI: `${URI}/dev`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(root, 'run', 'credd', 'token'), AWS_CONTAINER_AUTHORIZATION_TOKEN: 'ignored' },
    routes: { 'GET /status': () => statusInfo },
  });
  const probe = async (url: string, token: string | undefined): Promise<ProbeResult> => {
    probes.push([url, token]);
    return { url, status: 200 };
  };
  const f = await gatherFacts(cli.ctx, { probe });
  t.same(probes, [[`${URI}/dev`, TOKEN]], 'the token file wins, as in botocore');
  t.match(f, {
    daemonToken: TOKEN,
    envTokenFile: { value: TOKEN },
    pinnedProfile: 'dev',
    session: { expiration: at(300) },
    daemon: { endpoint: 'http://127.0.0.1:9911', activeProfile: 'dev' },
    aws: { defaultConfigKeys: ['region', 'role_arn'], defaultCredentialsKeys: [], defaultRegion: 'eu-west-1', envProfileProcess: 'credd credential-process dev' },
  });
  t.same(diagnose(f).map((x) => x.code), ['TokenDisagree', 'DefaultProfile']);

  const unknown = fakeCliContext({ root, now: NOW, env: { HOME: join(root, 'home'), XDG_RUNTIME_DIR: join(root, 'run'), AWS_CONTAINER_CREDENTIALS_FULL_URI: `${URI}/nosuch`, AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN }, routes: { 'GET /status': () => statusInfo } });
  const u = await gatherFacts(unknown.ctx, { probe: async (url) => ({ url, status: 404, code: 'UnknownProfile' }) });
  t.equal(u.session, undefined, 'a profile the config lacks: the probe tells');
  t.same(diagnose(u).map((x) => x.code), ['DefaultProfile', 'UnknownProfile']);
  statusInfo.sessions = [];
  const noDaemonToken = fakeCliContext({ root, now: NOW, env: { HOME: join(root, 'home'), XDG_RUNTIME_DIR: join(root, 'run'), AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/creds/dev' }, routes: { 'GET /status': () => statusInfo } });
  const g = await gatherFacts(noDaemonToken.ctx, { probe });
  t.equal(g.session, 'missing');
  t.same(probes[1], ['http://169.254.170.2/creds/dev', undefined], 'the relative URI is probed where the SDKs would go');
});

t.test('gatherFacts without a daemon or with broken files', async (t) => {
  const root = fixture(t, { config: '[default]\nthis line is broken\n', credentials: '[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n' });
  const cli = fakeCliContext({ root, now: NOW, env: { HOME: join(root, 'home'), XDG_RUNTIME_DIR: join(root, 'run'), AWS_DEFAULT_PROFILE: 'default', AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(root, 'missing') } });
  const f = await gatherFacts(cli.ctx, { probe: async () => t.fail('no probe without a daemon') as never });
  t.equal(f.daemon, undefined);
  t.equal(f.daemonToken, undefined);
  t.same(f.envTokenFile, { error: 'ENOENT' });
  t.match(f.aws.error, /line 2/);
  t.same(f.aws.defaultCredentialsKeys, ['aws_access_key_id', 'aws_secret_access_key']);
  t.same(diagnose(f).map((x) => x.code), ['EnvProfile', 'NotPointed', 'AwsConfig', 'DefaultKeys', 'DaemonNotRunning']);
});

t.test('the command: one line per finding with its fix, --json, exit 1 only for errors', async (t) => {
  const root = fixture(t, { config: '[profile management]\nregion = us-west-2\n', token: TOKEN });
  const env = { HOME: join(root, 'home'), XDG_RUNTIME_DIR: join(root, 'run'), AWS_CONTAINER_CREDENTIALS_FULL_URI: URI, AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN };
  const status = { endpoint: 'http://127.0.0.1:9911', activeProfile: 'management', sessions: [], profiles: [], errors: [] };
  const doctor = createDoctorCommand({ probe: async (url) => ({ url, status: 200 }) });

  const warn = fakeCliContext({ root, env, routes: { 'GET /status': () => status } });
  t.equal(await doctor(warn.ctx, []), 0, 'a warning alone exits 0');
  t.equal(warn.stdout(), 'warning: No region: neither AWS_REGION nor AWS_DEFAULT_REGION is set, and [default] names none; most SDK calls need one. Fix: eval "$(credd env)" (it sets the profile\'s region), or export AWS_REGION=us-west-2\n');

  const clean = fakeCliContext({ root, env: { ...env, AWS_REGION: 'us-west-2' }, routes: { 'GET /status': () => status } });
  t.equal(await doctor(clean.ctx, []), 0);
  t.equal(clean.stdout(), 'ok: nothing here keeps the SDKs from getting credentials from credd.\n');

  const bad = fakeCliContext({ root, env: { ...env, AWS_PROFILE: 'dev' } });
  t.equal(await doctor(bad.ctx, ['--json']), 1);
  const doc = JSON.parse(bad.stdout()) as { ok: boolean; findings: Array<{ code: string; severity: string; message: string; fix: string }> };
  t.equal(doc.ok, false);
  t.same(doc.findings.map((x) => x.code), ['EnvProfile', 'NoRegion', 'DaemonNotRunning']);
  t.match(doc.findings[0], { severity: 'error', message: /^AWS_PROFILE=dev is set/, fix: /^unset AWS_PROFILE/ });

  const viaRun = fakeCliContext({ root, env });
  t.equal(await run(viaRun.ctx, ['doctor', '--verbose']), 2, 'usage errors exit 2');
  t.equal(await run(viaRun.ctx, ['doctor', '--help']), 0);
  t.match(viaRun.stdout(), /^Usage: credd doctor \[--json\]/);
  t.same(
    [...reachableImports(join(ROOT, 'src', 'cli', 'commands', 'doctor.ts'))].filter((s) => s.startsWith('@aws-sdk')),
    [],
    'doctor does not load the AWS SDK either',
  );
});
