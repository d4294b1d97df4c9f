import { chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { createDoctorCommand } from '../../src/cli/commands/doctor.js';
import { gatherFacts, loginService, type DoctorDeps } from '../../src/cli/doctor/gather.js';
import { diagnose } from '../../src/cli/doctor/diagnose.js';
import { runsCredd, type DoctorFacts, type ProbeResult } from '../../src/cli/doctor/facts.js';
import { run } from '../../src/cli/run.js';
import type { StatusInfo } from '../../src/control/contract.js';
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
    probe: { url: URI, status: 200, expiration: at(55) },
    service: { file: '/h/.config/systemd/user/credd.service', installed: true },
    now: NOW,
  };
}

/** Fakes for what gatherFacts asks outside the context: no IMDS probe expected, a login service installed. */
function deps(probe: DoctorDeps['probe'], more: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    probe,
    imdsProbe: async () => {
      throw new Error('no IMDS probe expected');
    },
    loginService: () => ({ file: '/h/.config/systemd/user/credd.service', installed: true }),
    ...more,
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
  t.same(
    codes((f) => (f.env.AWS_ACCESS_KEY_ID = 'AKIA')),
    ['error EnvKeys'],
  );
  t.same(
    codes((f) => Object.assign(f.env, { AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' })),
    ['error EnvKeys'],
    'one finding for all of them',
  );
  t.same(
    codes((f) => (f.env.AWS_PROFILE = 'dev')),
    ['error EnvProfile'],
  );
  t.same(
    codes((f) => (f.env.AWS_DEFAULT_PROFILE = 'dev')),
    ['error EnvProfile'],
  );
  t.same(
    codes((f) => {
      f.env.AWS_PROFILE = 'dev';
      f.aws.envProfileProcess = '/usr/local/bin/credd credential-process dev';
    }),
    [],
    'a profile whose credential_process is credd is fine',
  );
  t.same(
    codes((f) => (f.env.AWS_WEB_IDENTITY_TOKEN_FILE = '/t')),
    ['error WebIdentity'],
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/creds/dev')),
    ['error RelativeUri'],
  );
  t.same(
    codes((f) => delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI),
    ['error NotPointed'],
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      delete f.probe;
    }),
    ['error NotPointed'],
    'nothing to probe',
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9911/';
    }),
    [],
    'the IMDS form of credd env',
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      f.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/creds/dev';
    }),
    [],
    'inside a container on the ECS network',
  );
  t.same(
    codes((f) => delete f.env.AWS_REGION),
    ['warning NoRegion'],
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_REGION;
      f.aws.defaultRegion = 'eu-west-1';
    }),
    [],
    '[default] names a region',
  );
  t.same(
    codes((f) => delete f.env.XDG_RUNTIME_DIR),
    ['warning RuntimeDir'],
  );
  t.same(
    codes((f) => {
      delete f.env.XDG_RUNTIME_DIR;
      f.platform = 'darwin';
    }),
    [],
    'macOS has no XDG_RUNTIME_DIR',
  );
});

t.test('the URI', async (t) => {
  for (const uri of ['http://localhost:9911/creds', 'http://127.0.0.2:9911/creds', 'http://[::1]:9911/creds']) {
    t.same(
      codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri)),
      ['warning FullUriHost'],
      uri,
    );
  }
  for (const uri of ['http://10.0.0.5:9911/creds', 'https://127.0.0.1:9911/creds', 'not a url', 'http://169.254.170.2:9911/creds']) {
    t.same(
      codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = uri)),
      ['error FullUriHost'],
      uri,
    );
  }
});

t.test('the token', async (t) => {
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
      delete f.envTokenFile;
    }),
    ['error TokenMissing'],
  );
  t.same(
    codes((f) => delete f.envTokenFile),
    [],
    'the variable alone is enough',
  );
  t.same(
    codes((f) => delete f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN),
    [],
    'the file alone is enough',
  );
  t.same(
    codes((f) => (f.envTokenFile = { error: 'ENOENT' })),
    ['error TokenFile'],
  );
  t.same(
    codes((f) => {
      f.envTokenFile = { value: `${TOKEN}\n` };
      f.daemonToken = `${TOKEN}\n`;
      f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = `${TOKEN}\n`;
    }),
    ['error TokenFile'],
    'Go and Rust refuse a line break',
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'other'.repeat(9))),
    ['error TokenDisagree'],
  );
  t.same(
    codes((f) => {
      f.daemonToken = 'N'.repeat(43);
      f.probe = { url: URI, status: 401, code: 'Unauthorized' };
    }),
    ['error TokenStale'],
    'stale: the 401 is explained, not repeated',
  );
});

t.test('the AWS files', async (t) => {
  t.same(
    codes((f) => (f.aws.defaultCredentialsKeys = ['aws_access_key_id', 'aws_secret_access_key'])),
    ['error DefaultKeys'],
  );
  t.same(
    codes((f) => (f.aws.defaultConfigKeys = ['region', 'aws_access_key_id'])),
    ['error DefaultKeys'],
  );
  for (const key of ['role_arn', 'credential_process', 'sso_session', 'sso_start_url', 'web_identity_token_file']) {
    t.same(
      codes((f) => (f.aws.defaultConfigKeys = ['region', key])),
      ['error DefaultProfile'],
      key,
    );
  }
  t.same(
    codes((f) => {
      f.aws.defaultConfigKeys = ['credential_process'];
      f.aws.defaultCredentialProcess = 'credd credential-process dev';
    }),
    [],
  );
  t.same(
    codes((f) => (f.aws.defaultConfigKeys = ['region', 'output'])),
    [],
  );
  t.same(
    codes((f) => (f.aws.ignored = ['/c line 1 is outside any section'])),
    ['warning AwsConfigIgnored'],
  );
  const many = diagnose(Object.assign(healthy(), {}));
  many.length = 0;
  t.same(
    codes((f) => (f.aws.error = 'line 3 is neither [section] nor key = value')),
    ['error AwsConfig'],
  );
  t.ok(runsCredd('node /opt/credd/dist/bin/credd.js credential-process prod'));
  t.notOk(runsCredd('aws-vault export dev'));
  t.notOk(runsCredd(undefined));
});

t.test('the daemon and what it answers', async (t) => {
  t.same(
    codes((f) => {
      delete f.daemon;
      delete f.probe;
    }),
    ['error DaemonNotRunning'],
  );
  t.same(
    codes((f) => (f.daemon = { endpoint: 'x', activeProfile: 'dev', configError: 'bad' })),
    ['error AwsConfig'],
  );
  t.same(
    codes((f) => {
      f.daemon = { endpoint: 'x' };
      f.probe = { url: URI, status: 404, code: 'NoActiveProfile', message: 'No active profile' };
    }),
    ['error NoActiveProfile'],
  );
  t.same(
    codes((f) => {
      f.daemon = { endpoint: 'x' };
      f.pinnedProfile = 'prod';
    }),
    [],
    'a pinned URI needs no active profile',
  );
  t.same(
    codes((f) => {
      f.session = 'missing';
      f.probe = { url: URI, status: 403, code: 'MfaRequired' };
    }),
    ['error MfaRequired'],
  );
  t.same(
    codes((f) => (f.session = { expiration: at(10) })),
    ['warning SessionEnding'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, error: 'ECONNREFUSED' })),
    ['error EndpointUnreachable'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 403, code: 'AccessDenied', message: 'not allowed' })),
    ['error AccessDenied'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 404, code: 'UnknownProfile' })),
    ['error UnknownProfile'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 503, code: 'StsUnavailable' })),
    ['warning EndpointError'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 500 })),
    ['error EndpointError'],
  );
  const unreachable = healthy();
  unreachable.probe = { url: 'http://127.0.0.1:1/creds', error: 'ECONNREFUSED' };
  t.match(diagnose(unreachable)[0], {
    message: 'Nothing answers at http://127.0.0.1:1/creds (ECONNREFUSED); the daemon listens at http://127.0.0.1:9911.',
    fix: 'eval "$(credd env)"',
  });
});

t.test('a shell pointed at a port the daemon does not listen on', async (t) => {
  const elsewhere = healthy();
  elsewhere.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9922/creds';
  elsewhere.probe = { url: 'http://127.0.0.1:9922/creds', error: 'ECONNREFUSED' };
  t.same(
    diagnose(elsewhere),
    [
      {
        code: 'EndpointElsewhere',
        severity: 'error',
        message:
          'AWS_CONTAINER_CREDENTIALS_FULL_URI names port 9922, but the daemon listens at http://127.0.0.1:9911: the SDKs in this shell ask something else, or nothing.',
        fix: 'eval "$(credd env)"',
      },
    ],
    'one finding: the unreachable probe follows from it',
  );
  t.same(
    codes((f) => {
      f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1:9922/creds';
      f.probe = { url: 'http://127.0.0.1:9922/creds', status: 200, expiration: at(1) };
    }),
    ['error EndpointElsewhere'],
    'whatever answers there is not this daemon',
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'http://127.0.0.1/creds')),
    ['error EndpointElsewhere'],
    'no port: 80',
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'https://127.0.0.1/creds')),
    ['error FullUriHost', 'error EndpointElsewhere'],
    'https: 443',
  );
  t.same(
    codes((f) => (f.daemon = { endpoint: 'http://0.0.0.0:9911', activeProfile: 'dev' })),
    [],
    'a wildcard listen address: the port decides',
  );
  t.same(
    codes((f) => (f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = 'not a url')),
    ['error FullUriHost'],
    'a URI that does not parse is a host finding only',
  );
  t.same(
    codes((f) => {
      delete f.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
      f.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = '/creds/dev';
      f.probe = { url: 'http://169.254.170.2/creds/dev', status: 200, expiration: at(55) };
    }),
    [],
    'the relative URI is a container network: no port to compare',
  );
});

/** The healthy facts in IMDS mode: what `credd env --imds` exports, and the IMDS walk succeeded. */
function imdsShell(f: DoctorFacts): void {
  for (const k of ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']) delete f.env[k];
  delete f.envTokenFile;
  f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9911/';
  f.daemon = { endpoint: 'http://127.0.0.1:9911', activeProfile: 'dev', imds: true };
  f.probe = { url: 'http://127.0.0.1:9911/latest/meta-data/iam/security-credentials/dev', status: 200, expiration: at(55) };
}
const imds = (change: (f: DoctorFacts) => void) =>
  codes((f) => {
    imdsShell(f);
    change(f);
  });
const IMDS_CREDS = 'http://127.0.0.1:9911/latest/meta-data/iam/security-credentials/dev';

t.test('IMDS mode', async (t) => {
  t.same(
    imds(() => {}),
    [],
    'what credd env --imds sets',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_DISABLED = 'true')),
    ['error ImdsDisabled'],
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_DISABLED = 'TRUE')),
    ['error ImdsDisabled'],
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_DISABLED = '1')),
    ['error ImdsDisabled'],
    'the JS SDK: any value but false',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_DISABLED = 'false')),
    [],
  );
  const disabled = healthy();
  imdsShell(disabled);
  disabled.env.AWS_EC2_METADATA_DISABLED = 'true';
  t.match(diagnose(disabled)[0], {
    message: /^AWS_EC2_METADATA_DISABLED=true is set: the SDKs do not ask IMDS/,
    fix: 'unset AWS_EC2_METADATA_DISABLED (or eval "$(credd env --imds)")',
  });
  t.same(
    codes((f) => (f.env.AWS_EC2_METADATA_DISABLED = 'true')),
    [],
    'irrelevant while the container variables are set: the SDKs never get to IMDS',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE = 'IPv6')),
    ['warning ImdsEndpointMode'],
    'the endpoint variable wins in the SDKs',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE = 'IPv4')),
    [],
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE = 'ipv7')),
    ['error ImdsEndpointMode'],
    'botocore stops on other values',
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://10.0.0.1:9911/')),
    ['error ImdsEndpointHost'],
  );
  t.same(
    imds((f) => (f.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://localhost:9911/')),
    ['warning ImdsEndpointHost'],
  );
  t.same(
    imds((f) => delete f.env.AWS_REGION),
    ['warning NoRegion'],
    'a region is still needed',
  );
});

t.test('IMDS mode: the daemon and what it answered', async (t) => {
  const elsewhere = healthy();
  imdsShell(elsewhere);
  elsewhere.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9922/';
  t.match(diagnose(elsewhere), [
    {
      code: 'EndpointElsewhere',
      severity: 'error',
      message: /^AWS_EC2_METADATA_SERVICE_ENDPOINT names port 9922, but the daemon listens at http:\/\/127.0.0.1:9911/,
      fix: 'eval "$(credd env --imds)"',
    },
  ]);
  t.equal(diagnose(elsewhere).length, 1);
  t.same(
    imds((f) => {
      f.daemon!.imds = false;
      f.probe = { url: 'http://127.0.0.1:9911/latest/api/token', status: 404, code: 'ImdsOff', message: 'Not Found' };
    }),
    ['error ImdsOff'],
    'switched off in the settings: one finding',
  );
  t.same(
    imds((f) => {
      delete f.daemon!.imds;
      f.probe = { url: 'http://127.0.0.1:9911/latest/api/token', status: 404, code: 'ImdsOff', message: 'Not Found' };
    }),
    ['error ImdsOff'],
    'a daemon that does not say: the 404 to the PUT tells',
  );
  t.same(
    imds((f) => (f.probe = { url: 'http://127.0.0.1:9911/latest/api/token', error: 'ECONNREFUSED' })),
    ['error EndpointUnreachable'],
  );
  const unreachable = healthy();
  imdsShell(unreachable);
  unreachable.probe = { url: 'http://127.0.0.1:9911/latest/api/token', error: 'ECONNREFUSED' };
  t.equal(diagnose(unreachable)[0]!.fix, 'eval "$(credd env --imds)"');
  t.same(
    imds((f) => {
      f.session = 'missing';
      f.probe = { url: IMDS_CREDS, status: 403, message: 'Profile "dev" needs an MFA session: run `credd mfa`' };
    }),
    ['error MfaRequired'],
    'the refusal follows from the missing session',
  );
  t.same(
    imds((f) => {
      delete f.daemon!.activeProfile;
      f.probe = { url: 'http://127.0.0.1:9911/latest/meta-data/iam/security-credentials/', status: 404, code: 'NoActiveProfile', message: 'Not Found' };
    }),
    ['error NoActiveProfile'],
  );
  const denied = healthy();
  imdsShell(denied);
  denied.probe = { url: IMDS_CREDS, status: 403, message: 'AssumeRole refused' };
  t.same(diagnose(denied), [
    { code: 'EndpointError', severity: 'error', message: `${IMDS_CREDS} answered 403: AssumeRole refused`, fix: 'see credd status and the daemon log' },
  ]);
  t.same(
    imds((f) => (f.probe = { url: IMDS_CREDS, status: 503, message: 'STS did not answer' })),
    ['warning EndpointError'],
    '503 is transient',
  );
});

t.test('the served credentials near expiry', async (t) => {
  const soon = healthy();
  soon.probe = { url: URI, status: 200, expiration: at(14) };
  t.same(diagnose(soon), [
    {
      code: 'CredentialsExpiring',
      severity: 'warning',
      message: `The credentials credd serves expire in 14 min (${at(14)}): botocore refetches them on every call from 15 min before.`,
      fix: 'credd refresh; credd status shows why they were not renewed (an MFA session that ends: credd mfa)',
    },
  ]);
  t.same(
    codes((f) => (f.probe = { url: URI, status: 200, expiration: at(15) })),
    [],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 200, expiration: at(0) })),
    ['error CredentialsExpiring'],
    'expired: the SDKs fail',
  );
  t.match(
    codes((f) => (f.probe = { url: URI, status: 200, expiration: at(-5) })),
    ['error CredentialsExpiring'],
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 200 })),
    [],
    'no Expiration read: nothing to say',
  );
  t.same(
    codes((f) => (f.probe = { url: URI, status: 200, expiration: 'soon' })),
    [],
    'nor about one that does not parse',
  );
  t.same(
    imds((f) => (f.probe = { url: IMDS_CREDS, status: 200, expiration: at(3) })),
    ['warning CredentialsExpiring'],
    'through IMDS too',
  );
});

t.test('the login service', async (t) => {
  const none = healthy();
  none.service = { file: '/h/.config/systemd/user/credd.service', installed: false };
  t.same(diagnose(none), [
    {
      code: 'NoLoginService',
      severity: 'warning',
      message: 'credd does not start at login (no /h/.config/systemd/user/credd.service): after a reboot the SDKs find no daemon until you run credd start.',
      fix: 'credd service install',
    },
  ]);
  t.same(
    codes((f) => delete f.service),
    [],
    'a platform without one',
  );
  t.same(
    codes((f) => {
      delete f.daemon;
      delete f.probe;
      f.service!.installed = false;
    }),
    ['error DaemonNotRunning', 'warning NoLoginService'],
  );
});

t.test('every message names a fix, and none carries the token', async (t) => {
  const f = healthy();
  Object.assign(f.env, {
    AWS_ACCESS_KEY_ID: 'AKIA',
    AWS_PROFILE: 'dev',
    AWS_WEB_IDENTITY_TOKEN_FILE: '/t',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/x',
    AWS_CONTAINER_AUTHORIZATION_TOKEN: 'W'.repeat(43),
  });
  f.daemonToken = 'D'.repeat(43);
  f.aws.defaultConfigKeys = ['role_arn', 'aws_access_key_id'];
  const all = diagnose(f);
  t.ok(all.length >= 6);
  for (const x of all) {
    t.ok(x.fix.length > 0, x.code);
    t.notMatch(JSON.stringify(x), /WWWW|DDDD|TTTT/, `${x.code} has no token`);
  }
});

const CONFIG = `[default]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:role/x\n\n[profile management]\nregion = us-west-2\n\n[profile dev]\nsource_profile = management\nrole_arn = arn:aws:iam::222222222222:role/R\nmfa_serial = ${MFA}\n\n[profile viacredd]\ncredential_process = credd credential-process dev\n`;

function fixture(t: Test, files: { config?: string; credentials?: string; token?: string } = {}) {
  const root = t.testdir({
    home: {
      '.aws': { config: files.config ?? CONFIG, credentials: files.credentials ?? '[management]\naws_access_key_id = AKIA\naws_secret_access_key = s\n' },
    },
    run: { credd: files.token === undefined ? {} : { token: files.token } },
  });
  // As credd makes it: a runtime directory open to others is refused.
  chmodSync(join(root, 'run', 'credd'), 0o700);
  return root;
}

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

t.test('the command: one line per finding with its fix, --json, exit 1 only for errors', async (t) => {
  const root = fixture(t, { config: '[profile management]\nregion = us-west-2\n', token: TOKEN });
  const env = {
    HOME: join(root, 'home'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    AWS_CONTAINER_CREDENTIALS_FULL_URI: URI,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: TOKEN,
  };
  const status = { endpoint: 'http://127.0.0.1:9911', activeProfile: 'management', sessions: [], profiles: [], errors: [] };
  const doctor = createDoctorCommand(deps(async (url) => ({ url, status: 200 })));

  const warn = fakeCliContext({ root, env, routes: { 'GET /status': () => status } });
  t.equal(await doctor(warn.ctx, []), 0, 'a warning alone exits 0');
  t.equal(
    warn.stdout(),
    'warning: No region: neither AWS_REGION nor AWS_DEFAULT_REGION is set, and [default] names none; most SDK calls need one. Fix: eval "$(credd env)" (it sets the profile\'s region), or export AWS_REGION=us-west-2\n',
  );

  const clean = fakeCliContext({ root, env: { ...env, AWS_REGION: 'us-west-2' }, routes: { 'GET /status': () => status } });
  t.equal(await doctor(clean.ctx, []), 0);
  t.equal(clean.stdout(), 'ok: nothing here keeps the SDKs from getting credentials from credd.\n');

  const bad = fakeCliContext({ root, env: { ...env, AWS_PROFILE: 'dev' } });
  t.equal(await doctor(bad.ctx, ['--json']), 1);
  const doc = JSON.parse(bad.stdout()) as { ok: boolean; findings: Array<{ code: string; severity: string; message: string; fix: string }> };
  t.equal(doc.ok, false);
  t.same(
    doc.findings.map((x) => x.code),
    ['EnvProfile', 'NoRegion', 'DaemonNotRunning'],
  );
  t.match(doc.findings[0], { severity: 'error', message: /^AWS_PROFILE=dev is set/, fix: /^unset AWS_PROFILE/ });

  const viaRun = fakeCliContext({ root, env });
  t.equal(await run(viaRun.ctx, ['doctor', '--json']), 1, 'the real probes and login-service lookup, without a daemon');
  t.match(JSON.parse(viaRun.stdout()), {
    ok: false,
    findings: [
      { code: 'NoRegion' },
      { code: 'DaemonNotRunning' },
      { code: 'NoLoginService', message: new RegExp(`no ${join(root, 'home', '.config', 'systemd', 'user', 'credd.service')}`) },
    ],
  });
  t.equal(await run(viaRun.ctx, ['doctor', '--verbose']), 2, 'usage errors exit 2');
  const help = fakeCliContext({ root, env });
  t.equal(await run(help.ctx, ['doctor', '--help']), 0);
  t.match(help.stdout(), /^Usage: credd doctor \[--json\]/);
  t.same(
    [...reachableImports(join(ROOT, 'src', 'cli', 'commands', 'doctor.ts'))].filter((s) => s.startsWith('@aws-sdk')),
    [],
    'doctor does not load the AWS SDK either',
  );
});
